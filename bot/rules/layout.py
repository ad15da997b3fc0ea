"""Maps a results table's header onto the task's column specs, so rules can find their cells."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches
from functools import cached_property

from bot.config import ColumnSpec, HeaderRead, LinkSpec, TaskSpec, normalize_header
from bot.model import Cell, Link, ResultTable, TableRow

# A link of a row with the column it stands in and the link spec its label names.
MatchedLink = tuple[ColumnSpec, LinkSpec, Link]

# How alike (difflib's ratio) a name must be to a known one to be called its misspelling.
CLOSE = 0.8


@dataclass(frozen=True)
class Layout:
    """For each header cell, the column spec it names (None: a descriptive extra column)."""

    table: ResultTable
    columns: tuple[ColumnSpec | None, ...]
    # Header cells read as the template column they misspell (`Box AP-vla`): their indexes.
    misspelled: tuple[int, ...] = ()
    # The links of each row asked for, by kind (`links`), by the row's id (the row is kept
    # with them, so that no other row takes its id).
    _matched: dict[int, tuple[TableRow, dict[str, list[MatchedLink]]]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def cell(self, row: TableRow, column: ColumnSpec) -> Cell | None:
        index = self._first_index.get(id(column))
        if index is not None and index < len(row.cells):
            return row.cells[index]
        return None

    @cached_property
    def _first_index(self) -> dict[int, int]:
        """Where each column spec first stands in the header (the cell `cell` returns)."""
        first: dict[int, int] = {}
        for index, spec in enumerate(self.columns):
            if spec is not None:
                first.setdefault(id(spec), index)
        return first

    def aligned(self, row: TableRow) -> bool:
        """Whether the row has one cell per header column, so its cells can be trusted."""
        return len(row.cells) == len(self.table.header)

    def present(self, column: ColumnSpec) -> bool:
        return any(spec is column for spec in self.columns)

    def links(self, row: TableRow, kind: str) -> list[MatchedLink]:
        """Links of `kind` in the row, matched to their spec by label (case does not matter).

        A row whose cell count is wrong has none: its cells may sit under the wrong column.
        The row's links are matched once, for every kind, and kept: rules ask for several kinds
        of the same row.
        """
        kept = self._matched.get(id(row))
        if kept is None or kept[0] is not row:
            kept = self._matched[id(row)] = (row, self._match(row))
        return list(kept[1].get(kind, ()))

    def _match(self, row: TableRow) -> dict[str, list[MatchedLink]]:
        found: dict[str, list[MatchedLink]] = {}
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
                if spec is not None:
                    found.setdefault(spec.kind, []).append((column, spec, link))
        return found


def layout_of(task: TaskSpec, table: ResultTable) -> Layout:
    """The header read against the task's columns; a header cell that misspells a column the
    table lacks (`Box AP-vla`) is read as that column, so its cells are still checked."""
    read = task.header_reads.get(table.header)
    if read is None:
        read = task.header_reads[table.header] = _read_header(task, table.header)
    return Layout(table=table, columns=read[0], misspelled=read[1])


def _read_header(task: TaskSpec, header: tuple[str, ...]) -> HeaderRead:
    columns = [task.column(name) for name in header]
    misspelled: list[int] = []
    missing = [column for column in task.columns if column not in columns]
    for index, name in enumerate(header):
        if columns[index] is not None or not missing:
            continue
        guess = closest_column(name, missing)
        if guess is not None:
            columns[index] = guess
            missing.remove(guess)
            misspelled.append(index)
    return tuple(columns), tuple(misspelled)


def closest_column(name: str, candidates: Sequence[ColumnSpec]) -> ColumnSpec | None:
    """The column whose name (or alias) `name` most likely misspells, if any is close."""
    spellings = {
        normalize_header(spelling): column
        for column in candidates
        for spelling in (column.name, *column.aliases)
    }
    close = get_close_matches(normalize_header(name), list(spellings), n=1, cutoff=CLOSE)
    return spellings[close[0]] if close else None


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
