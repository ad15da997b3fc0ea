"""What every rule reads: the entry under review, its scope, the zoo and the fetched files."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from bot.config import Config, TaskSpec
from bot.configs import ConfigSet
from bot.model import ChecklistItem, MethodSection, Readme, Submission, TableRow
from bot.net.types import FetchResult
from bot.rules.config_chain import Chains
from bot.rules.layout import Layout, layout_of
from bot.rules.zoo_links import Place, link_index
from bot.scores.validate import ScoresOutcome
from bot.textnorm import fold

# Method sections by (group, folded name): to find a section's namesakes without a scan.
SectionNames = Mapping[tuple[str | None, str], list[MethodSection]]


@dataclass(frozen=True)
class EntryScope:
    """A method section under review: new, or only some of its lines changed."""

    section: MethodSection
    task: TaskSpec
    new: bool
    # Lines the PR added to the section; None means every line is reviewed (--all).
    changed: frozenset[int] | None
    rows: tuple[TableRow, ...]

    @cached_property
    def _row_lines(self) -> frozenset[int]:
        return frozenset(row.line for row in self.rows)

    def reviews(self, row: TableRow) -> bool:
        """Whether `row` (a row of this section) is under review: a set lookup by its line."""
        return row.line in self._row_lines

    def reviewed_rows(self) -> Iterator[tuple[Layout, TableRow]]:
        """Each row under review, with the layout of its table."""
        for table in self.section.tables:
            layout = layout_of(self.task, table)
            for row in table.rows:
                if self.reviews(row):
                    yield layout, row

    def covers(self, line: int | None) -> bool:
        """Whether a finding at `line` is about something this PR wrote."""
        if self.new or self.changed is None:
            return True
        return line is not None and line in self.changed


@dataclass(frozen=True)
class Context:
    """Everything rules may read. Rules never fetch, print or write: they return findings."""

    config: Config
    submission: Submission
    # Every task README of the zoo at head, parsed (when first read), keyed by path.
    readmes: Mapping[str, Readme]
    today: date
    # The PR description's task-list items; None when no description was given.
    checklist: tuple[ChecklistItem, ...] | None = None
    # What was fetched, by URL as written in the README; absent when not fetched (offline).
    # Whole files (scores, MD5 files, small preds JSON):
    fetched: Mapping[str, FetchResult] = field(default_factory=dict)
    # Existence checks (pages, weights, other files):
    probed: Mapping[str, FetchResult] = field(default_factory=dict)
    # Zip central directories:
    archives: Mapping[str, FetchResult] = field(default_factory=dict)
    # MD5 digests of downloaded weights (--verify-checksums):
    checksums: Mapping[str, FetchResult] = field(default_factory=dict)
    # Scores files read and checked against their schema as they arrived, by (URL as written,
    # schema name); the scores rule reads a file itself when it is not here.
    scores: Mapping[tuple[str, str | None], ScoresOutcome] = field(default_factory=dict)
    offline: bool = False
    # The configs that reviewed rows link and their `_base_` chains, as read at head; None when
    # the source cannot read files (their contents are then not checked).
    configs: ConfigSet | None = None
    # `zoo_links` when the engine built it already (while the requests were in flight), of the
    # READMEs that may link a file a reviewed row links: complete for the reviewed rows' links.
    zoo_index: Mapping[str, list[Place]] | None = field(default=None, repr=False, compare=False)
    _section_names: dict[str, SectionNames] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @cached_property
    def zoo_links(self) -> Mapping[str, list[Place]]:
        """Every config, weights and scores link of the zoo at head (or at least every place of
        each reviewed row's links: `zoo_index`), built once per review."""
        if self.zoo_index is not None:
            return self.zoo_index
        return link_index(self.readmes, self.config)

    @cached_property
    def config_chains(self) -> Chains | None:
        """The `_base_` chains of the configs read, walked once per review."""
        if self.configs is None:
            return None
        submission = self.submission
        return Chains(self.configs, submission.head_paths, submission.head_paths_complete)

    def section_names(self, path: str) -> SectionNames:
        """The method sections of the README at `path` by group and folded name, built once
        per review."""
        names = self._section_names.get(path)
        if names is None:
            by_name: defaultdict[tuple[str | None, str], list[MethodSection]] = defaultdict(list)
            readme = self.readmes.get(path)
            for section in readme.sections if readme is not None else ():
                by_name[(section.group, fold(section.name))].append(section)
            names = self._section_names[path] = by_name
        return names
