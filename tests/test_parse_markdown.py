"""Tests the Markdown layer: cell splitting, token line numbers, lenient tables, links, anchors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.model import Cell, Link, TextLine
from bot.parse.markdown import (
    Document,
    Token,
    cell_of,
    github_anchor,
    has_unescaped_pipe,
    inline_text,
    split_cells,
    text_lines,
    unescaped_pipes,
)


def kinds(document: Document) -> list[tuple[str, int | None]]:
    """The (type, line) of every top-level token except blank lines."""
    return [(t["type"], t.get("line")) for t in document.tokens if t["type"] != "blank_line"]


def only_table(document: Document) -> Token:
    tables = [token for token in document.tokens if token["type"] == "zoo_table"]
    assert len(tables) == 1
    return tables[0]


def row_cells(table: Token) -> list[tuple[int, list[str]]]:
    """(line, raw cells) of every body row of a table token."""
    return [
        (row["line"], [cell["raw"] for cell in row["children"]]) for row in table["children"][1:]
    ]


def header_cells(table: Token) -> list[str]:
    return [cell["raw"] for cell in table["children"][0]["children"]]


# --- split_cells --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "cells"),
    [
        ("| a | b |", ["a", "b"]),
        ("a | b", ["a", "b"]),
        ("| a | b", ["a", "b"]),
        ("a | b |", ["a", "b"]),
        ("   |  a  |   b   |   ", ["a", "b"]),
        ("| a |  | c |", ["a", "", "c"]),
        ("|  |  |", ["", ""]),
        ("| |", [""]),
        ("||", [""]),
        ("|a||b|", ["a", "", "b"]),
        ("| :-: | :---: | --- |", [":-:", ":---:", "---"]),
    ],
)
def test_split_cells_outer_pipes_and_empty_cells(line: str, cells: list[str]) -> None:
    assert split_cells(line) == cells


def test_split_cells_keeps_escaped_pipes_in_the_cell() -> None:
    line = r"| R-50 | [model](https://f.example/m.pth) \| [MD5](https://f.example/m.md5) |"
    assert split_cells(line) == [
        "R-50",
        r"[model](https://f.example/m.pth) \| [MD5](https://f.example/m.md5)",
    ]


def test_split_cells_even_backslashes_do_not_escape_the_pipe() -> None:
    # `\\|`: the backslash is escaped, so the pipe splits the cell.
    assert split_cells(r"| a \\| b |") == ["a \\\\", "b"]
    # `\\\|`: an escaped backslash, then an escaped pipe.
    assert split_cells(r"| a \\\| b |") == [r"a \\\| b"]
    # A trailing escaped pipe is content, not the closing pipe.
    assert split_cells(r"| a | b \|") == ["a", r"b \|"]


def _pipes_by_counting(line: str) -> list[int]:
    """The unescaped pipes found another way: a pipe after an even number of backslashes."""
    found = []
    for index, char in enumerate(line):
        if char == "|":
            backslashes = len(line[:index]) - len(line[:index].rstrip("\\"))
            if backslashes % 2 == 0:
                found.append(index)
    return found


@given(st.text(alphabet="\\|a \n", max_size=40))
def test_unescaped_pipes_are_the_pipes_after_an_even_number_of_backslashes(line: str) -> None:
    assert unescaped_pipes(line) == _pipes_by_counting(line)
    assert has_unescaped_pipe(line) == bool(_pipes_by_counting(line))


@pytest.mark.parametrize(
    ("line", "pipes"),
    [
        ("", []),
        ("a", []),
        ("|", [0]),
        ("\\|", []),
        ("\\\\|", [2]),
        ("\\\\\\|", []),
        ("a\\\\\\\\||", [5, 6]),
        ("\\\n|", [2]),  # a backslash before a line break escapes the break, not the pipe
    ],
)
def test_unescaped_pipes_by_hand(line: str, pipes: list[int]) -> None:
    assert unescaped_pipes(line) == pipes


def test_split_cells_line_without_pipes_is_one_cell() -> None:
    assert split_cells("  just text  ") == ["just text"]
    assert split_cells("") == [""]


# --- Document.parse line numbers -------------------------------------------------------------

SAMPLE = """# Title

First paragraph
continues here.

## Group

### Method

| A | B |
| :-: | :-: |
| 1 | 2 |
| 3 | 4 |

Closing words.
"""


def test_document_lines_of_headings_paragraphs_and_tables() -> None:
    document = Document.parse(SAMPLE)
    assert kinds(document) == [
        ("heading", 1),
        ("paragraph", 3),
        ("heading", 6),
        ("heading", 8),
        ("zoo_table", 10),
        ("paragraph", 15),
    ]
    levels = [t["attrs"]["level"] for t in document.tokens if t["type"] == "heading"]
    assert levels == [1, 2, 3]
    table = only_table(document)
    assert header_cells(table) == ["A", "B"]
    assert row_cells(table) == [(12, ["1", "2"]), (13, ["3", "4"])]
    assert table["attrs"]["align_cells"] == 2
    assert table["attrs"]["run_on"] is None
    assert document.lines[0] == "# Title"
    assert document.lines[11] == "| 1 | 2 |"


@pytest.mark.parametrize("newline", ["\r\n", "\r"])
def test_document_line_numbers_with_crlf_and_cr(newline: str) -> None:
    document = Document.parse(SAMPLE.replace("\n", newline))
    assert kinds(document) == kinds(Document.parse(SAMPLE))
    assert row_cells(only_table(document)) == [(12, ["1", "2"]), (13, ["3", "4"])]
    assert not any("\r" in line for line in document.lines)
    assert document.lines[7] == "### Method"


def test_paragraph_right_after_heading_and_table_right_after_heading() -> None:
    document = Document.parse("### Name\ntext under it\n#### Results\n| a |\n| - |\n| 1 |\n")
    assert kinds(document) == [
        ("heading", 1),
        ("paragraph", 2),
        ("heading", 3),
        ("zoo_table", 4),
    ]
    assert row_cells(only_table(document)) == [(6, ["1"])]


def test_table_after_paragraph_line_without_blank_line() -> None:
    document = Document.parse("intro line\n| a | b |\n| - | - |\n| 1 | 2 |\n")
    assert kinds(document) == [("paragraph", 1), ("zoo_table", 2)]


def test_table_rows_in_fenced_code_are_not_a_table() -> None:
    text = "```\n| a | b |\n| - | - |\n### not a heading\n```\n"
    document = Document.parse(text)
    assert kinds(document) == [("block_code", 1)]


def test_headings_deep_in_the_document_keep_their_line() -> None:
    text = "".join(f"para {i}\n\n" for i in range(200)) + "### Late\n"
    document = Document.parse(text)
    assert kinds(document)[-1] == ("heading", 401)


# --- the lenient table rule -------------------------------------------------------------------


def test_rows_with_too_many_or_too_few_cells_are_kept() -> None:
    text = "| a | b | c |\n| :-: | :-: | :-: |\n| 1 | 2 | 3 | 4 |\n| 1 | 2 |\n| 1 | 2 | 3 |\n"
    table = only_table(Document.parse(text))
    assert row_cells(table) == [
        (3, ["1", "2", "3", "4"]),
        (4, ["1", "2"]),
        (5, ["1", "2", "3"]),
    ]
    assert table["attrs"]["align_cells"] == 3


def test_header_and_delimiter_cell_count_mismatch_is_recorded() -> None:
    table = only_table(Document.parse("| a | b | c |\n| :-: | :-: |\n| 1 | 2 | 3 |\n"))
    assert header_cells(table) == ["a", "b", "c"]
    assert table["attrs"]["align_cells"] == 2
    assert row_cells(table) == [(3, ["1", "2", "3"])]


def test_line_after_table_without_blank_line_is_a_run_on_line() -> None:
    text = "| a | b |\n| - | - |\n| 1 | 2 |\n[[Code](https://g.example/x)]\n\nlater\n"
    document = Document.parse(text)
    table = only_table(document)
    assert row_cells(table) == [(3, ["1", "2"])]
    assert table["attrs"]["run_on_line"] == 4
    # The run-on line is still parsed as a paragraph of its own.
    assert kinds(document) == [("zoo_table", 1), ("paragraph", 4), ("paragraph", 6)]


def test_table_ends_at_blank_line_without_run_on() -> None:
    table = only_table(Document.parse("| a |\n| - |\n| 1 |\n\nnext\n"))
    assert table["attrs"]["run_on"] is None
    assert "run_on_line" not in table["attrs"]


def test_table_without_body_rows() -> None:
    table = only_table(Document.parse("| a | b |\n| --- | --- |\n"))
    assert header_cells(table) == ["a", "b"]
    assert row_cells(table) == []


def test_pipe_line_without_delimiter_row_is_not_a_table() -> None:
    document = Document.parse("| a | b |\n| 1 | 2 |\n")
    assert kinds(document) == [("paragraph", 1)]


# --- inline text, links and cells ----------------------------------------------------------


def paragraph(text: str) -> Token:
    document = Document.parse(text)
    paragraphs = [t for t in document.tokens if t["type"] == "paragraph"]
    assert paragraphs
    return paragraphs[0]


def test_text_lines_one_entry_per_source_line_with_links() -> None:
    token = paragraph(
        "\n\n[Paper Title](https://p.example/1) [CVPR 2020]\n"
        "Authors: [Ann](https://a.example/ann), [Bob](https://a.example/bob)\n"
        "plain `code` text\n"
    )
    assert token["line"] == 3
    assert text_lines(token["children"], token["line"]) == [
        TextLine(
            line=3,
            text="Paper Title [CVPR 2020]",
            links=(Link("Paper Title", "https://p.example/1", 3),),
        ),
        TextLine(
            line=4,
            text="Authors: Ann, Bob",
            links=(
                Link("Ann", "https://a.example/ann", 4),
                Link("Bob", "https://a.example/bob", 4),
            ),
        ),
        TextLine(line=5, text="plain code text", links=()),
    ]


def test_text_lines_link_label_across_a_soft_line_break() -> None:
    token = paragraph(
        "before [a long\nlabel](https://x.example/2) after\n[c](https://x.example/3)\n"
    )
    lines = text_lines(token["children"], 10)
    # The text line and its link start on line 10, although the label runs on to line 11.
    assert [(tl.line, tl.text) for tl in lines] == [
        (10, "before a long label after"),
        (12, "c"),
    ]
    assert lines[0].links == (Link("a long label", "https://x.example/2", 10),)
    assert lines[1].links == (Link("c", "https://x.example/3", 12),)


def test_text_lines_hard_break_and_nested_emphasis() -> None:
    token = paragraph("**bold [x](https://x.example/a)**  \n_second_ line\n")
    lines = text_lines(token["children"], 1)
    assert [(tl.line, tl.text) for tl in lines] == [(1, "bold x"), (2, "second line")]
    assert lines[0].links == (Link("x", "https://x.example/a", 1),)


def test_inline_text_turns_breaks_into_newlines() -> None:
    token = paragraph("one *two*\nthree `four`\n")
    assert inline_text(token["children"]) == "one two\nthree four"


def test_cell_of_escaped_pipe_between_links() -> None:
    text = (
        "| Weights |\n| :-: |\n"
        "| [model](https://f.example/m.pth) \\| [MD5](https://f.example/m.md5) |\n"
    )
    table = only_table(Document.parse(text))
    row = table["children"][1]
    cell = cell_of(row["children"][0], row["line"])
    assert cell == Cell(
        raw=r"[model](https://f.example/m.pth) \| [MD5](https://f.example/m.md5)",
        text="model | MD5",
        links=(
            Link("model", "https://f.example/m.pth", 3),
            Link("MD5", "https://f.example/m.md5", 3),
        ),
    )


def test_cell_of_plain_and_empty_cells() -> None:
    table = only_table(Document.parse("| a | b | c |\n| - | - | - |\n|  | 512 \\* 1024 | ✓ |\n"))
    row = table["children"][1]
    cells = [cell_of(cell, row["line"]) for cell in row["children"]]
    assert cells == [
        Cell(raw="", text=""),
        Cell(raw=r"512 \* 1024", text="512 * 1024"),
        Cell(raw="✓", text="✓"),
    ]


# --- anchors ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "anchor"),
    [
        ("Usage", "usage"),
        ("Faster R-CNN", "faster-r-cnn"),
        ("Deeplabv3+", "deeplabv3"),
        ("  Top-down Methods  ", "top-down-methods"),
        ("PVTv2 (CVMJ 2022)", "pvtv2-cvmj-2022"),
        ("ID Sw.-val", "id-sw-val"),
        ("snake_case name", "snake_case-name"),
        ("Model Inference and Evaluation", "model-inference-and-evaluation"),
        ("Über Café", "über-café"),
    ],
)
def test_github_anchor(heading: str, anchor: str) -> None:
    assert github_anchor(heading) == anchor


def test_text_lines_fold_spaces_in_link_labels_like_the_link() -> None:
    token = paragraph("[Two  spaced   words](https://x.example/w) [CVPR 2020]\n")
    (line,) = text_lines(token["children"], 1)
    assert line.text == "Two spaced words [CVPR 2020]"
    assert line.links == (Link("Two spaced words", "https://x.example/w", 1),)
    assert line.text.startswith(line.links[0].label)
