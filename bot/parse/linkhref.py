"""mistune's scan of a link destination (`[text](destination)`), with the same results, faster.

mistune 3.4 walks a destination one character at a time in Python: about 20 microseconds a
link, a fifth of the parse of a README of links. Here a run of characters that change nothing
(not a space or a control character, a backslash or a parenthesis) is skipped with one linear
regex, and the rest is mistune's loop. tests/test_parse_linkhref.py compares both on random
text. `install()` replaces mistune's function only where it has this shape (mistune 3.4).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable

import mistune.helpers

_PLAIN = re.compile(r"[^\x00-\x20\x7f\\()]*")
_PUNCTUATION = frozenset(string.punctuation)
_WHITESPACE = " \t\n\r\f"  # mistune's ASCII_WHITESPACE (checked by installable)

Href = tuple[str | None, int | None, int]
_original: Callable[..., Href] | None = getattr(mistune.helpers, "_parse_link_href", None)


def parse_link_href(
    src: str, start_pos: int, block: bool = False, *, max_nested_level: int = 20
) -> Href:
    """As mistune.helpers._parse_link_href: (destination, where it ends, where the scan ended);
    (None, None, pos) when there is none."""
    assert _original is not None
    skip = mistune.helpers._skip_link_start_whitespace
    pos = skip(src, start_pos)
    end = len(src)
    if pos >= end or src[pos] == "<" or (block and src[pos] in _WHITESPACE):
        return _original(src, start_pos, block, max_nested_level=max_nested_level)
    start = pos
    level = 0
    plain = _PLAIN.match
    while pos < end:
        pos = plain(src, pos).end()  # type: ignore[union-attr]  # `*` always matches
        if pos >= end:
            break
        char = src[pos]
        if char in _WHITESPACE:
            break
        if char < " " or char == "\x7f":
            return None, None, pos
        if char == "\\" and pos + 1 < end and src[pos + 1] in _PUNCTUATION:
            pos = min(pos + 2, end)
            continue
        if char == "(":
            level += 1
            if level > max_nested_level:
                return None, None, pos
        elif char == ")":
            if level == 0:
                break
            level -= 1
        pos += 1
    if level != 0:
        return None, None, pos
    return src[start:pos], pos, pos


def installable() -> bool:
    """Whether this mistune has the function, and the helpers it uses, this module mirrors."""
    helpers = mistune.helpers
    return (
        _original is not None
        and hasattr(helpers, "_skip_link_start_whitespace")
        and getattr(helpers, "ASCII_WHITESPACE", None) == _WHITESPACE
        and getattr(helpers, "DEFAULT_MAX_NESTED_LEVEL", None) == 20
    )


def install() -> None:
    """Use parse_link_href in mistune's link parsing (where installable)."""
    if installable():
        mistune.helpers._parse_link_href = parse_link_href
