"""Who the bot is on GitHub: the login its comments carry, to find its own comments."""

from __future__ import annotations

from github import Github
from github.GithubException import GithubException

# The author of everything GITHUB_TOKEN writes.
ACTIONS_LOGIN = "github-actions[bot]"


def bot_login(client: Github) -> str:
    """The token's login; an Actions or App token may not read /user (403), and writes as
    github-actions[bot] (an App learns its own login from the first comment it creates)."""
    try:
        return client.get_user().login
    except GithubException as exc:
        if exc.status in (403, 404):
            return ACTIONS_LOGIN
        raise
