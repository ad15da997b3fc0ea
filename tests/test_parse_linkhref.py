"""The faster link destination scan gives exactly what mistune's own gives."""

from __future__ import annotations

import mistune.helpers
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.parse import linkhref

pytestmark = pytest.mark.skipif(
    not linkhref.installable(), reason="this mistune has no per-character link scan to replace"
)
PIECES = st.sampled_from(
    ["a", "é", "/", ".", "(", ")", "\\", "\\(", "\\)", "\\a", " ", "\t", "\n", "\r\n", "\f",
     "\v", "\x00", "\x7f", "<", ">", '"', "'", "http://x.org/a_b", "\u00a0", "  \n  "]
)  # fmt: skip


@settings(max_examples=1500, deadline=None)
@given(
    text=st.lists(PIECES, max_size=30).map("".join),
    start=st.integers(0, 40),
    block=st.booleans(),
    nested=st.integers(0, 3),
)
def test_same_as_mistune(text: str, start: int, block: bool, nested: int) -> None:
    original = linkhref._original
    assert original is not None
    start = min(start, len(text))
    expected = original(text, start, block, max_nested_level=nested)
    assert linkhref.parse_link_href(text, start, block, max_nested_level=nested) == expected


def test_installed_in_mistune() -> None:
    import bot.parse.markdown  # noqa: F401 (installs it)

    assert mistune.helpers._parse_link_href is linkhref.parse_link_href
    assert linkhref.parse_link_href("(x.org/a(b)c) t", 1) == ("x.org/a(b)c", 12, 12)
