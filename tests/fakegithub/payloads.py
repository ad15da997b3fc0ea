"""Event payloads (the runner's GITHUB_EVENT_PATH file) and Actions environments, from the world."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tests.fakegithub.render import Json, Renderer
from tests.fakegithub.state import IssueComment, Pull, Repo, User

if TYPE_CHECKING:
    from tests.fakegithub.server import FakeGitHub

PULL_ACTIONS = ("opened", "synchronize", "reopened", "edited", "ready_for_review")
PULL_EVENTS = ("pull_request", "pull_request_target")
WORKFLOW = ".github/workflows/zoo-review.yml"


def _renderer(source: FakeGitHub | Renderer) -> Renderer:
    return source if isinstance(source, Renderer) else source.renderer()


def _envelope(renderer: Renderer, repo: Repo, sender: User) -> Json:
    data: Json = {
        "repository": renderer.repository(repo),
        "sender": renderer.simple_user(sender),
    }
    if repo.owner.type == "Organization":
        data["organization"] = {
            "login": repo.owner.login,
            "id": repo.owner.id,
            "node_id": renderer.simple_user(repo.owner)["node_id"],
            "url": f"{renderer.urls.api}/orgs/{repo.owner.login}",
            "repos_url": f"{renderer.urls.api}/orgs/{repo.owner.login}/repos",
            "events_url": f"{renderer.urls.api}/orgs/{repo.owner.login}/events",
            "hooks_url": f"{renderer.urls.api}/orgs/{repo.owner.login}/hooks",
            "issues_url": f"{renderer.urls.api}/orgs/{repo.owner.login}/issues",
            "members_url": f"{renderer.urls.api}/orgs/{repo.owner.login}/members{{/member}}",
            "public_members_url": (
                f"{renderer.urls.api}/orgs/{repo.owner.login}/public_members{{/member}}"
            ),
            "avatar_url": renderer.simple_user(repo.owner)["avatar_url"],
            "description": None,
        }
    return data


def pull_request(
    source: FakeGitHub | Renderer,
    pull: Pull,
    action: str = "opened",
    *,
    before: str | None = None,
    changes: dict[str, Any] | None = None,
    sender: User | None = None,
) -> Json:
    """A `pull_request` / `pull_request_target` payload (both events carry the same one).

    `synchronize` gets `before` (default: the previous head) and `after` (the head);
    `edited` needs `changes`, e.g. the return value of `World.edit_pull`.
    """
    assert action in PULL_ACTIONS, action
    renderer = _renderer(source)
    data: Json = {"action": action, "number": pull.number}
    if action == "synchronize":
        previous = pull.head_history[-2] if len(pull.head_history) > 1 else pull.base_sha
        data["before"] = before or previous
        data["after"] = pull.head_sha
    if action == "edited":
        assert changes is not None, "an edited event needs `changes`"
        data["changes"] = changes
    data["pull_request"] = renderer.pull(pull)
    data.update(_envelope(renderer, pull.repo, sender or pull.user))
    return data


def issue_comment(
    source: FakeGitHub | Renderer,
    comment: IssueComment,
    action: str = "created",
    *,
    changes: dict[str, Any] | None = None,
    sender: User | None = None,
) -> Json:
    """An `issue_comment` payload; the issue has a `pull_request` key when it is a pull."""
    assert action in ("created", "edited", "deleted"), action
    renderer = _renderer(source)
    data: Json = {"action": action}
    if action == "edited":
        data["changes"] = changes if changes is not None else {}
    data["issue"] = renderer.issue(comment.repo, comment.issue_number)
    data["comment"] = renderer.issue_comment(comment)
    data.update(_envelope(renderer, comment.repo, sender or comment.user))
    return data


def workflow_dispatch(
    source: FakeGitHub | Renderer,
    repo: Repo,
    inputs: dict[str, str] | None = None,
    *,
    ref: str | None = None,
    sender: User | None = None,
    workflow: str = WORKFLOW,
) -> Json:
    """A `workflow_dispatch` payload; inputs are strings, as the runner passes them."""
    renderer = _renderer(source)
    data: Json = {
        "inputs": dict(inputs or {}),
        "ref": ref or f"refs/heads/{repo.default_branch}",
        "workflow": workflow,
    }
    data.update(_envelope(renderer, repo, sender or repo.owner))
    return data


def schedule(
    source: FakeGitHub | Renderer,
    repo: Repo,
    cron: str = "17 4 * * *",
    *,
    sender: User | None = None,
    workflow: str = WORKFLOW,
) -> Json:
    """A `schedule` payload: the cron line, the workflow, the repository and the sender (who
    last edited the cron), as the runner writes it; GitHub publishes no schema for it."""
    renderer = _renderer(source)
    data: Json = {"schedule": cron, "workflow": workflow}
    data.update(_envelope(renderer, repo, sender or repo.owner))
    return data


def write_event(directory: Path, payload: Json, name: str = "event.json") -> Path:
    """Write a payload where GITHUB_EVENT_PATH can point."""
    path = directory / name
    path.write_text(json.dumps(payload, indent=2), encoding="utf-8")
    return path


def actions_env(
    server: FakeGitHub,
    event_name: str,
    payload: Json,
    event_path: Path,
    *,
    token: str | None = None,
) -> dict[str, str]:
    """The variables a GitHub-hosted runner sets for a job triggered by this event."""
    world = server.world
    repo = world.repo(payload["repository"]["full_name"])
    default_tip = repo.branches.get(repo.default_branch, "")
    sha, ref, head_ref, base_ref = default_tip, f"refs/heads/{repo.default_branch}", "", ""
    if event_name in PULL_EVENTS:
        pull = world.pull(repo, payload["number"])
        head_ref, base_ref = pull.head_ref, pull.base_ref
        if event_name == "pull_request":
            sha, ref = pull.merge_commit_sha or pull.head_sha, f"refs/pull/{pull.number}/merge"
        else:
            sha, ref = repo.branches.get(pull.base_ref, pull.base_sha), f"refs/heads/{base_ref}"
    elif event_name == "workflow_dispatch":
        ref = payload["ref"]
        sha = world.resolve_ref(repo, ref) or default_tip
    graphql = f"{server.root_url}/api/graphql" if server.enterprise else f"{server.api_url}/graphql"
    return {
        "CI": "true",
        "GITHUB_ACTIONS": "true",
        "GITHUB_EVENT_NAME": event_name,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_REPOSITORY": repo.full_name,
        "GITHUB_REPOSITORY_OWNER": repo.owner.login,
        "GITHUB_REPOSITORY_ID": str(repo.id),
        "GITHUB_API_URL": server.api_url,
        "GITHUB_SERVER_URL": server.root_url,
        "GITHUB_GRAPHQL_URL": graphql,
        "GITHUB_TOKEN": token or server.token,
        "GITHUB_ACTOR": payload["sender"]["login"],
        "GITHUB_SHA": sha,
        "GITHUB_REF": ref,
        "GITHUB_REF_NAME": ref.removeprefix("refs/heads/").removeprefix("refs/pull/"),
        "GITHUB_HEAD_REF": head_ref,
        "GITHUB_BASE_REF": base_ref,
        "GITHUB_WORKFLOW": "zoo-review",
        "GITHUB_RUN_ID": "1234567890",
        "GITHUB_RUN_ATTEMPT": "1",
    }
