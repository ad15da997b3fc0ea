"""Finds rows that reuse another row's config, weights or scores link, and repeated sections."""

from __future__ import annotations

from bot.model import Finding, Readme
from bot.quote import q
from bot.rules.context import Context, EntryScope
from bot.rules.layout import layout_of
from bot.rules.zoo_links import row_keys
from bot.textnorm import fold

RULE = "duplicates"


def check(entry: EntryScope, ctx: Context) -> list[Finding]:
    index = ctx.zoo_links
    findings: list[Finding] = []
    section = entry.section
    for table in section.tables:
        layout = layout_of(entry.task, table)
        for row in table.rows:
            if row not in entry.rows:
                continue
            for kind, column, label, key in row_keys(layout, row, section.path, ctx.config):
                others = [
                    place
                    for place in index.get(key, ())
                    if (place.path, place.line) != (section.path, row.line)
                ]
                if not others:
                    continue
                place = others[0]
                more = f" (and {len(others) - 1} more)" if len(others) > 1 else ""
                findings.append(
                    Finding(
                        "error",
                        RULE,
                        section.path,
                        row.line,
                        f"The [{label}] link of '{column}' is also used by {place.path}:"
                        f"{place.line} ({q(place.where)}){more}.",
                        f"Each row must link its own {kind} file; check that you pasted this "
                        "row's URL.",
                    )
                )
    if entry.new:
        findings += _same_name(entry, ctx.readmes.get(section.path))
    return findings


def _same_name(entry: EntryScope, readme: Readme | None) -> list[Finding]:
    if readme is None:
        return []
    section = entry.section
    for other in readme.sections:
        if (
            other.line != section.line
            and other.group == section.group
            and fold(other.name) == fold(section.name)
        ):
            return [
                Finding(
                    "warning",
                    RULE,
                    section.path,
                    section.line,
                    f"A section {q(other.name)} already exists at line {other.line}.",
                    "Add your rows to that section if it is the same method; otherwise name "
                    "this section after your method.",
                )
            ]
    return []
