"""Answers to maintainer commands: reactions on the command comment and short replies."""

from __future__ import annotations

from typing import Literal

from github.IssueComment import IssueComment
from github.PullRequest import PullRequest

Reaction = Literal["eyes", "+1", "-1", "confused", "rocket"]
REPLY_MARKER = "<!-- zoo-review:reply -->"


def react(comment: IssueComment, content: Reaction) -> None:
    """React to the command comment (GitHub answers 200 when the reaction already exists)."""
    comment.create_reaction(content)


def reply(pull: PullRequest, text: str) -> None:
    """A short answer in the conversation, marked so the bot never reads it as a command."""
    pull.create_issue_comment(f"{text}\n\n{REPLY_MARKER}")
