"""Finds rows that reuse another row's config, weights or scores link, and repeated sections."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from bot.config import Config
from bot.model import Finding, Readme, TableRow
from bot.quote import q
from bot.rules.context import Context, EntryScope
from bot.rules.layout import Layout, layout_of, row_label
from bot.textnorm import fold
from bot.urls import github_blob, is_relative, repo_path

RULE = "duplicates"
_KINDS = ("config", "weights", "scores")


@dataclass(frozen=True)
class Place:
    """Where a link stands: README path, row line and a short description of the row."""

    path: str
    line: int
    where: str


def check(entry: EntryScope, ctx: Context) -> list[Finding]:
    index = link_index(ctx.readmes, ctx.config)
    findings: list[Finding] = []
    section = entry.section
    for table in section.tables:
        layout = layout_of(entry.task, table)
        for row in table.rows:
            if row not in entry.rows:
                continue
            for kind, column, label, key in _row_keys(layout, row, section.path, ctx.config):
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


def link_index(readmes: Mapping[str, Readme], config: Config) -> dict[str, list[Place]]:
    """Every config, weights and scores link of the zoo, keyed by its normalised target."""
    index: dict[str, list[Place]] = defaultdict(list)
    for readme in readmes.values():
        task = config.task(readme.task)
        if task is None:
            continue
        for section in readme.sections:
            for table in section.tables:
                layout = layout_of(task, table)
                for row in table.rows:
                    where = f"{section.name}, {row_label(layout, row)}"
                    for _kind, _column, _label, key in _row_keys(layout, row, readme.path, config):
                        index[key].append(Place(readme.path, row.line, where))
    return index


def _row_keys(
    layout: Layout, row: TableRow, readme: str, config: Config
) -> Iterable[tuple[str, str, str, str]]:
    """(kind, column, label, key) for each config, weights and scores link of the row."""
    for kind in _KINDS:
        for column, spec, link in layout.links(row, kind):
            key = _normalise(link.url, readme, config)
            if key:
                yield kind, column.name, spec.label, f"{kind}:{key}"


def _normalise(url: str, readme: str, config: Config) -> str | None:
    url = url.strip()
    if not url:
        return None
    if is_relative(url):
        return repo_path(readme, url)
    blob = github_blob(url)
    if (
        blob is not None
        and config.repository
        and blob[0].casefold() == config.repository.casefold()
    ):
        return blob[1]
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, ""))


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
