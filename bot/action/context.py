"""What every part of a run shares: inputs, runner, client, repository, the bot's login."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from github import Github
from github.Repository import Repository

from bot.action.budget import Budget
from bot.action.inputs import Inputs, Runner
from bot.config import Config
from bot.engine import ReviewOptions, review
from bot.model import Review, Submission
from bot.net.setup import build_fetcher
from bot.publish import workflow
from bot.report.jsonout import render_json
from bot.report.text import render_text

EXIT_PASS, EXIT_FAIL, EXIT_USAGE, EXIT_INCOMPLETE = 0, 1, 2, 3


@dataclass
class RunContext:
    inputs: Inputs
    runner: Runner
    client: Github
    repo: Repository
    login: str
    budget: Budget


@dataclass(frozen=True)
class Outputs:
    """The step outputs every path writes (action.yml, `outputs`)."""

    verdict: str = "skipped"  # pass, fail, incomplete, skipped
    errors: int = 0
    warnings: int = 0
    report: str = ""

    @staticmethod
    def of(result: Review, report: Path) -> Outputs:
        return Outputs(result.verdict, result.count("error"), result.count("warning"), str(report))

    def write(self, path: str | None) -> None:
        workflow.write_outputs(
            {
                "verdict": self.verdict,
                "errors": str(self.errors),
                "warnings": str(self.warnings),
                "report": self.report,
            },
            path,
        )


def run_review(ctx: RunContext, submission: Submission, config: Config, *, audit: bool) -> Review:
    """The engine's review with the operator's network settings (never anything from the PR)."""
    options = ReviewOptions(
        audit_all=audit,
        remaps=ctx.runner.remaps,
        verify_checksums=ctx.inputs.verify_checksums or config.network.verify_checksums,
    )
    fetcher = build_fetcher(config.network, allow_private_hosts=ctx.runner.allow_private_hosts)
    return review(submission, config, options, fetcher)


def fails(result: Review, fail_on: str) -> bool:
    """Whether `fail-on` makes this review a failure."""
    if fail_on == "never":
        return False
    if fail_on == "warning":
        return result.count("error") + result.count("warning") > 0
    return result.count("error") > 0


def exit_code(result: Review, fail_on: str) -> int:
    """1 when `fail-on` fails the review, else 3 when it is incomplete, else 0."""
    if fails(result, fail_on):
        return EXIT_FAIL
    return EXIT_INCOMPLETE if result.verdict == "incomplete" else EXIT_PASS


def counts(result: Review) -> str:
    errors, warnings = result.count("error"), result.count("warning")
    text = f"{errors} error{'' if errors == 1 else 's'}, {warnings} warning"
    return text + ("" if warnings == 1 else "s")


def write_report(ctx: RunContext, result: Review, name: str) -> Path:
    """The JSON report in RUNNER_TEMP (never the workspace); returns the path later steps see."""
    path = ctx.runner.temp_dir / name
    path.write_text(render_json(result), encoding="utf-8")
    return (ctx.runner.shown_temp_dir or ctx.runner.temp_dir) / name


def log_review(result: Review, body_path: str) -> None:
    """The log (text report) and annotations within the caps."""
    workflow.log(render_text(result))
    lines, skipped = workflow.annotation_lines(result.findings, body_path)
    workflow.emit(lines)
    left = sum(skipped.values())
    if left:
        workflow.log(f"{left} more finding(s) are not annotated (GitHub shows 10 of each kind).")
