"""Maintainer commands in PR comments: `/zoo-review recheck` and `/zoo-review help`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from github.GithubException import UnknownObjectException
from github.IssueComment import IssueComment
from github.Repository import Repository

from bot.publish.state import starts_with_marker
from bot.report.markdown import code_span

COMMANDS = ("recheck", "help")
# GitHub's `permission` of the collaborator permission endpoint: the base role, so a custom
# role built on write counts as write (its `role_name` is the custom name); maintain shows as
# write and triage as read.
ALLOWED_PERMISSIONS = ("admin", "write")
# The first line of the one reply a user gets when refused on a PR (found again to not repeat).
REFUSED_MARKER = "<!-- zoo-review:refused {login} -->"

HELP = """**zoo-review commands** (first line of a comment, for collaborators with write access):

- `/zoo-review recheck`: review the pull request again (for example after the linked files changed).
- `/zoo-review help`: this message.

zoo-review reviews every push on its own; its review is the sticky comment above."""


@dataclass(frozen=True)
class Parsed:
    """The command word, or the reason the line is not a command we know."""

    name: str | None
    problem: str | None = None


def parse_command(line: str) -> Parsed:
    words = line.split()
    if len(words) == 2 and words[0] == "/zoo-review" and words[1] in COMMANDS:
        return Parsed(words[1])
    if len(words) == 1 and words[0] == "/zoo-review":
        return Parsed(None, "`/zoo-review` needs a command: `recheck` or `help`.")
    rest = " ".join(words[1:]) if words and words[0] == "/zoo-review" else line
    return Parsed(
        None,
        f"Unknown command {code_span(rest)}: use `/zoo-review recheck` or `/zoo-review help`.",
    )


def permission(repo: Repository, login: str) -> str:
    """The user's base permission on the repository (admin, write, read or none)."""
    try:
        return repo.get_collaborator_permission(login)
    except UnknownObjectException:
        return "none"


def refusal(login: str, found: str) -> str:
    marker = REFUSED_MARKER.format(login=login)
    return (
        f"{marker}\nOnly collaborators with write access can run zoo-review commands; "
        f"{code_span('@' + login)} has {code_span(found)} access, so nothing was run (further "
        "commands from this account on this pull request get a 👎 reaction only)."
    )


def refused_before(comments: Iterable[IssueComment], bot: str, login: str) -> bool:
    """Whether the bot already told `login` on this PR that commands need write access."""
    marker = REFUSED_MARKER.format(login=login)
    return any(c.user.login == bot and starts_with_marker(c.body, marker) for c in comments)
