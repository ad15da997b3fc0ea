"""Checks the results table against the task template and catches leftover template text."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal

from bot.config import ColumnSpec, TaskSpec
from bot.model import Finding, Fix, MethodSection, TableRow
from bot.quote import q
from bot.rules.context import Context, EntryScope
from bot.rules.fixes import cell_fix, cell_spans, line_fix, source_line
from bot.rules.layout import Layout, layout_of
from bot.rules.scores import agrees, decimals_of, file_value
from bot.textnorm import fold

RULE = "template"


def check(entry: EntryScope, ctx: Context) -> list[Finding]:
    section = entry.section
    findings = _placeholders(section, ctx.config.placeholders, ctx.submission.head_texts)
    for table in section.tables:
        layout = layout_of(entry.task, table)
        findings += _header(section, entry.task, layout, ctx.submission.head_texts)
        for row in table.rows:
            if entry.reviews(row):
                findings += _row(ctx, section, layout, row)
    return findings


def expected_header(task: TaskSpec) -> str:
    return "| " + " | ".join(column.name for column in task.columns) + " |"


def _error(
    section: MethodSection, line: int | None, message: str, hint: str | None, fix: Fix | None = None
) -> Finding:
    return Finding("error", RULE, section.path, line, message, hint, fix=fix)


def _header(
    section: MethodSection, task: TaskSpec, layout: Layout, texts: Mapping[str, str]
) -> list[Finding]:
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
    for index in layout.misspelled:
        column = layout.columns[index]
        assert column is not None
        written = table.header[index]
        findings.append(
            _error(
                section,
                table.line,
                f"Column {q(written)} is not a column of the {task.title} template: did you "
                f"mean '{column.name}'?",
                template,
                cell_fix(texts, section.path, table.line, index, column.name),
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
                _insert_blank_line(texts, section.path, table.run_on_line),
            )
        )
    return findings


def _insert_blank_line(texts: Mapping[str, str], path: str, line: int) -> Fix | None:
    old = source_line(texts, path, line)
    return None if old is None else line_fix(texts, path, line, f"\n{old}")


def _row(ctx: Context, section: MethodSection, layout: Layout, row: TableRow) -> list[Finding]:
    table = layout.table
    findings: list[Finding] = []
    if len(row.cells) != len(table.header):
        findings.append(
            _error(
                section,
                row.line,
                f"This row has {len(row.cells)} cells but the header has {len(table.header)}.",
                _count_hint(layout, row),
                _join_split_cell(ctx.submission.head_texts, section.path, layout, row),
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
            findings += _metric_format(ctx, section, layout, row, column)
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


def _join_split_cell(
    texts: Mapping[str, str], path: str, layout: Layout, row: TableRow
) -> Fix | None:
    """With one cell too many, the links of one column split by an unescaped pipe
    (`[model](…) | [MD5](…)`): the line with that pipe escaped."""
    if len(row.cells) != len(layout.table.header) + 1:
        return None
    for index, column in enumerate(layout.columns):
        if column is None or len(column.links) < 2 or index + 1 >= len(row.cells):
            continue
        labels = {spec.label.casefold() for spec in column.links}
        first = [link.label.casefold() in labels for link in row.cells[index].links]
        second = [link.label.casefold() in labels for link in row.cells[index + 1].links]
        if first and second and all(first) and all(second):
            old = source_line(texts, path, row.line)
            spans = cell_spans(old) if old is not None else []
            if old is None or len(spans) != len(row.cells):
                return None
            new = old[: spans[index][1]] + " \\| " + old[spans[index + 1][0] :]
            return line_fix(texts, path, row.line, new)
    return None


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
    ctx: Context, section: MethodSection, layout: Layout, row: TableRow, column: ColumnSpec
) -> list[Finding]:
    """A metric cell's form: a number with the task's decimals. With the row's scores file at
    hand, the one finding also says what the file holds, and the fix takes the file's number."""
    assert column.metric is not None
    decimals = column.metric.decimals
    example = f"{12.3456:.{decimals}f}"
    cell = layout.cell(row, column)
    text = cell.text if cell is not None else ""
    shown = decimals_of(text)
    if shown is None:
        return [
            _error(
                section,
                row.line,
                f"'{column.name}' is {q(text)}, not a number.",
                f"Write the number only, with {_plural(decimals, 'decimal')} (e.g. {example}), "
                "in percent.",
            )
        ]
    if shown == decimals:
        return []
    found = file_value(ctx, layout, row, column, ctx.config.task(section.task))
    index = layout.columns.index(column)
    texts = ctx.submission.head_texts
    message = (
        f"'{column.name}' is {q(text)}, with {_plural(shown, 'decimal')}; this task's tables "
        f"show {_shown(decimals)}."
    )
    hint = f"Round the scores file's value to {_plural(decimals, 'decimal')} (e.g. {example})."
    new: str | None = None
    if found is not None:
        new = found.rounded(decimals)
        value = float(text)
        if 0 <= value <= 1 and agrees(f"{value * 100:.{max(shown - 2, 0)}f}", found.value):
            message = (
                f"'{column.name}' is {q(text)}, a fraction; this task's tables show percent: "
                f"did you mean {new} (percent)? The scores-{found.split} file says "
                f"{found.says(decimals)}."
            )
            hint = "Write the number in percent with the task's decimals, as the file has it."
        elif agrees(text, found.value):
            message += f" The scores-{found.split} file says {found.says(decimals)}."
            hint = f"Write {new}."
        else:
            message = (
                f"'{column.name}' is {q(text)}, with {_plural(shown, 'decimal')} where this "
                f"task's tables show {_shown(decimals)}, and the scores-{found.split} file says "
                f"{found.says(decimals)}."
            )
            hint = (
                f"Write {new} if the linked file is this model's; otherwise link the scores file "
                "of this very model."
            )
    elif shown > decimals:
        new = _round(text, decimals)
        if 0 <= float(text) <= 1:
            hint = (
                "It looks like a fraction: the tables show percent (e.g. 31.27, not 0.3127), "
                f"with {_plural(decimals, 'decimal')}."
            )
            new = None
    fix = None if new is None else cell_fix(texts, section.path, row.line, index, new)
    return [_error(section, row.line, message, hint, fix)]


def _round(text: str, decimals: int) -> str:
    """`31.2750` to 2 decimals is `31.28`: half away from zero, as people round."""
    quantum = Decimal(1).scaleb(-decimals)
    return str(Decimal(text).quantize(quantum, rounding=ROUND_HALF_UP))


def _shown(decimals: int) -> str:
    return "whole numbers" if decimals == 0 else _plural(decimals, "decimal")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _placeholders(
    section: MethodSection, placeholders: tuple[str, ...], texts: Mapping[str, str]
) -> list[Finding]:
    folded = {fold(text) for text in placeholders}
    findings: list[Finding] = []

    def leftover(line: int, what: str, text: str, hint: str, fix: Fix | None = None) -> None:
        findings.append(
            _error(
                section, line, f"{what} is still the template's placeholder {q(text)}.", hint, fix
            )
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
            alone = source_line(texts, section.path, text_line.line)
            leftover(
                text_line.line,
                "This line",
                text_line.text,
                "Replace it with your own notes, or delete it.",
                # The line holds nothing else: deleting it is the fix.
                line_fix(texts, section.path, text_line.line, "")
                if alone is not None and fold(alone) == fold(text_line.text)
                else None,
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
