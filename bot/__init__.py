"""zoo-review: reviews pull requests that contribute models to a model zoo."""

__version__ = "0.1.0"
