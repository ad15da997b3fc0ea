"""Checks the rows whose configs a PR changes without touching the rows: what the change broke in
each linked config and its `_base_` chain, said at the row that links it. A problem that was
there before the change is not the PR's doing and does not fail it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from bot.config_reach import ConfigChanges, ConfigUser
from bot.model import Finding, Fix, Severity
from bot.quote import q
from bot.rules.config_chain import ChainIssue, Chains
from bot.rules.context import Context
from bot.rules.layout import row_label
from bot.rules.suggest import closest_config, relink

RULE = "config"
SCOPE_RULE = "scope"
# How many file names a message lists before "and N more".
_NAMES = 3


@dataclass
class _Said:
    """One mistake, said once at the first row that reaches it, naming the others."""

    user: ConfigUser
    severity: Severity
    message: str
    hint: str | None
    incomplete: bool = False
    fix: Fix | None = None
    others: dict[tuple[str, int], None] = field(default_factory=dict)


@dataclass
class _Check:
    changes: ConfigChanges
    ctx: Context
    said: dict[tuple[str, ...], _Said] = field(default_factory=dict)

    def __post_init__(self) -> None:
        submission = self.ctx.submission
        complete = submission.head_paths_complete
        self.head = Chains(self.changes.head, submission.head_paths, complete)
        base = self.changes.base
        self.base = None if base is None else Chains(base, self.changes.base_paths, complete)
        # Mistakes the `config` rule says at a row under review: not said again here.
        self.reviewed = {i.key for path in self.changes.reviewed for i in self.head.issues(path)}

    def note(self, key: tuple[str, ...], user: ConfigUser, said: _Said) -> None:
        first = self.said.get(key)
        if first is None:
            self.said[key] = said
            return
        place = (user.section.path, user.row.line)
        if place != (first.user.section.path, first.user.row.line):
            first.others[place] = None

    def run(self) -> list[Finding]:
        for user in self.changes.users:
            self.row(user)
        return [self.finding(said) for said in self.said.values()]

    def row(self, user: ConfigUser) -> None:
        path = user.path
        if not self.head.exists(path):
            self.gone(user)
            return
        before = None if self.base is None else {i.key for i in self.base.issues(path)}
        for issue in self.head.issues(path):
            if issue.key in self.reviewed:
                continue
            if issue.incomplete:  # could not be read: never compared, never dropped
                said = _Said(user, issue.severity, issue.message, issue.hint, incomplete=True)
                self.note(issue.key, user, said)
            elif before is None or issue.key not in before:
                message = f"{issue.message} {self.cause(issue, path)}"
                self.note(issue.key, user, _Said(user, issue.severity, message, issue.hint))
            elif issue.severity == "error" and issue.key[1] in self.changes.changed:
                # The PR changed the broken file but left it broken: said, but not its mistake.
                message = (
                    f"{issue.message} It was so before this PR too: not new, so it does not "
                    "fail this PR."
                )
                self.note(issue.key, user, _Said(user, "notice", message, issue.hint))
        self.load_from(user)

    def cause(self, issue: ChainIssue, path: str) -> str:
        """Which change of the PR broke it, in one sentence."""
        changed = self.changes.changed
        if self.base is None:
            names = _names(self.changes.reached.get(path, ()))
            return (
                f"This PR changes {names}, which this row's config uses (the configs before the "
                "change could not be read to tell whether the problem is new)."
            )
        kind, where = issue.key[0], issue.key[1]
        if kind == "missing":
            for missing in issue.key[2:]:
                change = changed.get(missing)
                if change is not None and change.status == "removed":
                    return f"This PR deletes {q(missing)}."
                if change is not None and change.previous_path == missing:
                    return f"This PR renames {q(missing)} to {q(change.path)}."
        if where in changed:
            return f"This PR's change to {q(where)} broke it."
        names = _names(self.changes.reached.get(path, ()))
        return f"This PR's change to {names} broke it."

    def gone(self, user: ConfigUser) -> None:
        """The row links a config that is not at head: an error when the PR removed it."""
        path, section, row = user.path, user.section, user.row
        change = self.changes.changed.get(path)
        if change is None or (change.path == path and change.status != "removed"):
            return  # missing before the PR too: not its doing
        label = f"The row {q(row_label(user.layout, row))} of {q(section.name)}"
        renamed = change.path if change.previous_path == path else None
        if renamed is not None:
            what = f"which this PR renames to {q(renamed)}"
            guess: str | None = renamed
        else:
            what = "which this PR deletes"
            folder = (user.task.configs or user.task.folder).rstrip("/")
            guess = closest_config(self.ctx, path, folder)
        message = f"{label} links the config {q(path)}, {what}."
        hint = f"Keep {q(path)} (the row links it), or change the row's [config] link."
        fix = None
        if guess is not None:
            new_url, fix = relink(self.ctx, section, row, user.url.strip(), guess)
            if renamed is None:
                message += f" Did you mean {q(guess)}?"
            hint = f"Link {q(new_url)} in the row, or keep {q(path)}."
        self.note(("gone", path), user, _Said(user, "error", message, hint, fix=fix))

    def load_from(self, user: ConfigUser) -> None:
        """A warning when the change makes the config load other weights than the row's."""
        found = self.head.load_from(user.path)
        if found is None:
            return
        assigned, holder = found
        before = None if self.base is None else self.base.load_from(user.path)
        if before is not None and before[0].value == assigned.value:
            return  # not the PR's change
        models = [link.url.strip() for _c, _s, link in user.layout.links(user.row, "weights")]
        if not models or assigned.value.strip() in models:
            return
        message = (
            f"The config {q(user.path)} sets `load_from` to {q(assigned.value, 200)} (line "
            f"{assigned.line} of {q(holder)}), not to this row's model {q(models[0], 200)}; "
            "this PR changed it."
        )
        hint = (
            "The zoo's configs load the weights they are listed with: set `load_from` to the "
            "model link. A pretrained initialisation that differs on purpose is for a "
            "maintainer to judge."
        )
        key = ("load_from", user.section.path, str(user.row.line))
        self.note(key, user, _Said(user, "warning", message, hint))

    def finding(self, said: _Said) -> Finding:
        user = said.user
        message = said.message
        if said.others:
            message += f" Also reached from the {_places(user.section.path, list(said.others))}."
        return Finding(
            said.severity,
            RULE,
            user.section.path,
            user.row.line,
            message,
            said.hint,
            incomplete=said.incomplete,
            fix=said.fix,
            section=user.section.name,
        )


def check(changes: ConfigChanges, ctx: Context) -> list[Finding]:
    """The findings of the rows `changes` reaches, one per mistake, plus one incomplete finding
    when some linked configs could not be read to tell whether the change reaches them."""
    findings = _Check(changes, ctx).run()
    if changes.unknown:
        count = len(changes.unknown)
        findings.append(
            Finding(
                "warning",
                RULE,
                ctx.submission.body_path,
                None,
                f"{_count(count, 'config')} that rows of the zoo link could not be read whole "
                f"(e.g. {q(changes.unknown[0])}), so zoo-review cannot tell whether this PR's "
                "changes to config files break them.",
                "The review is incomplete until they are read; a maintainer can re-run it.",
                incomplete=True,
            )
        )
    return findings


def summary(changes: ConfigChanges | None, no_readme: bool, body_path: str) -> list[Finding]:
    """What was checked of the config files a PR changes, in one notice (with "This PR changes
    no task README" when it changes none); nothing when it changes no config file, or when
    the rows under review are all that use them."""
    if changes is None or not changes.config_files:
        return []
    if not (no_readme or changes.users or changes.unused):
        return []
    files = changes.config_files
    them = "it" if len(files) == 1 else "them"
    parts: list[str] = []
    users = len(changes.users)
    if users:
        other = "" if no_readme else "other "
        rows = f"{other}row" if users == 1 else f"{users} {other}rows"
        parts.append(
            f"the {rows} of the zoo that {'uses' if users == 1 else 'use'} {them} "
            f"{'was' if users == 1 else 'were'} checked (their configs and `_base_` chains)"
        )
    if changes.unused:
        single = len(changes.unused) == 1
        parts.append(
            f"{_names(changes.unused)} {'is' if single else 'are'} linked by no row of the zoo, "
            f"directly or as a `_base_`, so {'it was' if single else 'they were'} not checked"
        )
    lead = "This PR changes no task README; it changes" if no_readme else "This PR also changes"
    message = f"{lead} {_count(len(files), 'config file')}: {'; '.join(parts)}."
    return [Finding("notice", SCOPE_RULE, body_path, None, message, None)]


def _count(number: int, what: str) -> str:
    return f"{number} {what}" if number == 1 else f"{number} {what}s"


def _names(paths: Sequence[str]) -> str:
    listed = ", ".join(q(path) for path in paths[:_NAMES])
    more = len(paths) - _NAMES
    return f"{listed} and {more} more" if more > 0 else listed


def _places(readme: str, places: Sequence[tuple[str, int]]) -> str:
    """`rows at lines 12, 14` (in `readme`) or `rows at det/README.md:12, …` otherwise."""
    shown = places[:5]
    more = f" and {len(places) - 5} more" if len(places) > 5 else ""
    rows = "row at" if len(places) == 1 else "rows at"
    if all(path == readme for path, _line in shown):
        lines = ", ".join(str(line) for _path, line in shown)
        return f"{rows} {'line' if len(places) == 1 else 'lines'} {lines}{more}"
    return f"{rows} " + ", ".join(f"{path}:{line}" for path, line in shown) + more
