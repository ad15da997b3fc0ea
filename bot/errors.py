"""Errors that stop a review before it starts: they exit with status 2 and a clear message."""

from __future__ import annotations


class OperationalError(Exception):
    """Something outside the PR is wrong (bad flag, not a git repository, unreadable file)."""


class UsageError(OperationalError):
    """The command line asks for something impossible."""


class ConfigError(OperationalError):
    """The zoo-review config is unreadable or does not match schemas/config.schema.json."""
