"""Lets `python -m bot` run the same entry point as the `zoo-review` command."""

from bot.cli import entry

entry()
