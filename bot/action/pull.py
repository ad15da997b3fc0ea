"""Reviews a pull request and publishes (status, sticky comment, inline review, summary); every
run that holds the PR's concurrency group ends with the PR's current head holding a final
status for its current base."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from github.GithubException import GithubException, UnknownObjectException
from github.PullRequest import PullRequest

from bot.action.budget import FINAL_RESERVE, PUBLISH_RESERVE, BudgetExhausted
from bot.action.context import (
    EXIT_INCOMPLETE,
    EXIT_PASS,
    Outputs,
    RunContext,
    counts,
    exit_code,
    fails,
    log_review,
    run_review,
    write_report,
)
from bot.config import Config, load_config
from bot.errors import ConfigError
from bot.model import Review
from bot.publish import workflow
from bot.publish.inline import plan_inline, post_review
from bot.publish.links import Links
from bot.publish.state import Stored, body_digest
from bot.publish.status import FINAL, RANK, Posted, State, StatusWriter, newest_by_pr
from bot.publish.sticky import StickyBody, ours, previous_state, render_sticky, write_sticky
from bot.sources.github import PullSnapshot, load_pull, read_config, snapshot

RECHECK_HINT = "comment /zoo-review recheck to re-run"
READ_ONLY = (
    "The token cannot write to this repository (a `pull_request` run for a fork PR gets a "
    "read-only token), so the review is only in this job summary and the annotations. Run "
    "zoo-review on `pull_request_target` to comment on fork PRs."
)
# Reviews one run may do when the PR keeps changing under it (each push also starts a run).
MAX_ROUNDS = 3
# Other PRs sharing the head commit that a run looks up.
MAX_SHARED = 3
# Final statuses that are no review's result: the state they name still needs one.
SUPERSEDED = "Superseded"
KEPT_CHANGING = "The PR kept changing during the review"
NOT_A_REVIEW = (SUPERSEDED, KEPT_CHANGING)


@dataclass
class Outcome:
    """How a PR run ended: the exit code, whether a result reached the PR, and the outputs."""

    code: int
    published: bool
    notes: list[str] = field(default_factory=list)
    outputs: Outputs = field(default_factory=Outputs)
    changed: bool = False  # the PR changed during the review: nothing was published


def _writable(exc: GithubException) -> bool:
    return exc.status != 403 or "not accessible by integration" not in str(exc.data)


def _key(snap: PullSnapshot) -> tuple[str, str, str, str]:
    """What a review depends on: head, base branch and commit, and the description."""
    return (snap.head_sha, snap.base_ref, snap.base_sha, body_digest(snap.body))


def reviewed_branches(ctx: RunContext, config: Config) -> tuple[str, ...]:
    """The base branches the config names, else the repository's default branch."""
    return config.branches or (ctx.repo.default_branch,)


class _Configs:
    """The config at each base commit, read once per run."""

    def __init__(self, ctx: RunContext) -> None:
        self.ctx = ctx
        self.cache: dict[str, Config] = {}

    def at(self, base_sha: str) -> Config:
        if base_sha not in self.cache:
            inputs = self.ctx.inputs
            text = read_config(
                self.ctx.repo, base_sha, inputs.config_path, required=inputs.config_named
            )
            self.cache[base_sha] = load_config(text, inputs.config_path)
        return self.cache[base_sha]


def handle_pull(ctx: RunContext, number: int, *, force: bool) -> Outcome:
    """Review PR `number` (always when `force`, else only when its current state has no final
    status), then until the PR holds still: its current head ends with a final status for its
    current base, reviewed by this run when no earlier run did."""
    configs = _Configs(ctx)
    outcome = Outcome(EXIT_PASS, published=False)
    rounds = 0
    while True:
        pull = ctx.repo.get_pull(number)
        snap = snapshot(pull)
        if snap.state != "open":
            note = f"PR #{number} is {snap.state}: nothing to review."
            workflow.log(note)
            outcome.notes.append(f"The PR is {snap.state}.")
            return outcome
        try:
            config = configs.at(snap.base_sha)
        except ConfigError:
            _config_error(ctx, snap)
            raise
        branches = reviewed_branches(ctx, config)
        if snap.base_ref not in branches:
            note = (
                f"PR #{number} targets `{snap.base_ref}`; zoo-review reviews PRs onto "
                f"{', '.join(f'`{b}`' for b in branches)} (config `zoo.branches`)."
            )
            workflow.log(note)
            outcome.notes.append(note)
            return outcome
        if not force and _has_final(ctx, pull, snap):
            if rounds == 0:
                workflow.log(f"PR #{number} at {snap.head_sha[:7]} already has a final status.")
            return outcome
        if rounds == MAX_ROUNDS:
            _give_up(ctx, snap)
            return outcome
        rounds += 1
        outcome = _review_once(ctx, pull, snap, config)
        force = outcome.changed  # the next round reviews what the PR became, whatever it holds
        if not outcome.published and not outcome.changed:
            return outcome  # read-only token, or the budget ran out: final status written
        if outcome.published and _key(snapshot(ctx.repo.get_pull(number))) == _key(snap):
            return outcome


def _has_final(ctx: RunContext, pull: PullRequest, snap: PullSnapshot) -> bool:
    """Whether a run of this PR set a final status on its head for the state it has now (with
    the sticky comment on, its stored base commit and description must match too)."""
    writer = _writer(ctx, snap, None)
    try:
        with ctx.budget.phase(PUBLISH_RESERVE + FINAL_RESERVE):
            mine = newest_by_pr(writer.history()).get(snap.number)
            if mine is None or mine.state not in FINAL:
                return False
            if mine.description.startswith(NOT_A_REVIEW):
                return False
            if not ctx.inputs.comment:
                return True
            stored = previous_state(ours(pull.get_issue_comments(), ctx.login))
    except BudgetExhausted:
        return False  # the review that follows says so in the final status
    return (
        stored is not None
        and stored.head == snap.head_sha
        and stored.base == snap.base_sha
        and stored.body == body_digest(snap.body)
    )


def _writer(ctx: RunContext, snap: PullSnapshot, run_url: str | None) -> StatusWriter:
    return StatusWriter(
        ctx.client.requester,
        ctx.repo.url,
        snap.head_sha,
        ctx.inputs.status_context,
        run_url,
        snap.number,
    )


def _give_up(ctx: RunContext, snap: PullSnapshot) -> None:
    """The PR changed during every review of this run: its head gets a final status anyway."""
    links = Links(ctx.runner.server_url, ctx.repo.full_name, snap.head_sha, ctx.runner.run_id)
    with ctx.budget.phase(0):
        _writer(ctx, snap, links.run_url).set("error", f"{KEPT_CHANGING}; {RECHECK_HINT}")


def _config_error(ctx: RunContext, snap: PullSnapshot) -> None:
    links = Links(ctx.runner.server_url, ctx.repo.full_name, snap.head_sha, ctx.runner.run_id)
    status = _writer(ctx, snap, links.run_url)
    final_error(
        status,
        f"Invalid zoo-review config on the base branch (see the run log); fix it, then "
        f"{RECHECK_HINT}",
        started=True,
    )


def final_error(status: StatusWriter, description: str, *, started: bool = False) -> None:
    if not (status.started or started) or status.final is not None:
        return
    try:
        status.set("error", description)
    except Exception as exc:  # the API may be what failed: say so, keep the first error
        workflow.log(f"Could not set the commit status to error either: {type(exc).__name__}")


@dataclass
class _Round:
    """One review of the PR as `snap` saw it."""

    ctx: RunContext
    pull: PullRequest
    snap: PullSnapshot
    config: Config
    links: Links
    status: StatusWriter
    notes: list[str] = field(default_factory=list)

    def sticky(
        self, result: Review, notes: list[str], previous: Stored | None = None
    ) -> StickyBody:
        return render_sticky(
            result,
            self.links,
            previous=previous,
            guide=self.config.guide,
            notes=notes,
            pr_body=self.snap.body,
            summary_limit=workflow.SUMMARY_LIMIT,
        )


def _review_once(ctx: RunContext, pull: PullRequest, snap: PullSnapshot, config: Config) -> Outcome:
    """Review the PR as `snap` saw it; a final status is set on every path."""
    links = Links(ctx.runner.server_url, ctx.repo.full_name, snap.head_sha, ctx.runner.run_id)
    status = _writer(ctx, snap, links.run_url)
    read_only = False
    try:
        status.set("pending", "Reviewing the contribution…")
    except GithubException as exc:
        if _writable(exc):
            raise
        read_only = True
    try:
        return _review_and_publish(_Round(ctx, pull, snap, config, links, status), read_only)
    except BaseException:
        final_error(status, f"zoo-review could not finish (see the run log); {RECHECK_HINT}")
        raise


def _review_and_publish(r: _Round, read_only: bool) -> Outcome:
    ctx, snap = r.ctx, r.snap
    try:
        # Reading the PR and reviewing it (which may read config files at its head) keep the
        # reserve for publishing and for the final status.
        with ctx.budget.phase(PUBLISH_RESERVE + FINAL_RESERVE):
            data = load_pull(ctx.repo, r.pull, snap, r.config)
            result = run_review(ctx, data.submission, r.config, audit=False)
    except BudgetExhausted as exc:
        return _out_of_budget(ctx, r.status, str(exc))
    result.findings += data.findings
    r.links = Links(
        r.links.server_url,
        r.links.repository,
        snap.head_sha,
        r.links.run_id,
        data.submission.head_paths,
    )
    report = write_report(ctx, result, f"zoo-review-pr-{snap.number}.json")
    log_review(result, data.submission.body_path)
    outputs = Outputs.of(result, report)
    code = exit_code(result, ctx.inputs.fail_on)
    r.notes = list(data.notes)

    if read_only:
        body = r.sticky(result, [*r.notes, READ_ONLY])
        workflow.append_summary(body.full, ctx.runner.summary_file)
        workflow.log(READ_ONLY)
        return Outcome(code, published=False, notes=[READ_ONLY], outputs=outputs)

    with ctx.budget.phase(FINAL_RESERVE):
        # Time of check vs time of use: what was reviewed must still be the PR.
        fresh = snapshot(ctx.repo.get_pull(snap.number))
        if _key(fresh) != _key(snap):
            return _superseded(r, fresh, result, outputs)
        shared = _shared(ctx, snap, r.status.history())
        r.notes += [_shared_note(number, base) for number, base, _ in shared]
        try:
            _publish(r, result, data.patches)
        except BudgetExhausted as exc:
            note = f"Not everything was written to the PR: {exc}."
            workflow.log(note)
            r.notes.append(note)
    _settle(ctx, r.status, result, shared)
    return Outcome(code, published=True, notes=r.notes, outputs=outputs)


def _publish(r: _Round, result: Review, patches: Mapping[str, str | None]) -> None:
    ctx = r.ctx
    existing = ours(r.pull.get_issue_comments(), ctx.login) if ctx.inputs.comment else []
    body = r.sticky(result, r.notes, previous_state(existing))
    summary = body.full
    if ctx.inputs.comment:
        write_sticky(r.pull, existing, body.comment, ctx.login)
        if body.truncated:
            summary = (
                "The PR comment was cut to GitHub's size limit; the whole review:\n\n" + summary
            )
    if ctx.inputs.inline:
        _inline(ctx, r.pull, r.snap, result, patches)
    workflow.append_summary(summary, ctx.runner.summary_file)


def _superseded(r: _Round, fresh: PullSnapshot, result: Review, outputs: Outputs) -> Outcome:
    """The PR changed during the review: nothing is written to it; this run reviews it again."""
    snap = r.snap
    if fresh.head_sha != snap.head_sha:
        what = "new commits were pushed"
    elif fresh.base_ref != snap.base_ref:
        what = f"its base branch became `{fresh.base_ref}`"
    elif fresh.base_sha != snap.base_sha:
        what = "its base branch moved"
    else:
        what = "the description was edited"
    note = f"The PR changed during the review ({what}); nothing was written to it from this review."
    if r.status.latest_is_ours():
        again = f"{SUPERSEDED}: the PR changed during the review; it is reviewed again"
        r.status.set("error", again)
    else:
        r.status.final = "error"  # a newer run owns the status: leave it
    workflow.log(note)
    workflow.append_summary(r.sticky(result, [*r.notes, note]).full, r.ctx.runner.summary_file)
    return Outcome(EXIT_PASS, published=False, notes=[note], outputs=outputs, changed=True)


def _out_of_budget(ctx: RunContext, status: StatusWriter, reason: str) -> Outcome:
    """The PR could not be read within the budget: the status says so (final, never pending)."""
    message = f"Incomplete: {reason}; {RECHECK_HINT}"
    with ctx.budget.phase(0):
        status.set("error", message)
    note = f"zoo-review could not read the whole PR: {reason}. The status is `error`."
    workflow.log(note)
    workflow.append_summary(note, ctx.runner.summary_file)
    return Outcome(EXIT_INCOMPLETE, published=False, notes=[note], outputs=Outputs("incomplete"))


def _shared(
    ctx: RunContext, snap: PullSnapshot, history: list[Posted]
) -> list[tuple[int, str, Posted]]:
    """Other open PRs whose head is this commit (found by their runs' statuses on it): number,
    base branch and their newest status."""
    found: list[tuple[int, str, Posted]] = []
    for number, posted in newest_by_pr(history).items():
        if number == snap.number or len(found) == MAX_SHARED:
            continue
        try:
            other = snapshot(ctx.repo.get_pull(number))
        except UnknownObjectException:
            continue
        if other.state == "open" and other.head_sha == snap.head_sha:
            found.append((number, other.base_ref, posted))
    return found


def _shared_note(number: int, base: str) -> str:
    return (
        f"This commit is also the head of PR #{number} (onto `{base}`). A commit status belongs "
        "to the commit, so the `zoo-review` status shows the worse of the two reviews."
    )


def own_state(result: Review, fail_on: str) -> State:
    """The status a review sets on its own: failure (`fail-on`), error (incomplete), success."""
    if fails(result, fail_on):
        return "failure"
    return "error" if result.verdict == "incomplete" else "success"


def _settle(
    ctx: RunContext, status: StatusWriter, result: Review, shared: list[tuple[int, str, Posted]]
) -> None:
    """The final status: this review's, unless another open PR with the same head has a worse
    one (a success never overwrites another PR's failure); read back once for a racing run."""
    own: State = own_state(result, ctx.inputs.fail_on)
    own_text = describe(result, ctx.inputs.fail_on)
    state, text = _worst(own, own_text, shared)
    status.set(state, text)
    if not shared:
        return
    again = newest_by_pr(status.history())
    fresh = [(n, base, again.get(n, posted)) for n, base, posted in shared]
    later, later_text = _worst(own, own_text, fresh)
    if RANK[later] > RANK[state]:
        status.set(later, later_text)


def _worst(own: State, own_text: str, shared: list[tuple[int, str, Posted]]) -> tuple[State, str]:
    state, text = own, own_text
    for number, _base, posted in shared:
        theirs = posted.state
        if theirs in RANK and RANK[theirs] > RANK[state]:
            word = "failed" if theirs == "failure" else "is incomplete"
            state = "failure" if theirs == "failure" else "error"
            text = (
                f"PR #{number}, with this same head commit, {word}: see it. This PR's own review: "
                f"{own_text}"
            )
    return state, text


def _inline(
    ctx: RunContext,
    pull: PullRequest,
    snap: PullSnapshot,
    result: Review,
    patches: Mapping[str, str | None],
) -> None:
    planned = plan_inline(result, patches, pull.get_review_comments(), ctx.login)
    if planned:
        text = (
            f"zoo-review: {len(planned)} finding(s) on lines of this diff; the whole review is "
            "in the zoo-review comment."
        )
        post_review(pull, snap.head_sha, planned, text)


def describe(result: Review, fail_on: str) -> str:
    """The status description of a review."""
    if not fails(result, fail_on) and result.verdict == "incomplete":
        unchecked = len(result.unchecked)
        return (
            f"Incomplete: {unchecked} check{'' if unchecked == 1 else 's'} could not run "
            f"(e.g. a host did not answer); {RECHECK_HINT}"
        )
    if result.count("error") == 0 and result.count("warning") == 0:
        return "All checks passed"
    text = counts(result)
    if fails(result, fail_on):
        return f"{text}: see the zoo-review comment"
    return f"{text} (fail-on: {fail_on})"
