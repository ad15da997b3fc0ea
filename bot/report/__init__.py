"""Turns a Review into what people and tools read: terminal text, the PR comment, JSON."""
