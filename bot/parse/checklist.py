"""Reads the task-list checklist of a PR description (items inside HTML comments do not count)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from bot.model import ChecklistItem
from bot.parse.markdown import Document, Token, inline_text

_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)


def strip_comments(text: str) -> str:
    """Blank out HTML comments (an unclosed one runs to the end), keeping line numbers."""
    return _COMMENT.sub(lambda match: "\n" * match.group(0).count("\n"), text)


def parse_checklist(body: str) -> list[ChecklistItem]:
    """Every task-list item of the description, at any depth, in order."""
    document = Document.parse(strip_comments(body))
    return list(_items(document.tokens))


def _items(tokens: Sequence[Token]) -> Iterator[ChecklistItem]:
    for token in tokens:
        if token.get("type") == "task_list_item":
            own = [child for child in token.get("children", ()) if child.get("type") != "list"]
            text = " ".join(inline_text(own).split())
            yield ChecklistItem(text=text, checked=bool(token.get("attrs", {}).get("checked")))
        if "children" in token:
            yield from _items(token["children"])
