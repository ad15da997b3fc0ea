"""The Action's entry point: inputs, event, then a PR review, a command or the audit."""

from __future__ import annotations

import os
import traceback
from collections.abc import Mapping

import requests
from github.GithubException import BadCredentialsException, GithubException

from bot.action.audit import run_audit
from bot.action.budget import Budget
from bot.action.client import build_client
from bot.action.commands import (
    ALLOWED_PERMISSIONS,
    HELP,
    parse_command,
    permission,
    refusal,
    refused_before,
)
from bot.action.context import EXIT_PASS, EXIT_USAGE, Outputs, RunContext
from bot.action.events import (
    Audit,
    Command,
    MergeGroup,
    Plan,
    ReviewPull,
    Skip,
    load_event,
    plan,
)
from bot.action.inputs import read_inputs, read_runner
from bot.action.merge_group import review_merge_group
from bot.action.pull import handle_pull
from bot.errors import ConfigError, OperationalError
from bot.publish import workflow
from bot.publish.identity import bot_login
from bot.publish.replies import react, reply
from bot.sources.github import describe_error


def main(env: Mapping[str, str] | None = None) -> int:
    """Run once for the event in GITHUB_EVENT_PATH; exit 0 (pass), 1 (fail-on), 2 (a problem:
    the outputs say `incomplete`), 3 (incomplete)."""
    environ = dict(os.environ) if env is None else dict(env)
    code = _main(environ)
    if code == EXIT_USAGE:  # every path writes the outputs; this one could not finish
        try:
            Outputs("incomplete").write(environ.get("GITHUB_OUTPUT") or None)
        except OperationalError as exc:
            workflow.log(f"zoo-review: {exc}")
    return code


def _main(environ: Mapping[str, str]) -> int:
    try:
        return _run(environ)
    except ConfigError as exc:
        workflow.emit(
            [workflow.command("error", f"zoo-review: {exc}", {"title": "zoo-review config"})]
        )
        return EXIT_USAGE
    except OperationalError as exc:
        workflow.emit([workflow.command("error", f"zoo-review: {exc}")])
        return EXIT_USAGE
    except BadCredentialsException:
        workflow.emit(
            [
                workflow.command(
                    "error",
                    "zoo-review: GitHub rejected the token (401 Bad credentials); check the "
                    "`github-token` input",
                )
            ]
        )
        return EXIT_USAGE
    except GithubException as exc:
        message = (
            f"zoo-review: GitHub's API failed ({describe_error(exc)}) after retries; re-run the "
            "job, or comment `/zoo-review recheck` on the PR"
        )
        workflow.emit([workflow.command("error", message)])
        return EXIT_USAGE
    except requests.RequestException as exc:
        message = f"zoo-review: cannot reach GitHub's API ({type(exc).__name__}); re-run the job"
        workflow.emit([workflow.command("error", message)])
        return EXIT_USAGE
    except Exception as exc:  # a bug: say so plainly; the traceback only on request
        if environ.get("ZOO_REVIEW_DEBUG"):
            traceback.print_exc()
        message = (
            f"zoo-review: internal error ({type(exc).__name__}). This is a bug in zoo-review, not "
            "in the contribution; set ZOO_REVIEW_DEBUG=1 for details and report it"
        )
        workflow.emit([workflow.command("error", message)])
        return EXIT_USAGE


def _run(env: Mapping[str, str]) -> int:
    inputs = read_inputs(env)
    runner = read_runner(env)
    todo = plan(runner.event_name, load_event(runner.event_path), runner.ref)
    if isinstance(todo, Skip):
        workflow.log(f"zoo-review: {todo.note}; nothing to do for this event.")
        if todo.number is None:
            Outputs().write(runner.output_file)
            return EXIT_PASS
    budget = Budget(inputs.api_budget)
    client = build_client(runner.api_url, inputs.token, runner.pacing, budget)
    repo = client.get_repo(runner.repository)
    ctx = RunContext(inputs, runner, client, repo, bot_login(client), budget)
    try:
        code, outputs = _dispatch(ctx, todo)
    finally:
        workflow.log(f"zoo-review: {budget.spent} GitHub API requests (budget {budget.total}).")
    outputs.write(runner.output_file)
    return code


def _dispatch(ctx: RunContext, todo: Plan) -> tuple[int, Outputs]:
    """The run's work; its exit code and outputs are those of the review it did (PR runs end by
    making sure the PR's head has a final status, which may mean a review), else `skipped`."""
    if isinstance(todo, Audit):
        audited = run_audit(ctx, todo.branch)
        return audited.code, audited.outputs
    if isinstance(todo, MergeGroup):
        return review_merge_group(ctx, todo)
    if isinstance(todo, ReviewPull):
        workflow.log(f"zoo-review: PR #{todo.number} ({todo.reason}).")
        outcome = handle_pull(ctx, todo.number, force=todo.reason == "workflow_dispatch")
        return outcome.code, outcome.outputs
    if isinstance(todo, Skip):
        assert todo.number is not None
        outcome = handle_pull(ctx, todo.number, force=False)
        return outcome.code, outcome.outputs
    return _command(ctx, todo)


def _command(ctx: RunContext, todo: Command) -> tuple[int, Outputs]:
    """A command: reactions, at most one refusal per PR and user, the command; then the PR's
    head is made sure to have a final status (this run may have replaced a queued review)."""
    if todo.author == ctx.login:
        workflow.log("zoo-review: the comment is zoo-review's own.")
        outcome = handle_pull(ctx, todo.number, force=False)
        return outcome.code, outcome.outputs
    pull = ctx.repo.get_pull(todo.number)
    comment = pull.get_issue_comment(todo.comment_id)
    react(comment, "eyes")
    found = permission(ctx.repo, todo.author)
    if found not in ALLOWED_PERMISSIONS:
        if not refused_before(pull.get_issue_comments(), ctx.login, todo.author):
            reply(pull, refusal(todo.author, found))
        react(comment, "-1")
        workflow.log(f"zoo-review: {todo.author} may not run commands ({found}); nothing was run.")
        outcome = handle_pull(ctx, todo.number, force=False)
        return outcome.code, outcome.outputs
    parsed = parse_command(todo.line)
    if parsed.name != "recheck":
        reply(pull, HELP if parsed.name == "help" else parsed.problem or "Unknown command.")
        react(comment, "+1" if parsed.name == "help" else "-1")
        outcome = handle_pull(ctx, todo.number, force=False)
        return outcome.code, outcome.outputs
    workflow.log(f"zoo-review: recheck of PR #{todo.number} asked by a collaborator ({found}).")
    try:
        outcome = handle_pull(ctx, todo.number, force=True)
    except BaseException:
        react(comment, "confused")
        raise
    react(comment, "+1" if outcome.published else "confused")
    if not outcome.published and outcome.notes:
        reply(pull, f"The recheck ran, but wrote no review: {outcome.notes[0]}")
    return outcome.code, outcome.outputs
