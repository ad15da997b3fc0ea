"""Tests for bot.rules.layout: a row's links by kind, matched once for every kind asked."""

from __future__ import annotations

import pytest

from bot.model import ResultTable, TableRow
from bot.parse.sections import parse_readme
from bot.rules import layout as layout_module
from bot.rules.layout import Layout, layout_of, match_link
from tests.ruleinput import det_readme, make_row, method_section, task_readme, task_spec

KINDS = ("weights", "md5", "scores", "config", "preds", "visuals", "other")


def _table(text: str) -> ResultTable:
    readme = parse_readme(text, "det", "det/README.md")
    return readme.sections[0].tables[0]


def _by_hand(layout: Layout, row: TableRow, kind: str) -> list[tuple[object, object, object]]:
    """The links of `kind`, column by column of the header, as the rules expect them."""
    found: list[tuple[object, object, object]] = []
    if not layout.aligned(row):
        return found
    for column in layout.columns:
        if column is None or not column.links:
            continue
        cell = layout.cell(row, column)
        for link in cell.links if cell is not None else ():
            spec = match_link(column, link)
            if spec is not None and spec.kind == kind:
                found.append((column, spec, link))
    return found


def _two_rows() -> str:
    other = make_row("det", slug="other", overrides={"Weights": "[weights](https://x.org/a.pth)"})
    return task_readme("det", method_section(task="det", rows=[make_row("det"), other]))


@pytest.mark.parametrize("text", [det_readme(), _two_rows()], ids=["clean", "relabelled"])
def test_links_of_each_kind_as_matched_column_by_column(text: str) -> None:
    table = _table(text)
    layout = layout_of(task_spec("det"), table)
    for row in table.rows:
        for kind in KINDS:
            assert layout.links(row, kind) == _by_hand(layout, row, kind)
            # Asked again (the kept match): the same.
            assert layout.links(row, kind) == _by_hand(layout, row, kind)


def test_a_row_is_matched_once_whatever_the_kinds_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    table = _table(det_readme())
    layout = layout_of(task_spec("det"), table)
    row = table.rows[0]
    calls: list[str] = []

    def counted(column: object, link: object) -> object:
        calls.append("match")
        return match_link(column, link)  # type: ignore[arg-type]

    monkeypatch.setattr(layout_module, "match_link", counted)
    links_in_row = sum(len(cell.links) for cell in row.cells)
    for kind in KINDS:
        layout.links(row, kind)
    assert 0 < len(calls) <= links_in_row


def test_a_caller_changing_its_list_changes_nothing_kept() -> None:
    table = _table(det_readme())
    layout = layout_of(task_spec("det"), table)
    row = table.rows[0]
    first = layout.links(row, "weights")
    assert first
    first.clear()
    assert layout.links(row, "weights") == _by_hand(layout, row, "weights")


def test_a_misaligned_row_has_no_links() -> None:
    table = _table(det_readme())
    layout = layout_of(task_spec("det"), table)
    row = table.rows[0]
    short = TableRow(row.line, row.cells[:-1])
    assert all(layout.links(short, kind) == [] for kind in KINDS)
    assert layout.links(row, "weights")
