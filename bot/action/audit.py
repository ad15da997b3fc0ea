"""The audit (schedule, or workflow_dispatch without a PR): every entry and artifact of the zoo
on the default branch; the result goes to the job summary and outputs, nothing to any PR."""

from __future__ import annotations

from bot.action.context import (
    RunContext,
    exit_code,
    finish_runner_files,
    run_review,
    write_report,
)
from bot.config import load_config
from bot.publish import workflow
from bot.publish.links import Links
from bot.report.markdown import render_markdown
from bot.sources.github import load_branch, read_config


def run_audit(ctx: RunContext, branch: str) -> int:
    sha = ctx.repo.get_commit(branch).sha
    text = read_config(ctx.repo, sha, ctx.inputs.config_path, required=ctx.inputs.config_named)
    config = load_config(text, ctx.inputs.config_path)
    submission = load_branch(ctx.repo, sha, config)
    result = run_review(ctx, submission, config, audit=True)
    report = write_report(ctx, result, "zoo-review-audit.json")
    finish_runner_files(ctx, result, submission.body_path, report)
    links = Links(
        ctx.runner.server_url, ctx.repo.full_name, sha, ctx.runner.run_id, submission.head_paths
    )
    body = render_markdown(result, line_link=links.line_link, guide=config.guide)
    title = f"## zoo-review audit of `{branch}` at [`{sha[:7]}`]({links.commit_url})"
    workflow.append_summary(f"{title}\n\n{body}", ctx.runner.summary_file)
    return exit_code(result, ctx.inputs.fail_on)
