"""The Action's entry point: inputs, event, then a PR review, a command or the audit."""

from __future__ import annotations

import os
import traceback
from collections.abc import Mapping

import requests
from github.GithubException import BadCredentialsException, GithubException

from bot.action.audit import run_audit
from bot.action.client import build_client
from bot.action.commands import ALLOWED_ROLES, HELP, parse_command, refusal, role
from bot.action.context import EXIT_PASS, EXIT_USAGE, RunContext
from bot.action.events import Audit, Command, ReviewPull, Skip, load_event, plan
from bot.action.inputs import read_inputs, read_runner
from bot.action.pull import review_pull
from bot.errors import ConfigError, OperationalError
from bot.publish import workflow
from bot.publish.identity import bot_login
from bot.publish.replies import react, reply
from bot.sources.github import describe_error


def main(env: Mapping[str, str] | None = None) -> int:
    """Run once for the event in GITHUB_EVENT_PATH; exit 0 (pass), 1 (fail-on), 2 (problem)."""
    environ = dict(os.environ) if env is None else dict(env)
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
    todo = plan(runner.event_name, load_event(runner.event_path))
    if isinstance(todo, Skip):
        workflow.log(f"zoo-review: {todo.note}; nothing to do.")
        workflow.write_outputs(
            {"verdict": "skipped", "errors": "0", "warnings": "0", "report": ""}, runner.output_file
        )
        return EXIT_PASS
    client = build_client(runner.api_url, inputs.token, runner.pacing)
    repo = client.get_repo(runner.repository)
    ctx = RunContext(inputs, runner, client, repo, bot_login(client))
    if isinstance(todo, Audit):
        return run_audit(ctx, todo.branch)
    if isinstance(todo, ReviewPull):
        workflow.log(f"zoo-review: reviewing PR #{todo.number} ({todo.reason}).")
        return review_pull(ctx, todo.number).code
    assert isinstance(todo, Command)
    return _command(ctx, todo)


def _command(ctx: RunContext, todo: Command) -> int:
    if todo.author == ctx.login:
        workflow.log("zoo-review: the comment is zoo-review's own; nothing to do.")
        return EXIT_PASS
    pull = ctx.repo.get_pull(todo.number)
    comment = pull.get_issue_comment(todo.comment_id)
    react(comment, "eyes")
    found = role(ctx.repo, todo.author)
    if found not in ALLOWED_ROLES:
        reply(pull, refusal(todo.author, found))
        react(comment, "-1")
        workflow.log(f"zoo-review: {todo.author} may not run commands ({found}); nothing was run.")
        return EXIT_PASS
    parsed = parse_command(todo.line)
    if parsed.name is None:
        reply(pull, parsed.problem or "Unknown command.")
        react(comment, "-1")
        return EXIT_PASS
    if parsed.name == "help":
        reply(pull, HELP)
        react(comment, "+1")
        return EXIT_PASS
    workflow.log(f"zoo-review: recheck of PR #{todo.number} asked by a collaborator ({found}).")
    try:
        outcome = review_pull(ctx, todo.number)
    except BaseException:
        react(comment, "confused")
        raise
    react(comment, "+1" if outcome.published else "confused")
    if not outcome.published and outcome.notes:
        reply(pull, f"The recheck ran, but wrote no review: {outcome.notes[0]}")
    return outcome.code
