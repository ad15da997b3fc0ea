"""Inline review comments: one review (event COMMENT) on the findings whose line is in the diff."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import requests
from github.GithubException import GithubException
from github.PullRequest import PullRequest
from github.PullRequestComment import PullRequestComment

from bot.model import Finding, Review
from bot.report.markdown import safe_markdown

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_ICONS = {"error": "❌", "warning": "⚠️", "notice": "ℹ️"}
_BACKTICKS = re.compile(r"`+")
REVIEW_MARKER = "<!-- zoo-review:review {nonce} -->"
# GitHub shows a review with very many comments poorly; the rest stay in the sticky comment.
MAX_INLINE = 50


def commentable_lines(patch: str | None) -> frozenset[int]:
    """Head-side lines a review comment can be put on: added and context lines of the hunks."""
    lines: set[int] = set()
    if not patch:
        return frozenset()
    line = 0
    in_hunk = False
    for text in patch.split("\n"):
        hunk = _HUNK.match(text)
        if hunk:
            line, in_hunk = int(hunk.group(1)), True
            continue
        if not in_hunk or text.startswith(("\\", "-")):
            continue
        if text.startswith(("+", " ")) or text == "":
            lines.add(line)
            line += 1
        else:
            in_hunk = False
    return frozenset(lines)


@dataclass(frozen=True)
class InlineComment:
    path: str
    line: int
    body: str

    def as_api(self) -> dict[str, object]:
        return {"path": self.path, "line": self.line, "side": "RIGHT", "body": self.body}


def comment_body(finding: Finding) -> str:
    """One finding as an inline comment; contributor-written values are code spans. A fix of
    the commented line is a suggestion the contributor can commit with one click."""
    text = f"{_ICONS[finding.severity]} **{finding.severity}** `{finding.rule}` — "
    text += safe_markdown(finding.message)
    if finding.hint:
        text += f"\n\n↳ {safe_markdown(finding.hint)}"
    fix = finding.fix
    if fix is not None and fix.path == finding.path and fix.line == finding.line:
        text += "\n\n" + suggestion(fix.new)
    return text


def suggestion(new: str) -> str:
    """A GitHub suggestion block replacing the commented line with `new` (empty: delete it);
    the fence is longer than any run of backticks in the text."""
    clean = new.replace("\r", "")
    fence = "`" * max(3, max((len(run) for run in _BACKTICKS.findall(clean)), default=0) + 1)
    body = f"{clean}\n" if clean else ""
    return f"{fence}suggestion\n{body}{fence}"


def plan_inline(
    review: Review,
    patches: Mapping[str, str | None],
    standing: Iterable[PullRequestComment],
    login: str,
) -> list[InlineComment]:
    """Comments for findings on commentable lines, minus those already standing from the bot
    on the same path and line with the same text (a re-run repeats nothing)."""
    already = {
        (c.path, c.line, c.body) for c in standing if c.user.login == login and c.line is not None
    }
    planned: list[InlineComment] = []
    seen: set[tuple[str, int, str]] = set()
    commentable = {path: commentable_lines(patch) for path, patch in patches.items()}
    for finding in review.findings:
        if finding.line is None or finding.severity == "notice":
            continue
        if finding.line not in commentable.get(finding.path, frozenset()):
            continue
        comment = InlineComment(finding.path, finding.line, comment_body(finding))
        key = (comment.path, comment.line, comment.body)
        if key in already or key in seen:
            continue
        seen.add(key)
        planned.append(comment)
    return planned[:MAX_INLINE]


def post_review(
    pull: PullRequest, head_sha: str, comments: Sequence[InlineComment], summary: str
) -> int | None:
    """One review with event COMMENT on `head_sha`; returns its id. When GitHub's answer is
    lost, the review is looked up by a one-time marker instead of being posted twice."""
    if not comments:
        return None
    nonce = secrets.token_hex(8)
    body = f"{summary}\n\n{REVIEW_MARKER.format(nonce=nonce)}"
    commit = pull.base.repo.get_commit(head_sha)
    try:
        review = pull.create_review(
            commit=commit,
            body=body,
            event="COMMENT",
            comments=[c.as_api() for c in comments],  # type: ignore[misc]
        )
        return review.id
    except GithubException as exc:
        if exc.status < 500:
            raise
    except requests.RequestException:
        pass
    for existing in pull.get_reviews():
        if REVIEW_MARKER.format(nonce=nonce) in (existing.body or ""):
            return existing.id
    return None
