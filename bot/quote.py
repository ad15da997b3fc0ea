"""Marks contributor-written values inside messages so that every report renders them safely."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

_SURROGATE = re.compile("[\ud800-\udfff]")
OPEN = "\ue000"
CLOSE = "\ue001"
LIMIT = 120


def clean(value: str, limit: int = LIMIT) -> str:
    """One line, no control or format characters (bidi overrides, zero-width), no lone
    surrogates (see `scrub`), truncated."""
    flat = " ".join(scrub(str(value)).replace(OPEN, "").replace(CLOSE, "").split())
    kept = "".join(char for char in flat if unicodedata.category(char) not in ("Cc", "Cf", "Co"))
    return kept if len(kept) <= limit else kept[: limit - 1] + "…"


def scrub(text: str) -> str:
    """`text` with each surrogate code point replaced by U+FFFD. A JSON file can hold one
    (`"\\ud800"`, a key of a scores file) and Python decodes it, but no UTF-8 text can: a
    report that kept it could not be written (UnicodeEncodeError)."""
    return _SURROGATE.sub("\ufffd", text)


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
