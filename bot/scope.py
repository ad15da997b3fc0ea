"""Chooses what a review looks at: the method sections and rows a PR adds or changes.

Sections are matched by identity (their name, wherever they moved; the group and the table
break ties), and each matched pair is compared line by line after line endings and a BOM are
normalised, so a heading inserted above them or a CRLF conversion changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

from bot.config import TaskSpec
from bot.model import ChangedFile, MethodSection, Readme
from bot.rules.context import EntryScope
from bot.textnorm import fold, normalize_newlines

# Line pairs a section's changed middle may have to be diffed (SequenceMatcher is quadratic on
# repetitive lines); larger changes review the whole middle instead.
MAX_DIFF_PAIRS = 250_000


def entries_in_scope(
    readme: Readme,
    task: TaskSpec,
    changed: ChangedFile | None,
    audit_all: bool,
    *,
    base: Readme | None = None,
    head_text: str | None = None,
    base_text: str | None = None,
) -> list[EntryScope]:
    """Sections the PR touched (all of them with `audit_all`), with the rows it added.

    With the base README (`base`, and both texts), a section is compared with the base section
    it matches; without it every line the diff added counts (a new file: every line)."""
    if audit_all:
        return [
            EntryScope(section=section, task=task, new=False, changed=None, rows=section.rows)
            for section in readme.sections
        ]
    if changed is None:
        return []
    if base is None or head_text is None or base_text is None:
        return [
            scope
            for section in readme.sections
            if (
                scope := _scope(
                    section, task, changed.added_lines, section.line in changed.added_lines
                )
            )
        ]
    head_lines = normalize_newlines(head_text).split("\n")
    base_lines = normalize_newlines(base_text).split("\n")
    matched = match_sections(base.sections, readme.sections)
    scopes: list[EntryScope] = []
    for section in readme.sections:
        old = matched.get(id(section))
        if old is None:
            added = frozenset(range(section.line, section.end_line + 1))
            new = True
        else:
            added = _changed_lines(section, head_lines, old, base_lines)
            new = False
        scope = _scope(section, task, added, new)
        if scope is not None:
            scopes.append(scope)
    return scopes


def _scope(
    section: MethodSection, task: TaskSpec, added: frozenset[int], new: bool
) -> EntryScope | None:
    touched = section.content_lines() & added
    if not touched:
        return None
    return EntryScope(
        section=section,
        task=task,
        new=new,
        changed=frozenset(touched),
        rows=tuple(row for row in section.rows if row.line in added),
    )


def _changed_lines(
    head: MethodSection, head_lines: list[str], base: MethodSection, base_lines: list[str]
) -> frozenset[int]:
    """Head lines of the section that its base version does not have (trailing blanks ignored)."""
    new = [line.rstrip() for line in head_lines[head.line - 1 : head.end_line]]
    old = [line.rstrip() for line in base_lines[base.line - 1 : base.end_line]]
    if new == old:
        return frozenset()
    # The common start and end cost one pass; only the middle is diffed.
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    old_middle, new_middle = old[start : len(old) - end], new[start : len(new) - end]
    first = head.line + start
    if len(old_middle) * len(new_middle) > MAX_DIFF_PAIRS:
        # Too large to diff line by line within bounds: all of the changed middle is reviewed.
        return frozenset(range(first, first + len(new_middle)))
    changed: set[int] = set()
    matcher = SequenceMatcher(None, old_middle, new_middle, autojunk=False)
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            changed.update(range(first + j1, first + j2))
    return frozenset(changed)


def match_sections(
    base: Sequence[MethodSection], head: Sequence[MethodSection]
) -> dict[int, MethodSection]:
    """Each head section's base section (by `id` of the head section): the same name folded,
    wherever it moved; among several of that name, the same group, then the same table header,
    then the same order."""
    by_name: dict[str, list[MethodSection]] = {}
    for section in base:
        by_name.setdefault(fold(section.name), []).append(section)
    matched: dict[int, MethodSection] = {}
    for tie_break in (_same_group_and_header, _same_group, _same_header, _any):
        for section in head:
            if id(section) in matched:
                continue
            candidates = by_name.get(fold(section.name), [])
            found = next((old for old in candidates if tie_break(old, section)), None)
            if found is not None:
                matched[id(section)] = found
                candidates.remove(found)
    return matched


def _header(section: MethodSection) -> tuple[str, ...]:
    return section.tables[0].header if section.tables else ()


def _same_group_and_header(old: MethodSection, new: MethodSection) -> bool:
    return _same_group(old, new) and _same_header(old, new)


def _same_group(old: MethodSection, new: MethodSection) -> bool:
    return old.group == new.group


def _same_header(old: MethodSection, new: MethodSection) -> bool:
    return _header(old) == _header(new)


def _any(old: MethodSection, new: MethodSection) -> bool:
    return True
