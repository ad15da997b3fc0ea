"""The one sticky review comment: rendered under GitHub's size limit, created or updated."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import requests
from github.GithubException import GithubException, UnknownObjectException
from github.IssueComment import IssueComment
from github.PullRequest import PullRequest

from bot.errors import OperationalError
from bot.model import Review
from bot.publish.links import Links
from bot.publish.progress import compare, render_progress
from bot.publish.state import (
    STICKY_MARKER,
    Stored,
    decode_state,
    encode_state,
    starts_with_marker,
)
from bot.report.markdown import render_markdown

MAX_COMMENT = 65536
_CLOSE = "\n\n</details>"
_BACKTICKS = re.compile(r"`+")
RECHECK = "/zoo-review recheck"


@dataclass(frozen=True)
class StickyBody:
    """The comment (at most 65,536 characters) and the whole review for the job summary."""

    comment: str
    full: str
    truncated: bool


def render_sticky(
    review: Review,
    links: Links,
    *,
    previous: Stored | None = None,
    guide: str | None = None,
    notes: Sequence[str] = (),
    limit: int = MAX_COMMENT,
    pr_body: str | None = None,
    summary_limit: int | None = None,
) -> StickyBody:
    """The sticky comment: hidden markers, the review, progress since the previous review, and
    a stamp with the reviewed head commit and the run. `pr_body`: the reviewed description (its
    digest is stored); `summary_limit`: what the job summary can hold, so that a cut comment
    points to the summary only when the whole review fits there (else to the run's log)."""
    body = render_markdown(review, line_link=links.line_link, guide=guide)
    progress = compare(previous, review)
    lines = body.split("\n")
    head, rest = lines[:3], lines[3:]  # title, blank line, "Reviewed … against …"
    extra: list[str] = []
    if progress is not None:
        extra += ["", render_progress(progress, links.line_link).rstrip("\n")]
    extra += [f"\n> {note}" for note in notes]
    content = "\n".join([*head, *extra, *rest]).rstrip("\n")
    markers = f"{STICKY_MARKER}\n{encode_state(review, pr_body)}\n"
    stamp = "\n\n" + _stamp(links)
    full = markers + content + stamp
    if len(full) <= limit:
        return StickyBody(comment=full, full=full, truncated=False)
    fits = summary_limit is None or len(full.encode("utf-8")) <= summary_limit
    where = "job summary" if fits else "log"
    pointer = (
        f"\n\n> ✂️ This review is longer than a GitHub comment may be; the rest is in the {where} "
        + (f"of [this run]({links.run_url})." if links.run_url else "of the run.")
    )
    budget = limit - len(markers) - len(stamp) - len(pointer) - len(_CLOSE)
    comment = markers + _cut(content, budget) + pointer + stamp
    return StickyBody(comment=comment, full=full, truncated=True)


def _stamp(links: Links) -> str:
    commit = f"[`{links.head_sha[:7]}`]({links.commit_url})"
    run = f" · [run]({links.run_url})" if links.run_url else ""
    return (
        f"<sub>Reviewed commit {commit}{run} · updated on every push; a maintainer can comment "
        f"`{RECHECK}` to review again.</sub>\n"
    )


def _cut(content: str, budget: int) -> str:
    """Whole lines that fit in `budget`, with an open `<details>` closed.

    Only the review's own tags count: a `</details>` a contributor wrote (a URL, a scores key)
    is inside a code span, where GitHub shows it as text, and must not pass for a closing tag.
    """
    kept: list[str] = []
    size = 0
    depth = 0
    for line in content.split("\n"):
        if size + len(line) + 1 > budget:
            break
        kept.append(line)
        size += len(line) + 1
        markup = outside_code_spans(line)
        depth = max(0, depth + markup.count("<details>") - markup.count("</details>"))
    text = "\n".join(kept)
    # A blank line first: the tag must not be read as one more row of a table it follows.
    return text + _CLOSE * depth


def outside_code_spans(line: str) -> str:
    """The line without its code spans (CommonMark: a run of backticks up to the next run of the
    same length; a run that none closes is literal text)."""
    runs = list(_BACKTICKS.finditer(line))
    by_length: dict[int, list[int]] = defaultdict(list)
    for index, run in enumerate(runs):
        by_length[len(run.group())].append(index)
    kept: list[str] = []
    at = 0
    index = 0
    while index < len(runs):
        opening = runs[index]
        same = by_length[len(opening.group())]
        after = bisect_right(same, index)
        if after == len(same):  # nothing closes it: literal backticks
            index += 1
            continue
        closing = runs[same[after]]
        kept.append(line[at : opening.start()])
        at = closing.end()
        index = same[after] + 1
    kept.append(line[at:])
    return "".join(kept)


def ours(comments: Iterable[IssueComment], login: str) -> list[IssueComment]:
    """Sticky comments: written by the bot AND starting with the hidden marker (a reply that
    quotes someone's text never starts with it); oldest first."""
    found = [
        c for c in comments if starts_with_marker(c.body, STICKY_MARKER) and c.user.login == login
    ]
    return sorted(found, key=lambda c: (c.created_at, c.id))


def previous_state(existing: Sequence[IssueComment]) -> Stored | None:
    """What the standing sticky comment last reported (None: none, or not readable)."""
    return decode_state(existing[0].body or "") if existing else None


@dataclass(frozen=True)
class StickyResult:
    comment_id: int
    created: bool
    deleted: int


def write_sticky(
    pull: PullRequest, existing: Sequence[IssueComment], body: str, login: str
) -> StickyResult:
    """Update the standing comment, or create one; then delete the duplicates that a racing run
    (or a create whose answer was lost) made, keeping the oldest."""
    if existing:
        keep = existing[0]
        if keep.body != body:
            keep.edit(body)
        return StickyResult(keep.id, created=False, deleted=_delete(existing[1:]))
    created: IssueComment | None = None
    try:
        created = pull.create_issue_comment(body)
    except GithubException as exc:
        if exc.status < 500:
            raise
    except requests.RequestException:
        pass  # the answer was lost: the comment may exist; the listing below tells
    if created is not None:
        login = created.user.login
    mine = ours(pull.get_issue_comments(), login)
    if not mine:
        raise OperationalError(
            "GitHub did not create the review comment (its API failed); re-run the workflow"
        )
    keep = mine[0]
    if created is not None and keep.id != created.id and keep.body != body:
        keep.edit(body)
    return StickyResult(keep.id, created=True, deleted=_delete(mine[1:]))


def _delete(comments: Iterable[IssueComment]) -> int:
    deleted = 0
    for comment in comments:
        try:
            comment.delete()
            deleted += 1
        except UnknownObjectException:
            pass  # the racing run deleted it first
    return deleted
