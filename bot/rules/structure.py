"""Checks that a section's Markdown has the template's structure: a `### Name` heading, a closed
`<details>`, a table of this task. A structural mistake is named once; what follows from it is not
reported again (the engine drops findings on a misplaced table's lines)."""

from __future__ import annotations

from collections.abc import Mapping

from bot.config import Config, TaskSpec
from bot.model import Finding, Fix, MethodSection, ResultTable
from bot.quote import q
from bot.rules.context import Context, EntryScope
from bot.rules.fixes import line_fix, source_line
from bot.rules.layout import layout_of
from bot.rules.template import expected_header

RULE = "structure"


def check(entry: EntryScope, ctx: Context) -> list[Finding]:
    section = entry.section
    findings: list[Finding] = []
    texts = ctx.submission.head_texts
    if section.level != 3:
        heading = "#" * section.level
        findings.append(
            Finding(
                "error",
                RULE,
                section.path,
                section.line,
                f"The heading {q(f'{heading} {section.name}')} has {section.level} `#`: a "
                "method section's heading has three, so the zoo does not list this one as a "
                "method.",
                f"Write `### {section.name}`; `##` headings group sections (e.g. `## Usage`).",
                fix=_heading_fix(ctx, section),
            )
        )
    abstract = section.abstract
    if abstract is not None and not abstract.closed:
        last = _abstract_end(texts, section.path, abstract.line)
        old = source_line(texts, section.path, last)
        findings.append(
            Finding(
                "error",
                RULE,
                section.path,
                last,
                f"The `<details>` of the abstract (line {abstract.line}) is never closed: "
                "GitHub folds everything below it, the results table and the links included, "
                "into the abstract.",
                "Add `</details>` on its own line after the abstract.",
                fix=None
                if old is None
                else line_fix(texts, section.path, last, f"{old}\n</details>"),
            )
        )
    for table in section.tables:
        other = other_task(ctx.config, entry.task, table)
        if other is not None:
            findings.append(
                Finding(
                    "error",
                    RULE,
                    section.path,
                    table.line,
                    f"This table has the columns of the {other.title} template, not of "
                    f"{entry.task.title}: the section belongs in {other.readme}.",
                    f"Move the section to {other.readme}, or give the table the {entry.task.title} "
                    f"columns: `{expected_header(entry.task)}`.",
                )
            )
    return findings


def blocked_lines(entry: EntryScope, ctx: Context) -> frozenset[int]:
    """Lines whose other findings follow from a structural mistake: a table of another task."""
    lines: set[int] = set()
    for table in entry.section.tables:
        if other_task(ctx.config, entry.task, table) is not None:
            lines.update((table.line, table.line + 1, *(row.line for row in table.rows)))
    return frozenset(lines)


def other_task(config: Config, task: TaskSpec, table: ResultTable) -> TaskSpec | None:
    """The task whose template the table's header has in full, when it lacks columns of its
    own task's template (the largest such template)."""
    if _complete(task, table):
        return None
    found = [other for other in config.tasks if other is not task and _complete(other, table)]
    return max(found, key=lambda other: len(other.columns), default=None)


def _complete(task: TaskSpec, table: ResultTable) -> bool:
    layout = layout_of(task, table)
    return all(layout.present(column) for column in task.columns)


def _heading_fix(ctx: Context, section: MethodSection) -> Fix | None:
    old = source_line(ctx.submission.head_texts, section.path, section.line)
    if old is None or not old.lstrip().startswith("#"):
        return None
    body = old.lstrip().lstrip("#")
    return line_fix(ctx.submission.head_texts, section.path, section.line, "###" + body)


def _abstract_end(texts: Mapping[str, str], path: str, start: int) -> int:
    """The last line of the abstract's first block: where `</details>` goes."""
    line = start
    while (text := source_line(texts, path, line + 1)) is not None and text.strip():
        line += 1
    return line
