"""Every config, weights and scores link of the zoo, to spot rows that reuse another's files."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

from bot.config import Config
from bot.model import Readme, TableRow
from bot.rules.layout import Layout, layout_of, row_label
from bot.urls import github_blob, is_relative, repo_path

_KINDS = ("config", "weights", "scores")


@dataclass(frozen=True)
class Place:
    """Where a link stands: README path, row line and a short description of the row."""

    path: str
    line: int
    where: str


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
                    for _kind, _column, _label, key in row_keys(layout, row, readme.path, config):
                        index[key].append(Place(readme.path, row.line, where))
    return index


def row_keys(
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
