"""The rules run on every method section under review, in order."""

from __future__ import annotations

from collections.abc import Callable

from bot.model import Finding
from bot.rules import (
    artifacts,
    checksums,
    config_files,
    duplicates,
    links,
    pages,
    scores,
    skeleton,
    structure,
    template,
    venue,
)
from bot.rules.context import Context, EntryScope

EntryRule = Callable[[EntryScope, Context], list[Finding]]

# In this order.
ENTRY_RULES: tuple[EntryRule, ...] = (
    structure.check,
    template.check,
    skeleton.check,
    venue.check,
    links.check,
    config_files.check,
    duplicates.check,
    scores.check,
    checksums.check,
    artifacts.check,
    pages.check,
)
