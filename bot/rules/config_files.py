"""Checks each row's config: it exists at the head commit, it is text that Python can parse, its
`_base_` chain is whole, and its `load_from` is the row's model."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.configs import parse_config
from bot.model import Finding, Severity, TableRow
from bot.net.types import FetchResult
from bot.quote import q
from bot.rules.config_chain import ChainIssue, own_issues
from bot.rules.context import Context, EntryScope
from bot.rules.fetched import Unchecked, describe_failure
from bot.rules.layout import Layout
from bot.rules.suggest import missing_config
from bot.urls import github_blob, is_relative, is_web, repo_path

RULE = "config"


@dataclass
class _Said:
    """One mistake and the rows that reach it; said once, at the first of them."""

    issue: ChainIssue
    line: int
    # Lines of the other rows whose configs reach the same mistake.
    others: list[int] = field(default_factory=list)


@dataclass
class _SectionCheck:
    entry: EntryScope
    ctx: Context
    findings: list[Finding] = field(default_factory=list)
    said: dict[tuple[str, ...], _Said] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.unchecked = Unchecked(RULE, self.entry.section.path)

    def add(self, line: int, message: str, hint: str, severity: Severity = "error") -> None:
        self.findings.append(Finding(severity, RULE, self.entry.section.path, line, message, hint))

    def note(self, issue: ChainIssue, line: int) -> None:
        said = self.said.get(issue.key)
        if said is None:
            self.said[issue.key] = _Said(issue, line)
        elif line != said.line and line not in said.others:
            said.others.append(line)

    def run(self) -> list[Finding]:
        for layout, row in self.entry.reviewed_rows():
            for column, _spec, link in layout.links(row, "config"):
                url = link.url.strip()
                if url:
                    self.link(layout, row, column.name, url)
        for said in self.said.values():
            issue = said.issue
            message = issue.message
            if said.others:
                lines = ", ".join(str(line) for line in said.others[:5])
                more = f" and {len(said.others) - 5} more" if len(said.others) > 5 else ""
                rows = "row at line" if len(said.others) == 1 else "rows at lines"
                message += f" Also reached from the {rows} {lines}{more}."
            self.findings.append(
                Finding(
                    issue.severity,
                    RULE,
                    self.entry.section.path,
                    said.line,
                    message,
                    issue.hint,
                    incomplete=issue.incomplete,
                )
            )
        return self.findings + self.unchecked.findings("config file")

    def link(self, layout: Layout, row: TableRow, column: str, url: str) -> None:
        section = self.entry.section
        configs = self.entry.task.configs.rstrip("/") if self.entry.task.configs else None
        where = f"{configs}/" if configs else "the task's folder"
        present = self.ctx.submission.head_paths
        # A truncated listing (GitHub's limit) proves no absence: the file is read to find out.
        complete = self.ctx.submission.head_paths_complete
        if is_relative(url):
            path = repo_path(section.path, url)
            if path is None:
                self.add(
                    row.line,
                    f"The config link {q(url)} leaves the repository.",
                    f"Link the config file relative to {section.path}, inside {where}.",
                )
            elif configs and not path.startswith(configs + "/"):
                self.add(
                    row.line,
                    f"The config link {q(url)} points to {q(path)}, outside {where}.",
                    f"Put the config file under {where} and link it from there.",
                )
            elif path not in present and complete:
                self.findings.append(missing_config(self.ctx, section, row, url, path))
            else:
                self.contents(layout, row, path)
            return
        blob = github_blob(url)
        repository = (self.ctx.config.repository or "").casefold()
        if blob is not None and blob[0].casefold() == repository:
            if blob[1] not in present and complete:
                self.add(
                    row.line,
                    f"The config link points to {q(blob[1])} in {self.ctx.config.repository}, "
                    "which has no such file at this PR's head.",
                    f"Add the config file to your PR under {where} and link it relatively, "
                    "e.g. `./configs/…`.",
                )
            else:
                self.contents(layout, row, blob[1])
            return
        if blob is not None:
            self.external(layout, row, url, f"{blob[0]}/{blob[1]}")
            return
        reason = "a web page outside GitHub" if is_web(url) else "not a path or URL"
        self.add(
            row.line,
            f"The config link {q(url)} is {reason}.",
            f"Link a config file in the PR (a relative path into {where}) or a file in "
            "your GitHub repository.",
        )

    def contents(self, layout: Layout, row: TableRow, path: str) -> None:
        """The deep check of a config of the zoo, read at head with its `_base_` chain."""
        chains = self.ctx.config_chains
        if chains is None:
            return  # the source cannot read files: the engine says so
        for issue in chains.issues(path):
            self.note(issue, row.line)
        found = chains.load_from(path)
        if found is not None:
            assigned, holder = found
            self.load_from(
                layout, row, path, assigned.value, f"line {assigned.line} of {q(holder)}"
            )

    def external(self, layout: Layout, row: TableRow, url: str, name: str) -> None:
        """A config in another GitHub repository: its raw text, fetched (no `_base_` chain)."""
        result: FetchResult | None = self.ctx.fetched.get(url)
        if result is None:
            return  # not fetched (offline)
        if result.verdict == "inconclusive":
            self.unchecked.add(result, row.line)
            return
        failure = describe_failure(result, "The config link")
        if failure is not None:
            message, hint = failure.message, failure.hint
            if result.status == 404:
                message = "The config link leads to no file on GitHub (HTTP 404)."
                hint = "Link the config file in your public repository, at a branch or commit."
            self.add(row.line, message, hint, failure.severity)
            return
        config = parse_config(name, result.body or b"")
        for issue in own_issues(config):
            self.note(issue, row.line)
        if config.bases:
            names = ", ".join(q(base.name) for base in config.bases[:3])
            self.note(
                ChainIssue(
                    ("outside", url),
                    "notice",
                    f"The config {q(name)} inherits from {names} (`_base_`, line "
                    f"{config.bases[0].line}); configs outside the zoo are read on their own, "
                    "so that chain was not followed.",
                    "Add the config and its bases to the zoo under the task's configs folder to "
                    "have them checked.",
                ),
                row.line,
            )
        if config.load_from is not None:
            where = f"line {config.load_from.line}"
            self.load_from(layout, row, name, config.load_from.value, where)

    def load_from(self, layout: Layout, row: TableRow, path: str, value: str, where: str) -> None:
        """A warning when the config loads other weights than the row's model link."""
        models = [link.url.strip() for _c, _s, link in layout.links(row, "weights")]
        if not models or value.strip() in models:
            return
        self.add(
            row.line,
            f"The config {q(path)} sets `load_from` to {q(value, 200)} ({where}), not to this "
            f"row's model {q(models[0], 200)}.",
            "The zoo's configs load the weights they are listed with: set `load_from` to the "
            "model link, or fix the model link. A pretrained initialisation that differs on "
            "purpose is for a maintainer to judge.",
            "warning",
        )


def check(entry: EntryScope, ctx: Context) -> list[Finding]:
    return _SectionCheck(entry, ctx).run()
