"""The plain data types every stage shares: submission, parsed entries, findings, review."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal, Protocol

Severity = Literal["error", "warning", "notice"]
# pass: every check that decides the verdict ran and found no error; fail: an error;
# incomplete: no error, but a deciding check could not run (a scores or weights link that
# stayed unreachable, the time budget, no network, a list GitHub truncated).
Verdict = Literal["pass", "fail", "incomplete"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "notice")
FileStatus = Literal["added", "modified", "removed", "renamed"]

# What the PR description is called in findings when it did not come from a file.
PR_DESCRIPTION = "PR description"


# --- source: what a pull request is -------------------------------------------------------


@dataclass(frozen=True)
class ChangedFile:
    """One file the PR touches; `added_lines` are 1-based line numbers in the head version."""

    path: str
    status: FileStatus
    added_lines: frozenset[int] = frozenset()
    previous_path: str | None = None


class FileReader(Protocol):
    """Reads files of the reviewed tree beyond the task READMEs (configs and their bases)."""

    def read(self, paths: Sequence[str], limit: int) -> Mapping[str, bytes]:
        """Each path's bytes, at most `limit` + 1 of them (so a larger file shows as larger);
        a path left out of the answer could not be read."""
        ...


@dataclass(frozen=True)
class Submission:
    """Everything the review needs to know about a PR, whether it came from GitHub or git."""

    base: str
    head: str
    body: str | None
    body_path: str
    changed: tuple[ChangedFile, ...]
    # Text at head of every task README of the zoo (changed or not), keyed by repo path.
    head_texts: Mapping[str, str]
    # Text at base of the changed task READMEs (absent: the file is new in the PR).
    base_texts: Mapping[str, str]
    # Every file path present at the head commit.
    head_paths: frozenset[str]
    # "owner/name" of the zoo on GitHub, when known.
    repository: str | None = None
    # Task READMEs at head that are not UTF-8 text: path -> what they hold (bot/text.py);
    # they are in neither head_texts nor base_texts, and nothing reads a guess of them.
    not_text: Mapping[str, str] = field(default_factory=dict)
    # Reads other files at head (configs); None when the source cannot.
    files: FileReader | None = field(default=None, compare=False, repr=False)
    # Reads files as they were before the PR's change (the diff's base: for a pull request on
    # GitHub, the merge base), for the configs a PR changes; None when the source cannot.
    base_files: FileReader | None = field(default=None, compare=False, repr=False)
    # False when GitHub truncated the listing: a path missing from head_paths may exist.
    head_paths_complete: bool = True
    # Files of a work tree that are symbolic links leading out of the repository: path -> where
    # they lead. Never read (a README or config among them is an error that says so).
    links_out: Mapping[str, str] = field(default_factory=dict)

    def changed_file(self, path: str) -> ChangedFile | None:
        for changed in self.changed:
            if changed.path == path:
                return changed
        return None


# --- parse: what a task README holds --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Link:
    """A Markdown link as written: its label, its target and the line it stands on."""

    label: str
    url: str
    line: int


@dataclass(frozen=True, slots=True)
class Cell:
    """One table cell: the trimmed source (escapes intact), its plain text and its links."""

    raw: str
    text: str
    links: tuple[Link, ...] = ()


@dataclass(frozen=True, slots=True)
class TableRow:
    line: int
    cells: tuple[Cell, ...]


@dataclass(frozen=True)
class ResultTable:
    """A results table: header cells (plain text) at `line`, then one row per line."""

    line: int
    header: tuple[str, ...]
    rows: tuple[TableRow, ...]
    # Cells of the `| :-: | :-: |` line; GitHub renders no table when it differs from the header.
    delimiter_cells: int = 0
    # A non-blank line right after the table, which GitHub renders as one more row.
    run_on_line: int | None = None


@dataclass(frozen=True, slots=True)
class TextLine:
    """One source line of a paragraph: plain text and the links on it."""

    line: int
    text: str
    links: tuple[Link, ...] = ()


@dataclass(frozen=True)
class PaperLine:
    """`[Paper title](url) [Venue Year]`: the venue is the bracketed text after the link."""

    title: str
    url: str
    venue: str | None
    line: int


@dataclass(frozen=True)
class Abstract:
    text: str
    line: int
    end_line: int
    # False when the `<details>` is never closed: GitHub then folds the rest of the README
    # (the table, the links) into it.
    closed: bool = True


@dataclass(frozen=True)
class MethodSection:
    """A `### Name` section of a task README with everything the template puts in it."""

    task: str
    path: str
    name: str
    line: int
    end_line: int
    group: str | None = None
    group_line: int | None = None
    paper: PaperLine | None = None
    authors: TextLine | None = None
    abstract: Abstract | None = None
    results_line: int | None = None
    tables: tuple[ResultTable, ...] = ()
    code: tuple[Link, ...] = ()
    usage: tuple[Link, ...] = ()
    # Every paragraph line of the section (paper, authors, links, free text).
    lines: tuple[TextLine, ...] = ()
    # The heading's level: 3 (`### Name`), or 2 when a method section was written `## Name`.
    level: int = 3

    @cached_property
    def rows(self) -> tuple[TableRow, ...]:
        return tuple(row for table in self.tables for row in table.rows)

    def content_lines(self) -> frozenset[int]:
        """The lines that carry the section's content (not blank lines or separators)."""
        lines = {self.line, *(text.line for text in self.lines)}
        if self.results_line is not None:
            lines.add(self.results_line)
        if self.abstract is not None:
            lines.update(range(self.abstract.line, self.abstract.end_line + 1))
        for table in self.tables:
            lines.update((table.line, table.line + 1))
            lines.update(row.line for row in table.rows)
        return frozenset(lines)


@dataclass(frozen=True)
class OverCap:
    """A part of a task README over one of the config's caps (`limits.<cap>`), at `line`: a line
    or cell is cut at the cap, a table's rows from `line` on and a whole section (at its
    heading) are not reviewed. `size` is how large it is (rows, or characters)."""

    cap: str
    line: int
    limit: int
    size: int


@dataclass(frozen=True)
class Readme:
    """A parsed task README: its method sections and the anchors its headings define."""

    task: str
    path: str
    sections: tuple[MethodSection, ...]
    anchors: frozenset[str] = frozenset()
    # What was over a cap, in order of lines (see OverCap).
    over_caps: tuple[OverCap, ...] = ()


@dataclass(frozen=True)
class ChecklistItem:
    """A task-list item of the PR description: its text and whether it is ticked."""

    text: str
    checked: bool
    # The 1-based line of the description the item starts on, when known.
    line: int | None = None
    # What stands in a box that is not a task-list box (`v`, `✓`, `X ` in `- [v] …`): GitHub
    # shows no checkbox, so the item is not ticked in the form `[x]`.
    mark: str | None = None


# --- rules and report ---------------------------------------------------------------------


@dataclass(frozen=True)
class Fix:
    """A mechanical correction of one line of `path`: `old` (the line as it stands at head)
    becomes `new`, which may hold several lines (a line inserted) or none ("" removes it)."""

    path: str
    line: int
    old: str
    new: str


@dataclass(frozen=True)
class Finding:
    """What is wrong, where, and how to fix it. `line` is 1-based in the head version of `path`."""

    severity: Severity
    rule: str
    path: str
    line: int | None
    message: str
    hint: str | None = None
    # This finding says that a check deciding the verdict could not run: the review is
    # `incomplete` (never `pass`) until it is re-run and the check succeeds.
    incomplete: bool = False
    # The corrected line, when the fix is mechanical (`zoo-review check --fix`, and a
    # suggestion in the Action's inline review).
    fix: Fix | None = None
    # The method section the finding is about, when it is about one.
    section: str | None = None


@dataclass(frozen=True)
class ReviewedEntry:
    task: str
    path: str
    section: str
    line: int
    rows: int


@dataclass(frozen=True, slots=True)
class LinkReport:
    """How one fetched link fared, for the per-link table of the report."""

    url: str
    column: str
    verdict: str
    status: int | None
    seconds: float
    path: str
    line: int
    # What the fetch learned: the file's size, a zip's entries and unpacked size, why it failed,
    # and how old a cached result is.
    size: int | None = None
    entries: int | None = None
    unpacked: int | None = None
    reason: str | None = None
    cached_hours: float | None = None


@dataclass(repr=False)
class Review:
    """The outcome: what was reviewed, at which commits, and the findings."""

    base: str
    head: str
    entries: list[ReviewedEntry] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    links: list[LinkReport] = field(default_factory=list)
    # What the review was asked not to check (e.g. "links (offline)"): said with the verdict,
    # so that a review of part of the contribution never reads as "all checks passed".
    not_checked: list[str] = field(default_factory=list)
    # Findings hidden by the config's `ignore:` list (counted, not shown).
    ignored: int = 0
    # A review of every entry (audit, --all), for maintainers, rather than of a PR.
    audit: bool = False

    @property
    def headline_not_checked(self) -> str:
        """`linked files and pages not checked: offline; …` for the verdict's line."""
        said = []
        for item in self.not_checked:
            what, _, why = item.partition(" (")
            said.append(f"{what} not checked: {why.rstrip(')')}" if why else f"{what} not checked")
        return "; ".join(said)

    def __repr__(self) -> str:
        # Short: asyncio formats the finished task (and so its result) when asyncio.run restores
        # the SIGINT handler; a full repr of a hostile review's findings would cost seconds.
        return (
            f"Review({self.base[:12]}..{self.head[:12]}, {self.verdict}, "
            f"{len(self.findings)} findings, {len(self.links)} links)"
        )

    def count(self, severity: Severity) -> int:
        return sum(1 for finding in self.findings if finding.severity == severity)

    @property
    def unchecked(self) -> list[Finding]:
        """The findings that say a deciding check could not run."""
        return [finding for finding in self.findings if finding.incomplete]

    @property
    def verdict(self) -> Verdict:
        if self.count("error"):
            return "fail"
        return "incomplete" if self.unchecked else "pass"
