"""Every config, weights and scores link of the zoo, to spot rows that reuse another's files."""

from __future__ import annotations

import html
import posixpath
import re
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

from bot.config import Config
from bot.model import Readme, TableRow
from bot.rules.layout import Layout, layout_of, row_label
from bot.urls import github_blob, is_relative, repo_path

_KINDS = ("config", "weights", "scores")

MAX_NEEDLES = 256
"""Above this many file names, `may_link` is not asked: every README is indexed (the test
costs a search of the text per name)."""

# A CommonMark backslash escape: a backslash before ASCII punctuation.
_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


@dataclass(frozen=True, slots=True)
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
            target = _target(link.url, readme, config)
            if target is not None:
                yield kind, column.name, spec.label, f"{kind}:{target[0]}"


def row_names(layout: Layout, row: TableRow, readme: str, config: Config) -> Iterator[str | None]:
    """The names of the files the row's config, weights and scores links point to (see
    `_target`; None for a link whose target has no name)."""
    for kind in _KINDS:
        for _column, _spec, link in layout.links(row, kind):
            target = _target(link.url, readme, config)
            if target is not None:
                yield target[1]


def may_link(text: str, path: str, names: Collection[str]) -> bool:
    """Whether the README at `path` may link a file named one of `names` (see `_target`).

    False only when no name is in its text, nor in its text decoded as a labelled link's
    destination is (mistune's backslash escapes and entities, then `_target`'s
    percent-encodings), nor in its folder (a relative link `.` names it). Autolinks keep their
    backslashes, but they have no label: they are no config, weights or scores links."""
    if any(name in text for name in names):
        return True
    if any(name in posixpath.dirname(path).split("/") for name in names):
        return True
    if not any(mark in text for mark in ("\\", "&", "%")):
        return False
    decoded = unquote(html.unescape(_ESCAPED.sub(r"\1", text)))
    return any(name in decoded for name in names)


def _target(url: str, readme: str, config: Config) -> tuple[str, str | None] | None:
    """The link's key (its target, normalised) and the name of the file it points to (the last
    segment of the target's path, percent-decoded; None when it has none); None when there is
    no target."""
    url = url.strip()
    if not url:
        return None
    if is_relative(url):
        path = repo_path(readme, url)
        return None if path is None else (path, _name(path))
    blob = github_blob(url)
    if (
        blob is not None
        and config.repository
        and blob[0].casefold() == config.repository.casefold()
    ):
        return blob[1], _name(blob[1])
    parts = urlsplit(url)
    key = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path, parts.query, ""))
    return key, _name(unquote(parts.path))


def _name(path: str) -> str | None:
    return posixpath.basename(path.rstrip("/")) or None
