"""Builds the mechanical fixes findings carry: the source line as it is and as it should be."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from itertools import pairwise

from bot.model import Fix
from bot.parse.markdown import unescaped_pipes
from bot.textnorm import normalize_newlines


def source_line(texts: Mapping[str, str], path: str, line: int) -> str | None:
    """Line `line` (1-based) of the head text of `path`, without its line ending."""
    text = texts.get(path)
    if text is None or line < 1:
        return None
    lines = _lines(text)
    return lines[line - 1] if line <= len(lines) else None


@functools.lru_cache(maxsize=16)
def _lines(text: str) -> tuple[str, ...]:
    """A text's lines, split once: a fix per row of a big README must not split it each time
    (an audit of 2,000 rows made 4,000 fixes of a 2 MB text)."""
    return tuple(normalize_newlines(text).split("\n"))


def line_fix(texts: Mapping[str, str], path: str, line: int, new: str) -> Fix | None:
    """The fix that makes line `line` of `path` read `new` (None when it already does)."""
    old = source_line(texts, path, line)
    if old is None or old == new:
        return None
    return Fix(path=path, line=line, old=old, new=new)


def cell_spans(line: str) -> list[tuple[int, int]]:
    """Where each cell's trimmed text stands in a table line, as `split_cells` splits it."""
    pipes = unescaped_pipes(line)
    start = len(line) - len(line.lstrip())
    end = len(line.rstrip())
    bounds = [start - 1, *pipes, end]
    if pipes and pipes[0] == start:
        bounds = bounds[1:]
    if pipes and pipes[-1] == end - 1 and len(bounds) > 1:
        bounds = bounds[:-1]
    spans: list[tuple[int, int]] = []
    for left, right in pairwise(bounds):
        cell = line[left + 1 : right]
        if not cell.strip():  # an empty cell: the text goes after one space
            at = left + 1 + min(1, len(cell))
            spans.append((at, at))
            continue
        lead = len(cell) - len(cell.lstrip())
        spans.append((left + 1 + lead, left + 1 + len(cell.rstrip())))
    return spans


def replace_cell(line: str, index: int, new: str) -> str | None:
    """The table line with cell `index` reading `new` (None: no such cell)."""
    spans = cell_spans(line)
    if not 0 <= index < len(spans):
        return None
    start, end = spans[index]
    return line[:start] + new + line[end:]


def cell_fix(texts: Mapping[str, str], path: str, line: int, index: int, new: str) -> Fix | None:
    """The fix that makes cell `index` of the table row at `line` read `new`."""
    old = source_line(texts, path, line)
    if old is None:
        return None
    fixed = replace_cell(old, index, new)
    return None if fixed is None else line_fix(texts, path, line, fixed)
