"""Folds text for tolerant comparisons: case, punctuation and runs of white space."""

from __future__ import annotations

import re

_NOT_WORD = re.compile(r"[^\w\s]")


def fold(text: str) -> str:
    """`Put your abstract  here.` and `put your abstract here` fold to the same text."""
    return " ".join(_NOT_WORD.sub(" ", text.casefold()).split())


def normalize_newlines(text: str) -> str:
    """Text with a leading byte-order mark removed and CRLF or CR line endings as LF: an
    editor's change of line endings is not a change of content (line numbers are kept)."""
    return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
