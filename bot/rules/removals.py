"""Tells maintainers which method sections and result rows a PR removes from the zoo."""

from __future__ import annotations

from collections import Counter

from bot.config import Config
from bot.model import Finding, MethodSection, Readme
from bot.quote import q
from bot.rules.context import Context
from bot.rules.layout import layout_of
from bot.textnorm import fold

RULE = "removals"


def check(ctx: Context, base_readmes: dict[str, Readme]) -> list[Finding]:
    findings: list[Finding] = []
    for path, base in base_readmes.items():
        head = ctx.readmes.get(path)
        if head is None:
            findings.append(
                Finding(
                    "notice",
                    RULE,
                    path,
                    None,
                    f"The PR deletes {path} with its "
                    f"{_count(len(base.sections), 'method section')}.",
                    None,
                )
            )
            continue
        head_sections = {(section.group, fold(section.name)): section for section in head.sections}
        for old in base.sections:
            new = head_sections.get((old.group, fold(old.name)))
            if new is None:
                findings.append(
                    Finding(
                        "notice",
                        RULE,
                        path,
                        None,
                        f"The PR removes the section {q(old.name)} "
                        f"({_count(len(old.rows), 'row')}).",
                        None,
                    )
                )
                continue
            gone = _row_names(old, ctx.config) - _row_names(new, ctx.config)
            if gone:
                names = ", ".join(sorted(gone.elements()))
                findings.append(
                    Finding(
                        "notice",
                        RULE,
                        path,
                        new.line,
                        f"The PR removes {_count(gone.total(), 'row')} of {q(old.name)}: "
                        f"{q(names)}.",
                        None,
                    )
                )
    return findings


def _row_names(section: MethodSection, config: Config) -> Counter[str]:
    """Rows named by their descriptive cells (`R-50-FPN 3x ✓`): edits to numbers or links keep
    the name, so an edited row is not a removed one."""
    task = config.task(section.task)
    names: Counter[str] = Counter()
    for table in section.tables:
        columns = layout_of(task, table).columns if task else (None,) * len(table.header)
        for row in table.rows:
            cells = [
                cell.text
                for cell, column in zip(row.cells, columns, strict=False)
                if column is None or column.descriptive
            ]
            names[" ".join(text for text in cells if text) or f"line {row.line}"] += 1
    return names


def _count(number: int, word: str) -> str:
    return f"{number} {word}{'' if number == 1 else 's'}"
