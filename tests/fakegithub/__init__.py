"""A fake GitHub REST API on 127.0.0.1 for end-to-end tests of the Action (see server.py)."""

from tests.fakegithub.server import DEFAULT_TOKEN, FakeGitHub, LoggedRequest, RequestLog
from tests.fakegithub.state import ACTIONS_ID, ACTIONS_LOGIN, Pull, Repo, User, World

__all__ = [
    "ACTIONS_ID",
    "ACTIONS_LOGIN",
    "DEFAULT_TOKEN",
    "FakeGitHub",
    "LoggedRequest",
    "Pull",
    "Repo",
    "RequestLog",
    "User",
    "World",
]
