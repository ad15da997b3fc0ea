"""Reads and checks the scores JSON files that contributors link from the model zoo README."""
