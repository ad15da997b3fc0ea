"""Property and stress tests: the README and checklist parsers never raise and stay fast."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.model import Readme
from bot.parse.checklist import parse_checklist
from bot.parse.sections import parse_readme

LIMIT_SECONDS = 2.0
STRESS_LIMIT_SECONDS = 5.0

FRAGMENTS = [
    "### ",
    "### Method",
    "## Group",
    "#### Results",
    "| a | b |",
    "| :-: | :-: |",
    "| 1 | 2 | 3 |",
    "|",
    "<details>",
    "<summary>Abstract</summary>",
    "</details>",
    "<!--",
    "-->",
    "[x](",
    "[x](https://e.example/y) [CVPR 2020]",
    "[[Code](https://g.example/c)] [[Usage Instructions](#usage)]",
    "Authors: [A](",
    "`",
    "```",
    "~~~",
    "\\|",
    "\\\\|",
    "- [ ] ",
    "- [x] item",
    "  - [X] nested",
    "1. [ ] ",
    ">",
    "> > ",
    "---",
    "===",
    "    indented",
    "",
    "*",
    "_",
    "<",
    "&amp;",
    "\t",
    "\r",
]


@st.composite
def markdownish(draw: st.DrawFn) -> str:
    """Lines drawn from Markdown fragments, free text, or both glued together."""
    fragment = st.sampled_from(FRAGMENTS)
    line = st.one_of(
        fragment,
        st.text(max_size=40),
        st.tuples(fragment, st.text(max_size=20), fragment).map("".join),
    )
    return "\n".join(draw(st.lists(line, max_size=40)))


T = TypeVar("T")


def timed(call: Callable[[], T]) -> tuple[T, float]:
    """The result and the CPU seconds it took: what the bounds are about is the parser's own
    work, which a machine loaded by other processes does not change."""
    start = time.process_time()
    result = call()
    return result, time.process_time() - start


def check_readme(text: str) -> Readme:
    readme, seconds = timed(lambda: parse_readme(text, "det", "det/README.md"))
    assert seconds < LIMIT_SECONDS
    line_count = len(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    for section in readme.sections:
        assert section.task == "det"
        assert 1 <= section.line <= section.end_line <= line_count
        for row in section.rows:
            assert section.line < row.line <= section.end_line
    return readme


@settings(max_examples=200, deadline=None)
@given(markdownish())
def test_parse_readme_never_raises_on_markdownish_text(text: str) -> None:
    check_readme(text)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_parse_readme_never_raises_on_any_text(text: str) -> None:
    check_readme(text)


@settings(max_examples=200, deadline=None)
@given(st.one_of(markdownish(), st.text()))
def test_parse_checklist_never_raises(text: str) -> None:
    items, seconds = timed(lambda: parse_checklist(text))
    assert seconds < LIMIT_SECONDS
    assert all(isinstance(item.checked, bool) for item in items)
    # There can be no more items than task-list boxes in the text.
    assert len(items) <= text.count("[")


TABLE_HEAD = "### Big\n\n| Backbone | Box AP-val |\n| :-: | :-: |\n"

PATHOLOGICAL = {
    "brackets": "[" * 100_000,
    "nested_quotes": ">" * 50_000 + " text",
    "nested_lists": "- " * 50_000 + "[x] deep",
    "stacked_quotes": "> \n" * 10_000,
    "backticks": "`" * 20_000,
    "backtick_runs": "`a ``b ```c " * 5_000,
    "open_links": "[a](" * 5_000,
    "open_details": "<details>\n" * 20_000,
    "open_comments": "<!--\n-->" * 20_000,
    "escaped_pipes": "| " + "\\| " * 10_000 + "|\n| - |\n",
    "big_table": TABLE_HEAD + "".join(f"| R-{i} | {i % 100}.5 |\n" for i in range(10_000)),
}


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_pathological_inputs_parse_quickly(name: str) -> None:
    text = PATHOLOGICAL[name]
    readme, seconds = timed(lambda: parse_readme(text, "det", "det/README.md"))
    assert seconds < STRESS_LIMIT_SECONDS, f"parse_readme took {seconds:.1f} s"
    items, seconds = timed(lambda: parse_checklist(text))
    assert seconds < STRESS_LIMIT_SECONDS, f"parse_checklist took {seconds:.1f} s"
    if name == "big_table":
        assert len(readme.sections) == 1
        rows = readme.sections[0].rows
        assert len(rows) == 10_000
        assert (rows[0].line, rows[-1].line) == (5, 10_004)
        assert rows[-1].cells[0].text == "R-9999"
    else:
        assert readme.sections == ()
    if name == "nested_lists":
        assert [(item.text, item.checked) for item in items] in ([], [("deep", True)])
    else:
        assert items == []
