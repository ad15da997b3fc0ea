"""Lists what a review must fetch: each link of the sections and rows under review, and how."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.config import ColumnSpec, Config, LinkSpec, TaskSpec
from bot.configs import MAX_CONFIG_BYTES
from bot.model import Link
from bot.net.remap import Remap, remap_url
from bot.net.types import Purpose, Request
from bot.rules.context import EntryScope
from bot.rules.layout import layout_of, match_link
from bot.urls import extension, github_blob, github_raw, is_web

MD5_FILE_BYTES = 4096


@dataclass(frozen=True, slots=True)
class PlannedLink:
    """A link as written (`url`, `column`, where it stands) and the request that checks it."""

    request: Request
    url: str
    column: str
    path: str
    line: int
    # A scores link, and the schema its file is checked against (None: the task has none).
    scores: bool = False
    schema: str | None = None


@dataclass(frozen=True)
class PlanOptions:
    remaps: tuple[Remap, ...] = ()
    # False: only the scores files; True: every artifact, page and archive too.
    artifacts: bool = True
    verify_checksums: bool = False


@dataclass
class _Planner:
    config: Config
    options: PlanOptions
    planned: list[PlannedLink] = field(default_factory=list)

    def add(
        self,
        purpose: Purpose,
        link: Link,
        column: str,
        path: str,
        *,
        max_bytes: int = 0,
        binary: bool = False,
        target: str | None = None,
        scores: bool = False,
        schema: str | None = None,
    ) -> None:
        """Plan a request for `link` (to `target` instead of the link's URL, when given);
        `scores`: the link is a scores file, to be checked against that schema."""
        url = link.url.strip()
        if not is_web(url):
            return
        wanted = remap_url(self.options.remaps, target or url)
        request = Request(purpose, wanted, max_bytes, binary)
        self.planned.append(PlannedLink(request, url, column, path, link.line, scores, schema))

    def section_links(self, scope: EntryScope) -> None:
        section = scope.section
        paper = section.paper
        pages: list[tuple[str, Link]] = []
        if paper is not None:
            pages.append(("Paper", Link(label=paper.title, url=paper.url, line=paper.line)))
        pages += [("Code", link) for link in section.code]
        pages += [("Usage Instructions", link) for link in section.usage]
        for column, link in pages:
            if scope.covers(link.line):
                self.add("probe", link, column, section.path)

    def cell_link(
        self, task: TaskSpec, column: ColumnSpec, spec: LinkSpec, link: Link, path: str
    ) -> None:
        network = self.config.network
        name = column.name
        if spec.kind == "scores":
            self.add(
                "body",
                link,
                name,
                path,
                max_bytes=network.max_scores_bytes,
                binary=True,
                scores=True,
                schema=spec.schema or task.scores_schema,
            )
        elif not self.options.artifacts:
            return
        elif spec.kind == "md5":
            self.add("body", link, name, path, max_bytes=MD5_FILE_BYTES, binary=True)
        elif spec.kind == "weights":
            self.add("probe", link, name, path, binary=True)
            if self.options.verify_checksums:
                self.add("checksum", link, name, path, max_bytes=network.checksum_max_bytes)
        elif spec.kind == "config":
            # A config in another GitHub repository: its raw text (never GitHub's API), read by
            # the config rule. Links into the zoo itself are read from the reviewed commit.
            blob = github_blob(link.url)
            repository = (self.config.repository or "").casefold()
            raw = github_raw(link.url)
            if blob is not None and blob[0].casefold() != repository and raw is not None:
                self.add(
                    "body", link, name, path, max_bytes=MAX_CONFIG_BYTES, binary=True, target=raw
                )
        elif extension(link.url) == "zip":
            self.add("archive", link, name, path)
        elif extension(link.url) == "json":
            # Read when small enough (else reported as not inspected) to see that it is JSON.
            self.add("body", link, name, path, max_bytes=network.max_preds_bytes, binary=True)
        else:
            self.add("probe", link, name, path, binary=True)


def plan_links(
    scopes: Sequence[EntryScope], config: Config, options: PlanOptions
) -> list[PlannedLink]:
    """Every request the review needs, in README order."""
    planner = _Planner(config, options)
    for scope in scopes:
        if options.artifacts:
            planner.section_links(scope)
        for table in scope.section.tables:
            layout = layout_of(scope.task, table)
            for row in table.rows:
                if not scope.reviews(row) or not layout.aligned(row):
                    continue
                for column in layout.columns:
                    cell = None if column is None else layout.cell(row, column)
                    if column is None or cell is None:
                        continue
                    for link in cell.links:
                        spec = match_link(column, link)
                        if spec is not None:
                            planner.cell_link(scope.task, column, spec, link, scope.section.path)
    return planner.planned
