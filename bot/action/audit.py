"""The audit (schedule, or workflow_dispatch without a PR): every entry and artifact of the zoo
on a branch; the result goes to the job summary, the outputs and one issue that the bot keeps
(created when there are findings, updated when they change, closed when the zoo is clean)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.action.budget import FINAL_RESERVE
from bot.action.context import (
    Outputs,
    RunContext,
    exit_code,
    log_review,
    run_review,
    write_report,
)
from bot.config import load_config
from bot.model import Review
from bot.publish import workflow
from bot.publish.links import Links
from bot.publish.progress import compare, render_progress
from bot.publish.state import AUDIT_MARKER, decode_state, encode_state, starts_with_marker
from bot.report.markdown import render_markdown
from bot.sources.github import load_branch, read_config

MAX_BODY = 65536
# Requests spent looking for the standing audit issue.
SEARCH_PAGES = 1


@dataclass(frozen=True)
class AuditResult:
    code: int
    outputs: Outputs


def run_audit(ctx: RunContext, branch: str | None) -> AuditResult:
    branch = branch or ctx.repo.default_branch
    sha = ctx.repo.get_commit(branch).sha
    text = read_config(ctx.repo, sha, ctx.inputs.config_path, required=ctx.inputs.config_named)
    config = load_config(text, ctx.inputs.config_path)
    with ctx.budget.phase(FINAL_RESERVE):
        data = load_branch(ctx.repo, sha, config)
    submission = data.submission
    result = run_review(ctx, submission, config, audit=True)
    result.findings += data.findings
    report = write_report(ctx, result, "zoo-review-audit.json")
    log_review(result, submission.body_path)
    links = Links(
        ctx.runner.server_url, ctx.repo.full_name, sha, ctx.runner.run_id, submission.head_paths
    )
    body = render_markdown(result, line_link=links.line_link, guide=config.guide)
    title = f"## zoo-review audit of `{branch}` at [`{sha[:7]}`]({links.commit_url})"
    summary = f"{title}\n\n{body}"
    if ctx.inputs.audit_issue:
        note = keep_issue(ctx, result, branch, links, body)
        workflow.log(note)
        summary += f"\n\n{note}"
    workflow.append_summary(summary, ctx.runner.summary_file)
    return AuditResult(exit_code(result, ctx.inputs.fail_on), Outputs.of(result, report))


def _listed(ctx: RunContext, parameters: dict[str, Any]) -> list[dict[str, Any]]:
    _headers, data = ctx.client.requester.requestJsonAndCheck(
        "GET", f"{ctx.repo.url}/issues", parameters={"per_page": 100, **parameters}
    )
    return [item for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def _ours(items: list[dict[str, Any]], login: str) -> list[dict[str, Any]]:
    return [
        item
        for item in items
        if "pull_request" not in item
        and (item.get("user") or {}).get("login") == login
        and starts_with_marker(item.get("body"), AUDIT_MARKER)
    ]


def find_issues(ctx: RunContext) -> list[dict[str, Any]]:
    """The bot's audit issues (its authorship and the marker at the start of the body), most
    recently updated first: the issues the bot created, else the recently updated open ones."""
    found = _ours(
        _listed(ctx, {"state": "all", "creator": ctx.login, "sort": "updated"}), ctx.login
    )
    if not found:
        found = _ours(_listed(ctx, {"state": "open", "sort": "updated"}), ctx.login)
    return found


def keep_issue(ctx: RunContext, result: Review, branch: str, links: Links, report: str) -> str:
    """Create, update or close the audit issue; returns what was done, for the log."""
    issues = find_issues(ctx)
    standing = next((item for item in issues if item.get("state") == "open"), None)
    last = standing or (issues[0] if issues else None)
    previous = decode_state(str(last.get("body") or "")) if last is not None else None
    problems = [f for f in result.findings if f.severity != "notice"]
    progress = compare(previous, result)
    if not problems:
        if standing is None:
            return "The zoo is clean; there is no open audit issue."
        body = _body(result, branch, links, "✅ The zoo is clean: nothing left to fix.", progress)
        _edit(ctx, standing, {"body": body, "state": "closed", "state_reason": "completed"})
        return f"The zoo is clean: audit issue #{standing['number']} is closed."
    title = f"zoo-review audit: {_plural(len(problems), 'problem')} in the zoo on `{branch}`"
    body = _body(result, branch, links, report, progress)
    if standing is None:
        _headers, created = ctx.client.requester.requestJsonAndCheck(
            "POST", f"{ctx.repo.url}/issues", input={"title": title, "body": body}
        )
        return f"Audit issue #{created.get('number')} was opened."
    if previous is not None and progress is not None and not progress.fixed and not progress.new:
        return f"Audit issue #{standing['number']} stands unchanged."
    _edit(ctx, standing, {"title": title, "body": body})
    return f"Audit issue #{standing['number']} was updated."


def _edit(ctx: RunContext, issue: dict[str, Any], fields: dict[str, Any]) -> None:
    ctx.client.requester.requestJsonAndCheck(
        "PATCH", f"{ctx.repo.url}/issues/{issue['number']}", input=fields
    )


def _body(result: Review, branch: str, links: Links, report: str, progress: object) -> str:
    since = ""
    if progress is not None:
        since = render_progress(progress, links.line_link).rstrip("\n") + "\n\n"  # type: ignore[arg-type]
    run = f" · [run]({links.run_url})" if links.run_url else ""
    head = f"{AUDIT_MARKER}\n{encode_state(result)}\n"
    stamp = (
        f"\n\n<sub>Audit of `{branch}` at [`{links.head_sha[:7]}`]({links.commit_url}){run}. "
        "zoo-review keeps this issue: it updates it when the findings change and closes it when "
        "the zoo is clean.</sub>\n"
    )
    text = since + report.rstrip("\n")
    room = MAX_BODY - len(head) - len(stamp) - 200
    if len(text) > room:
        kept = text[:room].rsplit("\n", 1)[0]
        if kept.count("<details>") > kept.count("</details>"):
            kept += "\n</details>"
        text = kept + "\n\n> ✂️ The audit is longer than an issue may be; the rest is in the run."
    return head + text + stamp


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
