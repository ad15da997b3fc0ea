"""Marks contributor-written values inside messages so that every report renders them safely."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

OPEN = "\ue000"
CLOSE = "\ue001"
LIMIT = 120


def clean(value: str, limit: int = LIMIT) -> str:
    """One line, no control or format characters (bidi overrides, zero-width), truncated."""
    flat = " ".join(str(value).replace(OPEN, "").replace(CLOSE, "").split())
    kept = "".join(char for char in flat if unicodedata.category(char) not in ("Cc", "Cf", "Co"))
    return kept if len(kept) <= limit else kept[: limit - 1] + "…"


def q(value: object, limit: int = LIMIT) -> str:
    """`value` as an untrusted segment of a message."""
    return f"{OPEN}{clean(str(value), limit)}{CLOSE}"


def segments(message: str) -> list[tuple[str, bool]]:
    """The message split into (text, untrusted) pieces."""
    pieces: list[tuple[str, bool]] = []
    rest = message
    while OPEN in rest:
        before, _, after = rest.partition(OPEN)
        value, _, rest = after.partition(CLOSE)
        if before:
            pieces.append((before, False))
        pieces.append((value, True))
    if rest:
        pieces.append((rest, False))
    return pieces


def render(
    message: str, untrusted: Callable[[str], str], trusted: Callable[[str], str] = str
) -> str:
    return "".join(untrusted(text) if flag else trusted(text) for text, flag in segments(message))


def plain(message: str) -> str:
    """The message with untrusted values in backticks: for JSON and plain text."""
    return render(message, lambda value: f"`{value}`")
