"""Chooses what a review looks at: the method sections and rows a PR adds or changes."""

from __future__ import annotations

from bot.config import TaskSpec
from bot.model import ChangedFile, Readme
from bot.rules.context import EntryScope


def entries_in_scope(
    readme: Readme, task: TaskSpec, changed: ChangedFile | None, audit_all: bool
) -> list[EntryScope]:
    """Sections the PR touched (all of them with `audit_all`), with the rows it added."""
    scopes: list[EntryScope] = []
    for section in readme.sections:
        if audit_all:
            scopes.append(
                EntryScope(section=section, task=task, new=False, changed=None, rows=section.rows)
            )
            continue
        if changed is None:
            continue
        added = changed.added_lines
        touched = section.content_lines() & added
        if not touched:
            continue
        scopes.append(
            EntryScope(
                section=section,
                task=task,
                new=section.line in added,
                changed=frozenset(touched),
                rows=tuple(row for row in section.rows if row.line in added),
            )
        )
    return scopes
