"""Maintainer commands in PR comments: `/zoo-review recheck` and `/zoo-review help`."""

from __future__ import annotations

from dataclasses import dataclass

from github.GithubException import UnknownObjectException
from github.Repository import Repository

from bot.report.markdown import code_span

COMMANDS = ("recheck", "help")
# Roles that may run commands (GitHub's role_name of the collaborator permission endpoint).
ALLOWED_ROLES = ("admin", "maintain", "write")

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


def role(repo: Repository, login: str) -> str:
    """The user's role on the repository (admin, maintain, write, triage, read or none)."""
    try:
        return repo.get_collaborator_role_name(login)
    except UnknownObjectException:
        return "none"


def refusal(login: str, found: str) -> str:
    return (
        f"Only collaborators with write access can run zoo-review commands; "
        f"{code_span('@' + login)} has {code_span(found)} access, so nothing was run."
    )
