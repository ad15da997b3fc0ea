"""`--format github`: the review as GitHub Actions workflow commands, for the CLI in a user's CI."""

from __future__ import annotations

from bot.model import PR_DESCRIPTION, Review
from bot.publish.workflow import annotation_lines, neutralize
from bot.report.text import render_text


def render_github(review: Review, body_path: str = PR_DESCRIPTION) -> str:
    """One annotation per finding (GitHub shows the first 10 of each kind on the run's page and
    every one in the log), then the terminal report folded in a log group. Nothing the
    contributor wrote can start a workflow command: annotations are escaped, the text
    neutralized."""
    lines, _skipped = annotation_lines(review.findings, body_path, cap=None)
    lines.append("::group::zoo-review report")
    lines.append(neutralize(render_text(review)).rstrip("\n"))
    lines.append("::endgroup::")
    return "\n".join(lines) + "\n"
