"""Tells maintainers which method sections and result rows a PR removes from the zoo."""

from __future__ import annotations

from bot.model import Finding, Readme, TableRow
from bot.quote import q
from bot.rules.context import Context
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
                    f"The PR deletes {path} with its {len(base.sections)} method sections.",
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
                        f"The PR removes the section {q(old.name)} ({len(old.rows)} rows).",
                        None,
                    )
                )
                continue
            removed = len(old.rows) - len(new.rows)
            if removed <= 0:
                continue
            kept = {_row_key(row) for row in new.rows}
            gone = [
                row.cells[0].text or "?"
                for row in old.rows
                if row.cells and _row_key(row) not in kept
            ]
            # Edited rows also differ from the base; name the rows only when that is unambiguous.
            names = f": {q(', '.join(gone))}" if len(gone) == removed else ""
            findings.append(
                Finding(
                    "notice",
                    RULE,
                    path,
                    new.line,
                    f"The PR removes {removed} row(s) of {q(old.name)}{names}.",
                    None,
                )
            )
    return findings


def _row_key(row: TableRow) -> str:
    """A row is identified by its links (scores, weights...) or, without links, its text."""
    urls = [link.url.strip() for cell in row.cells for link in cell.links if link.url.strip()]
    return "|".join(urls) if urls else "|".join(cell.raw for cell in row.cells)
