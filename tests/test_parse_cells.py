"""Cells of plain text and plain links are read without mistune, exactly as mistune reads them,
and most cells in one pass, exactly as the general walk of their tokens reads them."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.model import Cell
from bot.parse import markdown
from bot.parse.markdown import Document, Token, cell_of, inline_text, walked_cell

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "reference"


def table_cells(text: str) -> list[tuple[str, Cell]]:
    """(header text, Cell) of every cell of every table of `text`, in order."""
    cells: list[tuple[str, Cell]] = []
    for token in Document.parse(text).tokens:
        if token["type"] != "zoo_table":
            continue
        head, *rows = token["children"]
        for kind, line, line_cells in [("head", 0, head["children"])] + [
            ("row", row["line"], row["children"]) for row in rows
        ]:
            for cell in line_cells:
                made = cell_of(cell, line)
                if "children" in cell:  # mistune's tokens: most read in one pass, as walked
                    assert made == walked_cell(cell["children"], cell["raw"], line)
                    assert made.text == " ".join(inline_text(cell["children"]).split())
                cells.append((kind, made))
    return cells


def by_mistune(text: str) -> list[tuple[str, Cell]]:
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr(markdown, "_plain_parts", lambda cell: None)
        return table_cells(text)


def document(cell: str, references: bool) -> str:
    table = f"| {cell} | x |\n| - | - |\n| {cell} | y |\n"
    # Reference definitions change how mistune reads brackets: with and without them.
    return table + ("\n[model]: https://example.org/ref\n[a]: /b\n" if references else "")


PIECES = st.sampled_from(
    ["[", "]", "(", ")", "[model]", "(https://x.org/a_b.pth)", "[MD5]", "(u)", "()", "[]",
     " ", "  ", "\\|", "\\", "\\[", "\\]", "|", "a", "é", "_", "*", "~", "~~", "`", "!", "<",
     ">", "&", "&amp;", "&#41;", "%", "%20", "%zz", "'", '"', "#", "?", "=", ":", "/", ",",
     ";", "+", "$", "@", "-", ".", "\t", "\u00a0", "http://y.org/", " \"t\"", "<u>",
     "[model](https://dl.example.org/det/a_b-1.0.pth)", "[scores](./x/y.json)",
     "[a b](c d)", "[x](y \"t\")", "[x](<y>)", "[x](y(z))", "[x][model]", "[model][]"]
)  # fmt: skip


LABEL_PIECES = st.sampled_from(
    ["model", "MD5", " ", "_", "*", "`", "[", "]", "\\", "&amp;", "é", "!", "<b>", "~~",
     "\\|", "\\]", "(", ")", "a_b", "\u00a0"]
)  # fmt: skip
URL_PIECES = st.sampled_from(
    ["https://x.org/", "./configs/", "a_b-1.0", ".pth", "&amp;", "&", "&#41;", "'", '"',
     "%20", "%zz", "%", " ", "(", ")", "\\", "\\)", "\\_", "<", ">", "é", "~", "*", "#",
     "?", "=", "[", "]", "\u00a0", "\t", "|", "!", "$", "+", ",", ";", "@", ":", "^", "{",
     "`"]
)  # fmt: skip
LINKS = st.builds(
    "[{}]({})".format,
    st.lists(LABEL_PIECES, max_size=4).map("".join),
    st.lists(URL_PIECES, max_size=6).map("".join),
)


@settings(max_examples=2000, deadline=None)
@given(
    cell=st.lists(st.one_of(PIECES, LINKS), min_size=1, max_size=8).map("".join),
    references=st.booleans(),
)
def test_same_cells_as_mistune(cell: str, references: bool) -> None:
    text = document(cell, references)
    assert table_cells(text) == by_mistune(text)


ODD = [chr(code) for code in range(32, 127)] + ["\t", "\u00a0", "é", "\u2028", "\x00"]
ODD += ["&amp;", "&#41;", "&#x5F;", "&copy", "\\|", "~~", "**", "__", "<b>", "<http://x.org>"]


@pytest.mark.parametrize("char", ODD)
def test_every_character_in_a_label_a_destination_and_text(char: str) -> None:
    for cell in (
        f"[x](https://x.org/a{char}b.pth)",
        f"[a{char}b](u) \\| [MD5](v)",
        f"a{char}b [x](u)",
        f"[x](u){char}",
        f"{char}[x](u)",
    ):
        text = document(cell, references=char == "]")
        assert table_cells(text) == by_mistune(text), cell


def test_results_row_cells_are_made_without_mistune(monkeypatch: pytest.MonkeyPatch) -> None:
    """The cells of a results row take the fast path (the test above would pass without it)."""
    calls: list[str] = []
    real = markdown._MARKDOWN.inline.__call__

    def counting(self: object, s: str, env: object) -> list[Token]:
        calls.append(s)
        return real(s, env)  # type: ignore[arg-type]

    monkeypatch.setattr(type(markdown._MARKDOWN.inline), "__call__", counting)
    row = (
        "| R-50 | 31.04 | [scores](https://dl.example.org/det/scores-val/a_b.json) | "
        "[config](./configs/det/a_b.py) | "
        "[model](https://dl.example.org/a_b.pth) \\| [MD5](https://dl.example.org/a_b.md5) |"
    )
    text = "| Backbone | AP | Scores | Config | Weights |\n| - | - | - | - | - |\n" + row + "\n"
    cells = [cell for kind, cell in table_cells(text) if kind == "row"]
    assert calls == []
    assert [cell.text for cell in cells] == ["R-50", "31.04", "scores", "config", "model | MD5"]
    assert [link.url for link in cells[4].links] == [
        "https://dl.example.org/a_b.pth",
        "https://dl.example.org/a_b.md5",
    ]
    assert [link.label for link in cells[4].links] == ["model", "MD5"]
    # A cell with other markup is mistune's.
    table_cells(text.replace("[config]", "[*config*]"))
    assert calls == ["[*config*](./configs/det/a_b.py)"]


@pytest.mark.skipif(not REFERENCE.is_dir(), reason="../shared/reference is not here")
def test_real_readmes_same_cells_as_mistune() -> None:
    readmes = sorted((REFERENCE / "bdd100k-models").glob("*/README.md"))
    assert readmes
    fast = 0
    for path in readmes:
        text = path.read_text(encoding="utf-8")
        assert table_cells(text) == by_mistune(text), path
        fast += sum(
            1
            for line in text.splitlines()
            if line.startswith("|")
            for cell in markdown.split_cells(line)
            if markdown._plain_parts(cell) is not None
        )
    assert fast > 1000
