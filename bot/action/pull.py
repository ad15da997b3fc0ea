"""Reviews one pull request and publishes: status, sticky comment, inline review, summary."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from github.GithubException import GithubException
from github.PullRequest import PullRequest

from bot.action.context import (
    EXIT_PASS,
    RunContext,
    counts,
    exit_code,
    fails,
    finish_runner_files,
    run_review,
    write_report,
)
from bot.config import load_config
from bot.errors import ConfigError
from bot.model import Review
from bot.publish import workflow
from bot.publish.inline import plan_inline, post_review
from bot.publish.links import Links
from bot.publish.status import State, StatusWriter
from bot.publish.sticky import ours, previous_state, render_sticky, write_sticky
from bot.sources.github import PullSnapshot, load_pull, read_config, snapshot

RECHECK_HINT = "comment /zoo-review recheck to re-run"
READ_ONLY = (
    "The token cannot write to this repository (a `pull_request` run for a fork PR gets a "
    "read-only token), so the review is only in this job summary and the annotations. Run "
    "zoo-review on `pull_request_target` to comment on fork PRs."
)


@dataclass
class Outcome:
    """How a PR review ended: the exit code, and whether its result reached the PR."""

    code: int
    published: bool
    notes: list[str] = field(default_factory=list)


def _writable(exc: GithubException) -> bool:
    return exc.status != 403 or "not accessible by integration" not in str(exc.data)


def review_pull(ctx: RunContext, number: int) -> Outcome:
    """Review PR `number` at its current head; a final status is set on every path."""
    pull = ctx.repo.get_pull(number)
    snap = snapshot(pull)
    if snap.state != "open":
        workflow.log(f"PR #{number} is {snap.state}: nothing to review.")
        return Outcome(EXIT_PASS, published=False, notes=[f"The PR is {snap.state}."])
    links = Links(ctx.runner.server_url, ctx.repo.full_name, snap.head_sha, ctx.runner.run_id)
    status = StatusWriter(ctx.repo, snap.head_sha, ctx.inputs.status_context, links.run_url)
    read_only = False
    try:
        status.set("pending", "Reviewing the contribution…")
    except GithubException as exc:
        if _writable(exc):
            raise
        read_only = True
    try:
        return _review_and_publish(ctx, pull, snap, links, status, read_only=read_only)
    except ConfigError:
        _final_error(
            status,
            f"Invalid zoo-review config on the base branch (see the run log); fix it, then "
            f"{RECHECK_HINT}",
        )
        raise
    except BaseException:
        _final_error(status, f"zoo-review could not finish (see the run log); {RECHECK_HINT}")
        raise


def _final_error(status: StatusWriter, description: str) -> None:
    if not status.started or status.final is not None:
        return
    try:
        status.set("error", description)
    except Exception as exc:  # the API may be what failed: say so, keep the first error
        workflow.log(f"Could not set the commit status to error either: {type(exc).__name__}")


def _review_and_publish(
    ctx: RunContext,
    pull: PullRequest,
    snap: PullSnapshot,
    links: Links,
    status: StatusWriter,
    *,
    read_only: bool,
) -> Outcome:
    config_text = read_config(
        ctx.repo, snap.base_sha, ctx.inputs.config_path, required=ctx.inputs.config_named
    )
    config = load_config(config_text, ctx.inputs.config_path)
    data = load_pull(ctx.repo, pull, snap, config)
    result = run_review(ctx, data.submission, config, audit=False)
    links = Links(
        links.server_url, links.repository, snap.head_sha, links.run_id, data.submission.head_paths
    )
    report = write_report(ctx, result, f"zoo-review-pr-{snap.number}.json")
    finish_runner_files(ctx, result, data.submission.body_path, report)
    failed = fails(result, ctx.inputs.fail_on)
    code = exit_code(result, ctx.inputs.fail_on)
    notes = list(data.notes)

    if read_only:
        body = render_sticky(result, links, guide=config.guide, notes=[*notes, READ_ONLY])
        workflow.append_summary(body.full, ctx.runner.summary_file)
        workflow.log(READ_ONLY)
        return Outcome(code, published=False, notes=[READ_ONLY])

    # Time of check vs time of use: what was reviewed must still be the PR.
    fresh = snapshot(ctx.repo.get_pull(snap.number))
    if fresh.head_sha != snap.head_sha or fresh.body != snap.body:
        what = (
            "new commits were pushed"
            if fresh.head_sha != snap.head_sha
            else "the description was edited"
        )
        note = (
            f"The PR changed during the review ({what}); nothing was written to it. The run "
            "started by that change reviews it."
        )
        if status.latest_is_ours():
            status.set(
                "error", "Superseded: the PR changed during the review; the newer run reviews it"
            )
        else:
            status.final = "error"  # a newer run owns the status: leave it
        workflow.log(note)
        body = render_sticky(result, links, guide=config.guide, notes=[*notes, note])
        workflow.append_summary(body.full, ctx.runner.summary_file)
        return Outcome(EXIT_PASS, published=False, notes=[note])

    existing = ours(pull.get_issue_comments(), ctx.login) if ctx.inputs.comment else []
    body = render_sticky(
        result, links, previous=previous_state(existing), guide=config.guide, notes=notes
    )
    summary = body.full
    if ctx.inputs.comment:
        write_sticky(pull, existing, body.comment, ctx.login)
        if body.truncated:
            summary = (
                "The PR comment was cut to GitHub's size limit; the whole review:\n\n" + summary
            )
    if ctx.inputs.inline:
        _inline(ctx, pull, snap, result, data.patches)
    workflow.append_summary(summary, ctx.runner.summary_file)
    if failed:
        state: State = "failure"
    elif result.verdict == "incomplete":
        state = "error"
    else:
        state = "success"
    status.set(state, _description(result, ctx.inputs.fail_on))
    return Outcome(code, published=True, notes=notes)


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


def _description(result: Review, fail_on: str) -> str:
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
