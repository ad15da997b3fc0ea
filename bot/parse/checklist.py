"""Reads the task-list checklist of a PR description (items inside HTML comments do not count)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import replace

from bot.budget import CpuBudget
from bot.model import ChecklistItem
from bot.parse.markdown import Document, Token, inline_text
from bot.textnorm import fold, normalize_newlines

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)


def strip_comments(text: str) -> str:
    """Blank out HTML comments (an unclosed one runs to the end), keeping line numbers."""
    return _COMMENT.sub(lambda match: "\n" * match.group(0).count("\n"), text)


# A list item that starts with a box GitHub does not render as a checkbox: `[v]`, `[✓]`,
# `[X ]`, `[]`, `[x]text` (bounded: no backtracking over contributor text).
_MARK = re.compile(r"^\[(?P<mark>[^\[\]\n]{0,3})\]\s*(?P<text>\S.*)$", re.DOTALL)
_BULLET = re.compile(r"^\s{0,12}(?:[-*+]|\d{1,9}[.)])\s+(?:\[[^\[\]\n]{0,3}\])?")


def parse_checklist(body: str, budget: CpuBudget | None = None) -> list[ChecklistItem]:
    """Every task-list item of the description, at any depth, in order, with its line; list
    items whose box is not `[ ]` or `[x]` come as unticked items with their `mark`. With a
    `budget`, raise OutOfTime (bot/budget.py) once it is spent."""
    text = strip_comments(normalize_newlines(body))
    document = Document.parse(text, budget=budget, doing="reading the PR description")
    return _with_lines(list(_items(document.tokens)), text.split("\n"))


def _items(tokens: Sequence[Token]) -> Iterator[ChecklistItem]:
    for token in tokens:
        kind = token.get("type")
        if kind in ("task_list_item", "list_item"):
            own = [child for child in token.get("children", ()) if child.get("type") != "list"]
            text = " ".join(inline_text(own).split())
            if kind == "task_list_item":
                yield ChecklistItem(text=text, checked=bool(token.get("attrs", {}).get("checked")))
            elif (malformed := _MARK.match(text)) is not None:
                yield ChecklistItem(
                    text=malformed.group("text"), checked=False, mark=malformed.group("mark")
                )
        if "children" in token:
            yield from _items(token["children"])


def _with_lines(items: list[ChecklistItem], lines: list[str]) -> list[ChecklistItem]:
    """Each item with the line it starts on: the next list line, in order, whose first words
    are the first words of the item."""
    located: list[ChecklistItem] = []
    at = 0
    for found_item in items:
        item = found_item
        words = fold(item.text).split()[:3]
        for number in range(at, len(lines)):
            line = lines[number]
            bullet = _BULLET.match(line)
            found = fold(line[bullet.end() :]).split()[:3] if bullet else []
            if found and found == words[: len(found)]:
                item = replace(item, line=number + 1)
                at = number + 1
                break
        located.append(item)
    return located
