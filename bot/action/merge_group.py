"""A merge queue's commit (merge_group checks_requested): its README changes since the base are
reviewed like a PR's, without a description, and the status is set on the queue's commit."""

from __future__ import annotations

from bot.action.budget import FINAL_RESERVE
from bot.action.context import (
    EXIT_PASS,
    Outputs,
    RunContext,
    exit_code,
    log_review,
    run_review,
    write_report,
)
from bot.action.events import MergeGroup
from bot.action.pull import RECHECK_HINT, describe, final_error, own_state, reviewed_branches
from bot.config import load_config
from bot.publish import workflow
from bot.publish.links import Links
from bot.publish.status import StatusWriter
from bot.report.markdown import render_markdown
from bot.sources.github import load_commits, read_config


def review_merge_group(ctx: RunContext, group: MergeGroup) -> tuple[int, Outputs]:
    inputs = ctx.inputs
    text = read_config(ctx.repo, group.base_sha, inputs.config_path, required=inputs.config_named)
    config = load_config(text, inputs.config_path)
    branches = reviewed_branches(ctx, config)
    if group.base_ref not in branches:
        workflow.log(
            f"The merge queue of `{group.base_ref}` is not reviewed: zoo-review reviews "
            f"{', '.join(f'`{b}`' for b in branches)} (config `zoo.branches`)."
        )
        return EXIT_PASS, Outputs()
    links = Links(ctx.runner.server_url, ctx.repo.full_name, group.head_sha, ctx.runner.run_id)
    status = StatusWriter(
        ctx.client.requester,
        ctx.repo.url,
        group.head_sha,
        inputs.status_context,
        links.run_url,
        None,
    )
    status.set("pending", "Reviewing the merge queue's commit…")
    try:
        with ctx.budget.phase(FINAL_RESERVE):
            data = load_commits(ctx.repo, group.base_sha, group.head_sha, config)
        result = run_review(ctx, data.submission, config, audit=False)
        result.findings += data.findings
        report = write_report(ctx, result, "zoo-review-merge-group.json")
        log_review(result, data.submission.body_path)
        links = Links(
            links.server_url,
            links.repository,
            group.head_sha,
            links.run_id,
            data.submission.head_paths,
        )
        body = render_markdown(result, line_link=links.line_link, guide=config.guide)
        commit = f"[`{group.head_sha[:7]}`]({links.commit_url})"
        title = f"## zoo-review of the merge queue's commit {commit}"
        workflow.append_summary(f"{title}\n\n{body}", ctx.runner.summary_file)
        status.set(own_state(result, inputs.fail_on), describe(result, inputs.fail_on))
    except BaseException:
        final_error(status, f"zoo-review could not finish (see the run log); {RECHECK_HINT}")
        raise
    return exit_code(result, inputs.fail_on), Outputs.of(result, report)
