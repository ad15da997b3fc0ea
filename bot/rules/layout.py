"""Maps a results table's header onto the task's column specs, so rules can find their cells."""

from __future__ import annotations

from dataclasses import dataclass

from bot.config import ColumnSpec, LinkSpec, TaskSpec
from bot.model import Cell, Link, ResultTable, TableRow


@dataclass(frozen=True)
class Layout:
    """For each header cell, the column spec it names (None: a descriptive extra column)."""

    table: ResultTable
    columns: tuple[ColumnSpec | None, ...]

    def cell(self, row: TableRow, column: ColumnSpec) -> Cell | None:
        for index, spec in enumerate(self.columns):
            if spec is column and index < len(row.cells):
                return row.cells[index]
        return None

    def aligned(self, row: TableRow) -> bool:
        """Whether the row has one cell per header column, so its cells can be trusted."""
        return len(row.cells) == len(self.table.header)

    def present(self, column: ColumnSpec) -> bool:
        return any(spec is column for spec in self.columns)

    def links(self, row: TableRow, kind: str) -> list[tuple[ColumnSpec, LinkSpec, Link]]:
        """Links of `kind` in the row, matched to their spec by label (case does not matter).

        A row whose cell count is wrong has none: its cells may sit under the wrong column.
        """
        found: list[tuple[ColumnSpec, LinkSpec, Link]] = []
        if not self.aligned(row):
            return found
        for column in self.columns:
            if column is None or not column.links:
                continue
            cell = self.cell(row, column)
            if cell is None:
                continue
            for link in cell.links:
                spec = match_link(column, link)
                if spec is not None and spec.kind == kind:
                    found.append((column, spec, link))
        return found


def layout_of(task: TaskSpec, table: ResultTable) -> Layout:
    return Layout(table=table, columns=tuple(task.column(name) for name in table.header))


def match_link(column: ColumnSpec, link: Link) -> LinkSpec | None:
    label = link.label.casefold()
    for spec in column.links:
        if spec.label.casefold() == label:
            return spec
    return None


def row_label(layout: Layout, row: TableRow) -> str:
    """A short name for a row in messages: its first cell, e.g. `R-50-FPN`."""
    first = row.cells[0].text if row.cells else ""
    return first or f"row at line {row.line}"
