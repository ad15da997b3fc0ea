"""Checks the results table against the task template and catches leftover template text."""

from __future__ import annotations

import re

from bot.config import ColumnSpec, TaskSpec
from bot.model import Finding, MethodSection, TableRow
from bot.quote import q
from bot.rules.context import Context, EntryScope
from bot.rules.layout import Layout, layout_of
from bot.textnorm import fold

RULE = "template"
_NUMBER = re.compile(r"^-?\d+(?:\.(?P<decimals>\d+))?$")


def check(entry: EntryScope, ctx: Context) -> list[Finding]:
    section = entry.section
    findings = _placeholders(section, ctx.config.placeholders)
    for table in section.tables:
        layout = layout_of(entry.task, table)
        findings += _header(section, entry.task, layout)
        for row in table.rows:
            if row in entry.rows:
                findings += _row(section, layout, row)
    return findings


def expected_header(task: TaskSpec) -> str:
    return "| " + " | ".join(column.name for column in task.columns) + " |"


def _error(section: MethodSection, line: int | None, message: str, hint: str | None) -> Finding:
    return Finding("error", RULE, section.path, line, message, hint)


def _header(section: MethodSection, task: TaskSpec, layout: Layout) -> list[Finding]:
    table = layout.table
    findings: list[Finding] = []
    template = f"The {task.title} template's header is `{expected_header(task)}`."
    missing = [column.name for column in task.columns if not layout.present(column)]
    if missing:
        findings.append(
            _error(
                section,
                table.line,
                f"The results table lacks the column{'s' if len(missing) > 1 else ''} "
                + ", ".join(f"'{name}'" for name in missing)
                + f" of the {task.title} template.",
                template + " Extra descriptive columns (e.g. Tricks, FP16) may go before the "
                "first metric column.",
            )
        )
    seen: list[ColumnSpec] = []
    first_result: int | None = None
    for index, (name, column) in enumerate(zip(table.header, layout.columns, strict=True)):
        if column is None:
            if first_result is not None:
                findings.append(
                    _error(
                        section,
                        table.line,
                        f"Column {q(name)} is not part of the {task.title} template and stands "
                        "among the result columns.",
                        "Descriptive columns go before the first metric column. " + template,
                    )
                )
            continue
        if not column.descriptive and first_result is None:
            first_result = index
        if column in seen:
            findings.append(
                _error(section, table.line, f"Column {q(name)} appears twice.", template)
            )
        elif seen and task.columns.index(column) < task.columns.index(seen[-1]):
            findings.append(
                _error(
                    section,
                    table.line,
                    f"Column {q(name)} is out of order: it must come before '{seen[-1].name}'.",
                    template,
                )
            )
        seen.append(column)
    if table.delimiter_cells != len(table.header):
        findings.append(
            _error(
                section,
                table.line + 1,
                f"The delimiter row has {table.delimiter_cells} cells but the header has "
                f"{len(table.header)}: GitHub does not render this as a table.",
                "Give the `| :-: | :-: |` line one cell per header column.",
            )
        )
    if table.run_on_line is not None:
        findings.append(
            _error(
                section,
                table.run_on_line,
                "This line follows the table without a blank line, so GitHub renders it as "
                "one more table row.",
                "Add an empty line between the table and this line.",
            )
        )
    return findings


def _row(section: MethodSection, layout: Layout, row: TableRow) -> list[Finding]:
    table = layout.table
    findings: list[Finding] = []
    if len(row.cells) != len(table.header):
        findings.append(
            _error(
                section,
                row.line,
                f"This row has {len(row.cells)} cells but the header has {len(table.header)}.",
                _count_hint(layout, row),
            )
        )
        return findings  # its cells sit under the wrong columns: fix the count first
    for index, column in enumerate(layout.columns):
        if column is None or column.descriptive or index >= len(row.cells):
            continue
        cell = row.cells[index]
        if not cell.raw:
            what = "a number" if column.metric else "its link"
            findings.append(
                _error(
                    section,
                    row.line,
                    f"'{column.name}' is empty.",
                    f"Fill in {what}; every metric and link column of the template is required.",
                )
            )
        elif column.metric is not None:
            findings += _metric_format(section, row, column, cell.text)
    for cell in row.cells:
        for link in cell.links:
            if not link.url.strip():
                findings.append(
                    _error(
                        section,
                        row.line,
                        f"The link {q(f'[{link.label}]()')} has no target: the template "
                        "placeholder is still there.",
                        "Put the URL of your file between the parentheses.",
                    )
                )
    return findings


def _count_hint(layout: Layout, row: TableRow) -> str:
    """Explain the usual cause: an unescaped pipe between the model and MD5 links."""
    for index, cell in enumerate(row.cells[:-1]):
        labels = {link.label.casefold() for link in cell.links}
        following = {link.label.casefold() for link in row.cells[index + 1].links}
        if "model" in labels and "md5" in following:
            return (
                "The model and MD5 links are split into two cells: escape the pipe between "
                "them, `[model](…) \\| [MD5](…)`."
            )
    if len(row.cells) > len(layout.table.header):
        return "An unescaped `|` inside a cell splits it in two; write `\\|` inside cells."
    return "Give every header column a cell; leave a descriptive cell empty as `|  |`."


def _metric_format(
    section: MethodSection, row: TableRow, column: ColumnSpec, text: str
) -> list[Finding]:
    assert column.metric is not None
    decimals = column.metric.decimals
    match = _NUMBER.match(text)
    example = f"{12.3456:.{decimals}f}"
    if match is None:
        return [
            _error(
                section,
                row.line,
                f"'{column.name}' is {q(text)}, not a number.",
                f"Write the number only, with {decimals} decimals (e.g. {example}), in percent.",
            )
        ]
    shown = len(match.group("decimals") or "")
    if shown != decimals:
        return [
            _error(
                section,
                row.line,
                f"'{column.name}' is {q(text)}, with {shown} decimals; this task's tables show "
                f"{decimals}.",
                f"Round the scores file's value to {decimals} decimals (e.g. {example}).",
            )
        ]
    return []


def _placeholders(section: MethodSection, placeholders: tuple[str, ...]) -> list[Finding]:
    folded = {fold(text) for text in placeholders}
    findings: list[Finding] = []

    def leftover(line: int | None, what: str, text: str, hint: str) -> None:
        findings.append(
            _error(section, line, f"{what} is still the template's placeholder {q(text)}.", hint)
        )

    if fold(section.name) in folded:
        leftover(section.line, "The section heading", section.name, "Use your method's name.")
    paper = section.paper
    if paper is not None:
        if fold(paper.title) in folded:
            leftover(paper.line, "The paper title", paper.title, "Write your paper's title.")
        if paper.venue is not None and fold(paper.venue) in folded:
            leftover(
                paper.line, "The venue", paper.venue, "Write the venue and year, e.g. [CVPR 2023]."
            )
    authors = section.authors
    if authors is not None:
        names = authors.text.partition(":")[2]
        if fold(names) in folded:
            leftover(authors.line, "The author list", names.strip(), "List the paper's authors.")
    abstract = section.abstract
    if abstract is not None and fold(abstract.text) in folded:
        leftover(abstract.line, "The abstract", abstract.text, "Paste your paper's abstract.")
    for text_line in section.lines:
        if text_line is not authors and fold(text_line.text) in folded and not text_line.links:
            leftover(
                text_line.line,
                "This line",
                text_line.text,
                "Replace it with your own notes, or delete it.",
            )
        for link in text_line.links:
            if not link.url.strip() and fold(link.label) not in folded:
                findings.append(
                    _error(
                        section,
                        text_line.line,
                        f"The link {q(f'[{link.label}]()')} has no target: the template "
                        "placeholder is still there.",
                        "Put the URL between the parentheses.",
                    )
                )
    return findings
