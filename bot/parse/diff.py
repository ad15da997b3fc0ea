"""Reads unified diffs: which lines of the head version a change added."""

from __future__ import annotations

import re

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(?P<start>\d+)(?:,(?P<count>\d+))? @@")


def added_lines(patch: str) -> frozenset[int]:
    """1-based head line numbers of the `+` lines of a patch (the hunks of one file)."""
    added: set[int] = set()
    line = 0
    in_hunk = False
    for text in patch.split("\n"):
        hunk = _HUNK.match(text)
        if hunk:
            line = int(hunk.group("start"))
            in_hunk = True
            continue
        if not in_hunk or text.startswith("\\"):
            continue
        if text.startswith("+"):
            added.add(line)
            line += 1
        elif text.startswith(" ") or text == "":
            line += 1
        elif not text.startswith("-"):
            in_hunk = False
    return frozenset(added)


_RANGES = re.compile(
    r"^@@ -(?P<old>\d+)(?:,(?P<old_count>\d+))? \+(?P<new>\d+)(?:,(?P<new_count>\d+))? @@"
)


def base_text(head: str, patch: str) -> str | None:
    """The file at the patch's base (GitHub diffs a PR against the merge base), rebuilt from
    the head text and the patch, up to a final newline; None when the two do not fit."""
    head_lines = head.split("\n")
    base: list[str] = []
    at = 0  # head lines consumed
    in_hunk = False
    for text in patch.rstrip("\n").split("\n"):
        ranges = _RANGES.match(text)
        if ranges:
            count = ranges.group("new_count")
            start = int(ranges.group("new"))
            # An empty range names the line before it; otherwise its first line.
            until = start if count == "0" else start - 1
            if until < at or until > len(head_lines):
                return None
            base += head_lines[at:until]
            at = until
            in_hunk = True
            continue
        if not in_hunk or text.startswith("\\"):
            continue
        if text.startswith("-"):
            base.append(text[1:])
        elif text.startswith(("+", " ")) or text == "":
            line = text[1:]
            if at >= len(head_lines) or head_lines[at] != line:
                return None
            if not text.startswith("+"):
                base.append(line)
            at += 1
        else:
            in_hunk = False
    return "\n".join(base + head_lines[at:])
