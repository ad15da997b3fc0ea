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
