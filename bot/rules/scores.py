"""Checks the linked scores files: the task's format, and the table's numbers against them."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence

from bot.config import ColumnSpec, LinkSpec, TaskSpec
from bot.model import Finding, Link, MethodSection, Severity, TableRow
from bot.rules.context import Context, EntryScope
from bot.rules.fetched import describe_failure
from bot.rules.layout import Layout, layout_of
from bot.scores.load import ScoresError, parse_json
from bot.scores.validate import check_scores, lookup
from bot.quote import q

RULE = "scores"
# Problems that mean the file is a known wrong format rather than an unfamiliar one.
_WRONG_FORMAT = ("double_encoded", "obsolete_format")


def check(entry: EntryScope, ctx: Context) -> list[Finding]:
    if ctx.offline:
        return []  # the engine says once that nothing was fetched
    findings: list[Finding] = []
    unverified: dict[str, list[int]] = defaultdict(list)
    notes: dict[str, str] = {}
    for table in entry.section.tables:
        layout = layout_of(entry.task, table)
        for row in table.rows:
            if row in entry.rows:
                findings += _row(entry.section, entry.task, layout, row, ctx, unverified, notes)
    for column_name, lines in unverified.items():
        rows = "this row" if len(lines) == 1 else f"{len(lines)} rows"
        findings.append(
            Finding(
                "notice",
                RULE,
                entry.section.path,
                lines[0],
                f"'{column_name}' of {rows} is not checked against a scores file.",
                notes[column_name],
            )
        )
    return findings


def key_text(key: Sequence[str | int]) -> str:
    """`["AP", -1, "OVERALL"]` as `AP[-1].OVERALL`."""
    text = ""
    for part in key:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _row(
    section: MethodSection,
    task: TaskSpec,
    layout: Layout,
    row: TableRow,
    ctx: Context,
    unverified: dict[str, list[int]],
    notes: dict[str, str],
) -> list[Finding]:
    findings: list[Finding] = []
    documents: dict[tuple[str, str], object | None] = {}
    for column, spec, link in layout.links(row, "scores"):
        result = ctx.fetched.get(link.url.strip())
        if result is None:
            continue
        what = f"The [{spec.label}] link of '{column.name}'"
        failure = describe_failure(result, what)
        if failure is not None:
            findings.append(
                Finding(failure.severity, RULE, section.path, row.line, failure.message, failure.hint)
            )
            documents[(spec.split or "", spec.label.casefold())] = None
            continue
        document, problems = _document(section, task, row, ctx, column, spec, link, result.body)
        findings += problems
        documents[(spec.split or "", spec.label.casefold())] = document

    for column in layout.columns:
        if column is None or column.metric is None:
            continue
        metric = column.metric
        key = (metric.split, metric.scores_label.casefold())
        if key not in documents:
            if metric.unverified:
                unverified[column.name].append(row.line)
                notes[column.name] = metric.unverified
            continue
        document = documents[key]
        cell = layout.cell(row, column)
        if document is None or cell is None:
            continue
        findings += _compare(section, row, column, cell.text, document)
    return findings


def _document(
    section: MethodSection,
    task: TaskSpec,
    row: TableRow,
    ctx: Context,
    column: ColumnSpec,
    spec: LinkSpec,
    link: Link,
    body: bytes | None,
) -> tuple[object | None, list[Finding]]:
    """The parsed file when its numbers can be read, and the findings about its format."""
    schema = spec.schema or task.scores_schema
    file_name = f"'{column.name}' file"
    if spec.label.casefold() != "scores":
        file_name = f"[{spec.label}] file of '{column.name}'"
    try:
        document = parse_json(body or b"")
    except ScoresError as exc:
        problem = exc.problem
        return None, [
            Finding("error", RULE, section.path, row.line,
                    f"The {file_name} is not usable: {q(problem.message)}", problem.hint)
        ]
    if schema is None:
        return document, []
    problems = check_scores(document, schema)
    if not problems:
        return document, []
    wrong_format = [problem for problem in problems if problem.kind in _WRONG_FORMAT]
    if wrong_format:
        problem = wrong_format[0]
        return None, [
            Finding("error", RULE, section.path, row.line,
                    f"The {file_name} is in the wrong format: {q(problem.message)}", problem.hint)
        ]
    details = "; ".join(
        f"{q(problem.json_path)}: {q(problem.message)}" if problem.json_path else q(problem.message)
        for problem in problems[:3]
    )
    more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
    severity: Severity = "error"
    message = f"The {file_name} does not match the {schema} scores format: {details}{more}."
    hint = (
        "Link the file written by `python -m bdd100k.eval.run … --out-file`, unchanged."
    )
    if spec.split == "test":
        severity = ctx.config.test_format_severity
        message = f"The format of the {file_name} is not recognised: {details}{more}."
        hint = (
            "Test-set files come from the evaluation server, whose format is not published: "
            "a maintainer will check this one by hand."
        )
    return document, [Finding(severity, RULE, section.path, row.line, message, hint)]


def _compare(
    section: MethodSection, row: TableRow, column: ColumnSpec, shown_text: str, document: object
) -> list[Finding]:
    metric = column.metric
    assert metric is not None
    try:
        shown = float(shown_text)
    except ValueError:
        return []  # the template rule reports cells that are not numbers
    actual = lookup(document, metric.key)
    where = key_text(metric.key)
    if actual is None:
        return [
            Finding(
                "error",
                RULE,
                section.path,
                row.line,
                f"The scores-{metric.split} file has no number at {where} for '{column.name}'.",
                "Link the file the evaluator wrote for this model, unchanged.",
            )
        ]
    tolerance = 0.5 * 10 ** (-metric.decimals) + 1e-9
    if math.isfinite(actual) and abs(shown - actual) <= tolerance:
        return []
    rounded = f"{actual:.{metric.decimals}f}" if math.isfinite(actual) else str(actual)
    hint = f"Copy {where} from the scores-{metric.split} file rounded to {metric.decimals} decimals"
    if math.isfinite(actual) and abs(shown - actual * 100) <= tolerance:
        hint = "The file's value looks like a fraction (0-1) while the table is in percent"
    return [
        Finding(
            "error",
            RULE,
            section.path,
            row.line,
            f"'{column.name}' shows {q(shown_text)} but the scores-{metric.split} file says "
            f"{rounded} ({where} = {actual:.6g}).",
            hint + ", or link the scores file of this very model.",
        )
    ]
