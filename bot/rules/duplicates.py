"""Finds rows that reuse another row's config, weights or scores link, and repeated sections."""

from __future__ import annotations

from collections import Counter

from bot.model import Finding
from bot.quote import q
from bot.rules.context import Context, EntryScope, SectionNames
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
            if not entry.reviews(row):
                continue
            keys = list(row_keys(layout, row, section.path, ctx.config))
            own = Counter(key for *_, key in keys)
            for kind, column, label, key in keys:
                places = index.get(key, ())
                # The row's own places are few: the first other one is near the front.
                here = (section.path, row.line)
                place = next((p for p in places if (p.path, p.line) != here), None)
                if place is None:
                    continue
                others = len(places) - own[key]
                more = f" (and {others - 1} more)" if others > 1 else ""
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
        findings += _same_name(entry, ctx.section_names(section.path))
    return findings


def _same_name(entry: EntryScope, names: SectionNames) -> list[Finding]:
    section = entry.section
    for other in names.get((section.group, fold(section.name)), ()):
        if other.line != section.line:
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
