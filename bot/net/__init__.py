"""The one place that touches contributor URLs."""
