"""Checks the linked scores files: the task's format, and the table's numbers against them."""

from __future__ import annotations

import functools
import math
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from bot.config import ColumnSpec, LinkSpec, TaskSpec
from bot.model import Finding, Fix, MethodSection, Severity, TableRow
from bot.net.types import FetchResult
from bot.quote import q
from bot.rules.context import Context, EntryScope
from bot.rules.fetched import Unchecked, describe_failure
from bot.rules.fixes import cell_fix
from bot.rules.layout import Layout, layout_of
from bot.scores.load import ScoresError, parse_json
from bot.scores.validate import lookup, read_scores

RULE = "scores"
Numbers = Callable[[Sequence[str | int]], float | int | None]
"""A scores file's number at a key (see bot/scores/validate.py `lookup`)."""
# Problems that mean the file is a known wrong format rather than an unfamiliar one.
_WRONG_FORMAT = ("double_encoded", "obsolete_format")


def check(entry: EntryScope, ctx: Context) -> list[Finding]:
    if ctx.offline:
        return []  # the engine says once that nothing was fetched
    findings: list[Finding] = []
    unverified: dict[str, list[int]] = defaultdict(list)
    notes: dict[str, str] = {}
    unchecked = Unchecked(RULE, entry.section.path)
    for table in entry.section.tables:
        layout = layout_of(entry.task, table)
        for row in table.rows:
            if entry.reviews(row) and layout.aligned(row):
                checked = _RowCheck(entry.section, entry.task, layout, row, ctx)
                findings += checked.run()
                for column_name, note in checked.unverified.items():
                    unverified[column_name].append(row.line)
                    notes[column_name] = note
                for result in checked.unchecked:
                    unchecked.add(result, row.line)
    findings += unchecked.findings("scores file")
    for column_name, lines in unverified.items():
        rows = "this row" if len(lines) == 1 else f"{len(lines)} rows"
        findings.append(
            Finding(
                "notice",
                RULE,
                entry.section.path,
                lines[0],
                f"'{column_name}' cannot be checked against a scores file in {rows}.",
                notes[column_name],
            )
        )
    return findings


def _non_finite(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"


def wrong_format_message(file_name: str, problem: str) -> str:
    """`The 'Scores-test' file is double-encoded output of …`: the problem said of this file."""
    if problem.startswith("The scores file "):
        return f"The {file_name} {problem.removeprefix('The scores file ')}"
    return f"The {file_name} is in the wrong format: {problem[:1].lower()}{problem[1:]}"


def key_text(key: Sequence[str | int]) -> str:
    """`["AP", -1, "OVERALL"]` as `AP[-1].OVERALL`."""
    text = ""
    for part in key:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


@dataclass
class _RowCheck:
    """One result row: its scores files, read and validated, then its numbers compared."""

    section: MethodSection
    task: TaskSpec
    layout: Layout
    row: TableRow
    ctx: Context
    # Metric columns that have no scores file to check against, with the config's note.
    unverified: dict[str, str] = field(default_factory=dict)
    # Scores files that could not be fetched this time (timeouts, 5xx, no network).
    unchecked: list[FetchResult] = field(default_factory=list)

    def finding(self, severity: Severity, message: str, hint: str | None) -> Finding:
        return Finding(severity, RULE, self.section.path, self.row.line, message, hint)

    def run(self) -> list[Finding]:
        findings: list[Finding] = []
        numbers: dict[tuple[str, str], Numbers | None] = {}
        test_files: set[tuple[str, str]] = set()
        # Files whose format problems are reported: a missing headline is among them, and a
        # NaN one for a val file (a test file's NaN headline is the comparison's error).
        format_reported: set[tuple[str, str]] = set()
        for column, spec, link in self.layout.links(self.row, "scores"):
            result = self.ctx.fetched.get(link.url.strip())
            if result is None:
                continue
            key = (spec.split or "", spec.label.casefold())
            if result.verdict == "inconclusive":
                # Transient: said once per section and cause, not once per link.
                self.unchecked.append(result)
                numbers[key] = None
                continue
            failure = describe_failure(result, f"The [{spec.label}] link of '{column.name}'")
            if failure is not None:
                findings.append(self.finding(failure.severity, failure.message, failure.hint))
                numbers[key] = None
                continue
            read, problems = self.numbers(column, spec, link.url.strip(), result.body or b"")
            findings += problems
            numbers[key] = read
            if problems:
                format_reported.add(key)
            if spec.split == "test":
                test_files.add(key)

        for metric_column in self.layout.columns:
            if metric_column is None or metric_column.metric is None:
                continue
            metric = metric_column.metric
            key = (metric.split, metric.scores_label.casefold())
            if key not in numbers:
                if metric.unverified:
                    self.unverified[metric_column.name] = metric.unverified
                continue
            read = numbers[key]
            cell = self.layout.cell(self.row, metric_column)
            if read is not None and cell is not None:
                # A test file's NaN headline is not among its format problems: compared here.
                reported = key in format_reported and key not in test_files
                findings += self.compare(
                    metric_column, cell.text, read(metric.key), key in format_reported, reported
                )
        return findings

    def numbers(
        self, column: ColumnSpec, spec: LinkSpec, url: str, body: bytes
    ) -> tuple[Numbers | None, list[Finding]]:
        """The file's numbers by key when they can be read, and the findings about its
        format."""
        schema = spec.schema or self.task.scores_schema
        file_name = f"'{column.name}' file"
        if spec.label.casefold() != "scores":
            file_name = f"[{spec.label}] file of '{column.name}'"
        # Read as the file arrived (the engine, while the other links were fetched), or now.
        outcome = self.ctx.scores.get((url, schema)) or read_scores(body, schema)
        read = functools.partial(outcome.number, body=body) if outcome.readable() else None
        if outcome.error is not None:
            message = f"The {file_name} is not usable: {outcome.error.message}"
            return None, [self.finding("error", message, outcome.error.hint)]
        problems = outcome.problems
        if schema is None or not problems:
            return read, []
        wrong_format = [problem for problem in problems if problem.kind in _WRONG_FORMAT]
        if wrong_format:
            problem = wrong_format[0]
            message = wrong_format_message(file_name, problem.message)
            return None, [self.finding("error", message, problem.hint)]
        if spec.split == "test":
            # A NaN or infinite headline is said by the comparison with the table, as an error.
            problems = [problem for problem in problems if problem.kind != "non_finite"]
            if not problems:
                return read, []
        details = "; ".join(
            f"{q(p.json_path)}: {p.message}" if p.json_path else p.message for p in problems[:3]
        )
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        if spec.split == "test":
            return read, [
                self.finding(
                    self.ctx.config.test_format_severity,
                    f"The format of the {file_name} is not recognised: {details}{more}.",
                    "Test-set files come from the evaluation server, whose format is not "
                    "published: a maintainer will check this one by hand.",
                )
            ]
        return read, [
            self.finding(
                "error",
                f"The {file_name} does not match the {schema} scores format: {details}{more}.",
                "Link the file written by `python -m bdd100k.eval.run … --out-file`, unchanged.",
            )
        ]

    def compare(
        self,
        column: ColumnSpec,
        shown_text: str,
        actual: float | int | None,
        format_reported: bool,
        non_finite_reported: bool,
    ) -> list[Finding]:
        fix: Callable[[], Fix | None] | None = None
        metric = column.metric
        if metric is not None and actual is not None and math.isfinite(actual):
            new = f"{actual:.{metric.decimals}f}"
            index = self.layout.columns.index(column)

            def cell() -> Fix | None:  # made only for a finding: most numbers agree
                texts = self.ctx.submission.head_texts
                return cell_fix(texts, self.section.path, self.row.line, index, new)

            fix = cell
        return _compare(
            self.section,
            self.row,
            column,
            shown_text,
            actual,
            format_reported=format_reported,
            non_finite_reported=non_finite_reported,
            fix=fix,
        )


_NUMBER = re.compile(r"^-?\d+(?:\.(?P<decimals>\d+))?$")


def decimals_of(text: str) -> int | None:
    """How many decimals a number is written with (None: not a plain number)."""
    match = _NUMBER.match(text.strip())
    return None if match is None else len(match.group("decimals") or "")


def agrees(shown_text: str, actual: float) -> bool:
    """Whether `shown_text` is `actual` rounded: within half a unit of its last decimal (the
    tolerance docs/rules.md documents)."""
    decimals = decimals_of(shown_text)
    if decimals is None or not math.isfinite(actual):
        return False
    tolerance: float = 0.5 * 10.0 ** (-decimals) + 1e-9
    return abs(float(shown_text) - actual) <= tolerance


@dataclass(frozen=True)
class FileValue:
    """A metric's number in its scores file: the value and where it is (`AP[-1].OVERALL`)."""

    value: float
    where: str
    split: str

    def rounded(self, decimals: int) -> str:
        return f"{self.value:.{decimals}f}"

    def says(self, decimals: int) -> str:
        """`31.27 (AP[-1].OVERALL = 31.2731)`, as messages quote the file."""
        rounded = self.rounded(decimals)
        exact = f"{self.value:.6g}"
        return (
            f"{rounded} ({self.where} = {exact})"
            if exact != rounded
            else f"{rounded} ({self.where})"
        )


def file_value(
    ctx: Context, layout: Layout, row: TableRow, column: ColumnSpec, task: TaskSpec | None
) -> FileValue | None:
    """The number the row's scores file holds for a metric column, when it was fetched and
    can be read (its format is the scores rule's business): as read on arrival, or from the
    file's body."""
    metric = column.metric
    if metric is None:
        return None
    for _column, spec, link in layout.links(row, "scores"):
        if (spec.split or "", spec.label.casefold()) != (
            metric.split,
            metric.scores_label.casefold(),
        ):
            continue
        url = link.url.strip()
        result = ctx.fetched.get(url)
        if result is None or result.verdict != "ok":
            return None
        schema = spec.schema or (task.scores_schema if task is not None else None)
        outcome = ctx.scores.get((url, schema))
        if outcome is not None:
            actual = outcome.number(metric.key, result.body or b"")
        else:
            document = _document(result.body or b"")
            actual = None if document is None else lookup(document, metric.key)
        if actual is None or not math.isfinite(actual):
            return None
        return FileValue(actual, key_text(metric.key), metric.split)
    return None


@lru_cache(maxsize=32)
def _document(body: bytes) -> object | None:
    try:
        return parse_json(body)
    except ScoresError:
        return None


def _compare(
    section: MethodSection,
    row: TableRow,
    column: ColumnSpec,
    shown_text: str,
    actual: float | int | None,
    *,
    format_reported: bool = False,
    non_finite_reported: bool = False,
    fix: Callable[[], Fix | None] | None = None,
) -> list[Finding]:
    """The finding when the table's number is not the file's; `format_reported`: the file's
    format problems are reported (a missing headline among them), `non_finite_reported`: a NaN
    or infinite headline among them too; `fix` makes the cell's fix."""
    metric = column.metric
    assert metric is not None
    shown_decimals = decimals_of(shown_text)
    if shown_decimals is None or shown_decimals != metric.decimals:
        # The template rule reports cells that are not numbers, and wrong decimals together
        # with the file's value: one finding per cell.
        return []
    shown = float(shown_text)
    where = key_text(metric.key)
    if format_reported and actual is None:
        return []  # the format finding already says so (for a test file, at its severity)
    if actual is not None and not math.isfinite(actual):
        if non_finite_reported:
            return []
        return [
            Finding(
                "error",
                RULE,
                section.path,
                row.line,
                f"'{column.name}' shows {q(shown_text)} but the scores-{metric.split} file's "
                f"{where} is {_non_finite(actual)}: the file cannot back this number.",
                "Link the file the evaluation server wrote for this model; a headline that is "
                "NaN or infinite means it found nothing to score.",
            )
        ]
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
    if math.isfinite(actual) and agrees(shown_text, actual):
        return []
    rounded = f"{actual:.{metric.decimals}f}" if math.isfinite(actual) else str(actual)
    exact = f"{actual:.6g}"
    value = f"{where} = {exact}" if exact != rounded else where
    hint = (
        f"Copy {where} from the scores-{metric.split} file rounded to {metric.decimals} "
        "decimals, or link the scores file of this very model."
    )
    if math.isfinite(actual) and abs(shown - actual * 100) <= 0.5 * 10 ** (-metric.decimals):
        hint = (
            "The file holds a fraction (0-1) where the evaluator writes percent: link the file "
            "of a current `bdd100k.eval.run`, which writes percent like the table."
        )
        fix = None  # the file is wrong, not the table
    message = (
        f"'{column.name}' shows {q(shown_text)} but the scores-{metric.split} file says "
        f"{rounded} ({value})."
    )
    if (
        math.isfinite(actual)
        and 0 <= shown <= 1
        and agrees(f"{shown * 100:.{max(metric.decimals - 2, 0)}f}", actual)
    ):
        message = (
            f"'{column.name}' shows {q(shown_text)}, a fraction; this task's tables show "
            f"percent: did you mean {rounded} (percent)? The scores-{metric.split} file says "
            f"{rounded} ({value})."
        )
        hint = "Write the number in percent, as the scores file and the rest of the table do."
    return [
        Finding(
            "error",
            RULE,
            section.path,
            row.line,
            message,
            hint,
            fix=fix() if fix is not None and math.isfinite(actual) else None,
        )
    ]
