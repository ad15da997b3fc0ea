"""The fake GitHub REST API: PyGithub against it, faults, and shapes checked with githubkit."""

from __future__ import annotations

import base64
import importlib
import importlib.util
import json
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
import requests
from github import Auth, Github, GithubException, GithubRetry
from github.GithubException import (
    BadCredentialsException,
    RateLimitExceededException,
    UnknownObjectException,
)

from tests.fakegithub import payloads
from tests.fakegithub.diffs import compare, diff_lines, find_line, unified_patch
from tests.fakegithub.server import ROUTES, FakeGitHub, LoggedRequest
from tests.fakegithub.state import ACTIONS_ID, ACTIONS_LOGIN, PERMISSION_LEVELS, Pull, Repo, World

CONFIG_V1 = """_base_ = "../_base_/models/faster_rcnn_r50_fpn.py"
model = dict(
    backbone=dict(depth=50),
    roi_head=dict(num_classes=10),
)
lr = 0.02
"""
CONFIG_V2 = CONFIG_V1.replace("depth=50", "depth=101").replace("lr = 0.02", "lr = 0.01")
README = "# BDD100K model zoo\n\n| Model | mAP |\n| --- | --- |\n| faster_rcnn_r50 | 31.0 |\n"
README_V2 = README + "| faster_rcnn_r101 | 32.4 |\n"
# GitHub API versions whose OpenAPI-generated models the responses must satisfy.
API_VERSIONS = ("v2022_11_28", "v2026_03_10")


@dataclass
class Scenario:
    """A zoo repository, a contributor's fork and a pull request from it."""

    world: World
    repo: Repo
    fork: Repo
    pull: Pull
    base: str
    head: str


def make_scenario() -> Scenario:
    """The world most tests start from."""
    world = World()
    repo = world.add_repo(
        "bdd100k/bdd100k-models",
        owner_type="Organization",
        files={
            "README.md": README,
            "det/configs/faster_rcnn_r50.py": CONFIG_V1,
            "det/old_model.py": "print('old')\n",
            "docs/guide.md": "Guide\n" + "".join(f"line {i}\n" for i in range(40)),
        },
    )
    base = repo.branches["main"]
    fork = world.fork(repo, "contributor")
    head = world.add_commit(
        fork,
        {
            "README.md": README_V2,
            "det/configs/faster_rcnn_r50.py": None,
            "det/configs/faster_rcnn_r101.py": CONFIG_V2,
            "det/old_model.py": None,
            "docs/guide.md": "Guide\n" + "".join(f"line {i}\n" for i in range(40)) + "end",
        },
        parent=base,
        author="contributor",
    )
    body = "## Model\n\nFaster R-CNN R101.\n\n- [x] scores attached\n"
    pull = world.open_pull(repo, base, head, body, "contributor", head_repo=fork)
    return Scenario(world, repo, fork, pull, base, head)


@pytest.fixture
def scenario() -> Scenario:
    """A fresh world per test."""
    return make_scenario()


@pytest.fixture
def server(scenario: Scenario) -> Iterator[FakeGitHub]:
    """The fake in api.github.com style."""
    with FakeGitHub(scenario.world) as fake:
        yield fake


@pytest.fixture(params=["dotcom", "enterprise"])
def both(request: pytest.FixtureRequest, scenario: Scenario) -> Iterator[FakeGitHub]:
    """The fake in each URL style: https://api.github.com-like and https://host/api/v3-like."""
    with FakeGitHub(scenario.world, enterprise=request.param == "enterprise") as fake:
        yield fake


def models(version: str) -> ModuleType:
    """githubkit's pydantic models for one GitHub API version (skips when not installed)."""
    if importlib.util.find_spec("githubkit_schemas") is None:
        pytest.skip("install the test dependencies: githubkit, githubkit-schemas[2022-11-28]")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return importlib.import_module(f"githubkit_schemas.{version}.models")


# -- reading through PyGithub ---------------------------------------------------------------


def test_repo_pull_contents_and_tree_in_both_url_styles(
    both: FakeGitHub, scenario: Scenario
) -> None:
    gh = both.client()
    repo = gh.get_repo("bdd100k/bdd100k-models")
    assert repo.full_name == "bdd100k/bdd100k-models"
    assert repo.default_branch == "main"
    assert repo.url.startswith(both.api_url + "/repos/")
    pull = repo.get_pull(scenario.pull.number)
    assert pull.head.sha == scenario.head
    assert pull.base.sha == scenario.base
    assert pull.head.repo.full_name == "contributor/bdd100k-models"
    assert pull.head.repo.fork is True
    assert pull.user.login == "contributor"
    assert pull.body.startswith("## Model")
    assert pull.changed_files == 4

    head_readme = repo.get_contents("README.md", ref=pull.head.sha)
    assert not isinstance(head_readme, list)
    assert head_readme.decoded_content.decode() == README_V2
    assert head_readme.encoding == "base64"
    base_readme = repo.get_contents("README.md", ref=pull.base.ref)
    assert not isinstance(base_readme, list)
    assert base_readme.decoded_content.decode() == README
    listing = repo.get_contents("det", ref=pull.head.sha)
    assert isinstance(listing, list)
    assert sorted(item.path for item in listing) == ["det/configs"]
    with pytest.raises(UnknownObjectException) as missing:
        repo.get_contents("det/old_model.py", ref=pull.head.sha)
    assert missing.value.status == 404

    tree = repo.get_git_tree(pull.head.sha, recursive=True)
    paths = {(e.path, e.type) for e in tree.tree}
    assert ("det", "tree") in paths
    assert ("det/configs/faster_rcnn_r101.py", "blob") in paths
    assert ("det/old_model.py", "blob") not in paths
    top = repo.get_git_tree(pull.head.sha)
    assert {e.path for e in top.tree} == {"README.md", "det", "docs"}

    commit = repo.get_commit(pull.head.sha)
    assert commit.sha == scenario.head
    assert commit.parents[0].sha == scenario.base
    assert pull.as_issue().number == pull.number
    both.assert_no_unknown_routes()
    assert {e.prefix for e in both.log} == {"/api/v3" if both.enterprise else ""}


def test_files_match_github_patch_format(server: FakeGitHub, scenario: Scenario) -> None:
    pull = server.client().get_repo(scenario.repo.full_name).get_pull(scenario.pull.number)
    files = {f.filename: f for f in pull.get_files()}
    assert list(files) == sorted(files)
    renamed = files["det/configs/faster_rcnn_r101.py"]
    assert renamed.status == "renamed"
    assert renamed.previous_filename == "det/configs/faster_rcnn_r50.py"
    assert renamed.patch.startswith("@@ ")
    assert "-    backbone=dict(depth=50)," in renamed.patch
    assert "+    backbone=dict(depth=101)," in renamed.patch
    assert (renamed.additions, renamed.deletions) == (2, 2)
    assert files["det/old_model.py"].status == "removed"
    assert files["det/old_model.py"].patch == "@@ -1 +0,0 @@\n-print('old')"
    readme = files["README.md"]
    assert readme.status == "modified"
    assert readme.patch.endswith("+| faster_rcnn_r101 | 32.4 |")
    guide = files["docs/guide.md"]
    assert guide.patch.endswith("+end\n\\ No newline at end of file")
    assert not any(
        line.startswith(("diff --git", "---", "+++")) for line in guide.patch.split("\n")
    )


def test_files_paginate_250_with_link_headers(server: FakeGitHub) -> None:
    world = server.world
    repo = world.add_repo("zoo/many", files={"README.md": "zoo\n"})
    base = repo.branches["main"]
    head = world.add_commit(repo, {f"m/{i:03d}.py": f"v = {i}\n" for i in range(250)}, base)
    pull = world.open_pull(repo, base, head, "many", "alice")

    gh = server.client(per_page=100)
    files = list(gh.get_repo("zoo/many").get_pull(pull.number).get_files())
    assert [f.filename for f in files] == [f"m/{i:03d}.py" for i in range(250)]
    pages = server.log.find("GET", r"/repos/zoo/many/pulls/\d+/files")
    assert [(e.query.get("page"), len(e.response)) for e in pages] == [
        (None, 100),
        ("2", 100),
        ("3", 50),
    ]
    # PyGithub followed GitHub-style links through /repositories/{id}/….
    raw = httpx.get(
        f"{server.api_url}/repos/zoo/many/pulls/{pull.number}/files?per_page=100&page=2",
        headers={"Authorization": f"Bearer {server.token}"},
    )
    link = raw.headers["Link"]
    assert f"/repositories/{repo.id}/pulls/{pull.number}/files?per_page=100&page=1>" in link
    assert [part.split("; ")[1] for part in link.split(", ")] == [
        'rel="prev"',
        'rel="next"',
        'rel="last"',
        'rel="first"',
    ]


def test_files_stop_at_3000_like_github(server: FakeGitHub) -> None:
    world = server.world
    repo = world.add_repo("zoo/huge", files={"README.md": "zoo\n"})
    base = repo.branches["main"]
    head = world.add_commit(repo, {f"m/{i:04d}.txt": "x\n" for i in range(3005)}, base)
    pull = world.open_pull(repo, base, head, "huge", "alice")
    gh_pull = server.client(per_page=100).get_repo("zoo/huge").get_pull(pull.number)
    assert gh_pull.changed_files == 3005
    assert len(list(gh_pull.get_files())) == 3000


# -- writing through PyGithub ---------------------------------------------------------------


def test_issue_comments_create_edit_delete_and_paginate(
    both: FakeGitHub, scenario: Scenario
) -> None:
    pull = both.client().get_repo(scenario.repo.full_name).get_pull(scenario.pull.number)
    for i in range(33):
        scenario.world.add_issue_comment(scenario.repo, scenario.pull.number, "reviewer", f"c{i}")
    created = pull.create_issue_comment("<!-- zoo-review -->\nFirst review")
    assert created.user.login == ACTIONS_LOGIN
    assert created.user.type == "Bot"
    assert created.html_url.endswith(f"/pull/{scenario.pull.number}#issuecomment-{created.id}")
    comments = list(pull.get_issue_comments())
    assert len(comments) == 34
    assert comments[-1].id == created.id
    assert both.log.count("GET", r".*/issues/\d+/comments") == 2  # 30 per page by default

    created.edit("<!-- zoo-review -->\nSecond review")
    assert pull.get_issue_comment(created.id).body.endswith("Second review")
    created.delete()
    with pytest.raises(UnknownObjectException):
        pull.get_issue_comment(created.id)
    assert both.log.count("POST", r".*/issues/\d+/comments") == 1
    assert [e.status for e in both.log.find("DELETE")] == [204]


def test_review_with_inline_comments(server: FakeGitHub, scenario: Scenario) -> None:
    gh = server.client()
    repo = gh.get_repo(scenario.repo.full_name)
    pull = repo.get_pull(scenario.pull.number)
    head = repo.get_commit(pull.head.sha)
    review = pull.create_review(
        commit=head,
        body="zoo-review found 2 problems",
        event="COMMENT",
        comments=[
            {"path": "README.md", "line": 6, "side": "RIGHT", "body": "score?"},
            {"path": "det/old_model.py", "line": 1, "side": "LEFT", "body": "why removed?"},
            {"path": "docs/guide.md", "position": 4, "body": "by position"},
        ],
    )
    assert review.state == "COMMENTED"
    assert review.commit_id == scenario.head
    assert review.user.login == ACTIONS_LOGIN
    inline = list(pull.get_review_comments())
    assert [(c.path, c.line, c.side) for c in inline] == [
        ("README.md", 6, "RIGHT"),
        ("det/old_model.py", 1, "LEFT"),
        ("docs/guide.md", 42, "RIGHT"),
    ]
    assert all(c.pull_request_review_id == review.id for c in inline)
    assert inline[0].diff_hunk.startswith("@@ ")
    assert inline[0].diff_hunk.endswith("+| faster_rcnn_r101 | 32.4 |")
    assert [r.state for r in pull.get_reviews()] == ["COMMENTED"]


def test_review_rejections_like_github(server: FakeGitHub, scenario: Scenario) -> None:
    pull = server.client().get_repo(scenario.repo.full_name).get_pull(scenario.pull.number)
    outside = {"path": "docs/guide.md", "line": 2, "side": "RIGHT", "body": "not in the diff"}
    inside = {"path": "README.md", "line": 6, "body": "fine"}
    with pytest.raises(GithubException) as bad_line:
        pull.create_review(body="x", event="COMMENT", comments=[inside, outside])
    assert bad_line.value.status == 422
    assert bad_line.value.data["errors"] == ["Line could not be resolved"]
    assert scenario.world.reviews == {}, "all or nothing: no review, no comment"
    assert scenario.world.review_comments == {}

    for event in ("APPROVE", "REQUEST_CHANGES"):
        with pytest.raises(GithubException) as refused:
            pull.create_review(body="ok", event=event)
        assert refused.value.status == 422
        assert refused.value.data["message"] == "Unprocessable Entity"
        assert refused.value.data["errors"] == [
            "GitHub Actions is not permitted to approve pull requests."
        ]

    with pytest.raises(GithubException) as single:
        pull.create_review_comment("x", scenario.head, "docs/guide.md", line=2, side="RIGHT")
    assert single.value.data["message"] == "Validation Failed"
    assert (
        single.value.data["errors"][0]["message"]
        == "pull_request_review_thread.line must be part of the diff"
    )

    server.add_token("ghp_author", "contributor")
    own = server.client("ghp_author").get_repo(scenario.repo.full_name).get_pull(pull.number)
    with pytest.raises(GithubException) as self_approval:
        own.create_review(body="lgtm", event="APPROVE")
    assert self_approval.value.data["errors"] == ["Can not approve your own pull request"]
    assert [e.status for e in server.log.find("POST")] == [422] * 5


def test_statuses_round_trip(server: FakeGitHub, scenario: Scenario) -> None:
    repo = server.client().get_repo(scenario.repo.full_name)
    commit = repo.get_commit(scenario.head)
    commit.create_status("pending", description="reviewing", context="zoo-review")
    commit.create_status(
        "failure",
        target_url="http://127.0.0.1/run/1",
        description="2 problems",
        context="zoo-review",
    )
    commit.create_status("success", context="lint")
    statuses = list(commit.get_statuses())
    assert [(s.context, s.state) for s in statuses] == [
        ("lint", "success"),
        ("zoo-review", "failure"),
        ("zoo-review", "pending"),
    ]
    assert statuses[1].creator.login == ACTIONS_LOGIN
    combined = commit.get_combined_status()
    assert combined.state == "failure"
    assert {(s.context, s.state) for s in combined.statuses} == {
        ("lint", "success"),
        ("zoo-review", "failure"),
    }
    with pytest.raises(GithubException) as bad:
        commit.create_status("done")
    assert bad.value.status == 422


def test_reactions(server: FakeGitHub, scenario: Scenario) -> None:
    command = scenario.world.add_issue_comment(
        scenario.repo, scenario.pull.number, "contributor", "/zoo-review"
    )
    pull = server.client().get_repo(scenario.repo.full_name).get_pull(scenario.pull.number)
    comment = pull.get_issue_comment(command.id)
    first = comment.create_reaction("eyes")
    again = comment.create_reaction("eyes")
    comment.create_reaction("rocket")
    assert first.id == again.id
    assert [e.status for e in server.log.find("POST")] == [201, 200, 201]
    assert sorted(r.content for r in comment.get_reactions()) == ["eyes", "rocket"]
    assert pull.get_issue_comment(command.id).reactions["total_count"] == 2
    with pytest.raises(GithubException) as bad:
        comment.create_reaction("thumbsup")
    assert bad.value.status == 422


def test_collaborator_permission_levels(server: FakeGitHub, scenario: Scenario) -> None:
    world = server.world
    secret = world.add_repo("bdd100k/secret", private=True, files={"a": "b"})
    for level in PERMISSION_LEVELS:
        world.grant(scenario.repo, f"user-{level}", level)
        world.grant(secret, f"user-{level}", level)
    gh = server.client()
    public, private = gh.get_repo(scenario.repo.full_name), gh.get_repo("bdd100k/secret")
    seen = {
        level: (
            public.get_collaborator_permission(f"user-{level}"),
            public.get_collaborator_role_name(f"user-{level}"),
            private.get_collaborator_permission(f"user-{level}"),
        )
        for level in PERMISSION_LEVELS
    }
    assert seen == {
        "admin": ("admin", "admin", "admin"),
        "maintain": ("write", "maintain", "write"),
        "write": ("write", "write", "write"),
        "triage": ("read", "triage", "read"),
        "read": ("read", "read", "read"),
        # Anybody may read a public repository.
        "none": ("read", "read", "none"),
    }
    assert public.get_collaborator_permission("bdd100k") == "admin"  # the owner
    with pytest.raises(UnknownObjectException):
        public.get_collaborator_permission("nobody-at-all")


def test_authentication_and_identity(server: FakeGitHub) -> None:
    gh = server.client()
    with pytest.raises(GithubException) as integration:
        _ = gh.get_user().login
    assert integration.value.status == 403
    assert integration.value.data["message"] == "Resource not accessible by integration"
    bot = gh.get_user(ACTIONS_LOGIN)
    assert (bot.id, bot.type) == (ACTIONS_ID, "Bot")

    server.add_token("ghp_maintainer", "maintainer")
    assert server.client("ghp_maintainer").get_user().login == "maintainer"

    with pytest.raises(BadCredentialsException):
        server.client("ghp_wrong").get_repo("bdd100k/bdd100k-models")
    anonymous = httpx.get(f"{server.api_url}/repos/bdd100k/bdd100k-models")
    assert anonymous.status_code == 401
    assert anonymous.json()["message"] == "Requires authentication"
    assert [e.identity for e in server.log][-2:] == [None, None]


def test_read_only_token_like_a_fork_pull_request(server: FakeGitHub, scenario: Scenario) -> None:
    server.add_token("ghs_readonly", ACTIONS_LOGIN, write=False)
    pull = server.client("ghs_readonly").get_repo(scenario.repo.full_name).get_pull(1)
    with pytest.raises(GithubException) as refused:
        pull.create_issue_comment("hello")
    assert refused.value.status == 403
    assert refused.value.data["message"] == "Resource not accessible by integration"
    assert scenario.world.comments_on(scenario.repo, 1) == []


def test_headers_unknown_routes_and_log(server: FakeGitHub) -> None:
    answer = httpx.get(
        f"{server.api_url}/repos/bdd100k/bdd100k-models/labels",
        headers={"Authorization": f"token {server.token}"},
    )
    assert answer.status_code == 404
    assert answer.json() == {
        "message": "Not Found",
        "documentation_url": "https://docs.github.com/rest",
        "status": "404",
    }
    assert answer.headers["X-GitHub-Request-Id"]
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    assert answer.headers["X-RateLimit-Remaining"] == "999"
    assert answer.headers["X-RateLimit-Resource"] == "core"
    assert [(e.method, e.path) for e in server.log.unknown] == [
        ("GET", "/repos/bdd100k/bdd100k-models/labels")
    ]
    with pytest.raises(AssertionError, match="unserved GitHub API calls"):
        server.assert_no_unknown_routes()
    assert server.log.writes() == []


# -- faults ---------------------------------------------------------------------------------


def _comment_posts(server: FakeGitHub) -> list[LoggedRequest]:
    return server.log.find("POST", r"/repos/[^/]+/[^/]+/issues/\d+/comments")


def test_secondary_rate_limit_is_waited_out_by_pygithub(
    server: FakeGitHub, scenario: Scenario
) -> None:
    pull = server.client().get_repo(scenario.repo.full_name).get_pull(1)
    server.faults.secondary_rate_limit("/repos/*/issues/*/comments", method="POST")
    started = time.monotonic()
    pull.create_issue_comment("after a pause")
    waited = time.monotonic() - started
    assert 0.9 <= waited < 5, waited  # urllib3 sleeps Retry-After: 1, then retries
    assert [(e.status, e.fault) for e in _comment_posts(server)] == [
        (403, "secondary_rate_limit"),
        (201, None),
    ]
    assert len(scenario.world.comments_on(scenario.repo, 1)) == 1


def test_rate_limits_without_retries_or_beyond_them(server: FakeGitHub, scenario: Scenario) -> None:
    bare = server.client(retry=None).get_repo(scenario.repo.full_name).get_pull(1)
    server.faults.secondary_rate_limit("/repos/*/issues/*/comments")
    with pytest.raises(RateLimitExceededException) as limited:
        bare.create_issue_comment("x")
    assert limited.value.headers["retry-after"] == "1"

    few = server.client(retry=GithubRetry(total=2)).get_repo(scenario.repo.full_name)
    server.faults.secondary_rate_limit("/repos/*/pulls/1", times=5, retry_after=0)
    with pytest.raises(requests.exceptions.RetryError):  # not a GithubException
        few.get_pull(1)
    assert len(server.log.find("GET", r"/repos/[^/]+/[^/]+/pulls/1", status=403)) == 3


def test_primary_rate_limit_answer(server: FakeGitHub) -> None:
    server.faults.primary_rate_limit("/repos/*", reset_in=30)
    answer = httpx.get(
        f"{server.api_url}/repos/bdd100k/bdd100k-models",
        headers={"Authorization": f"token {server.token}"},
    )
    assert answer.status_code == 403
    assert answer.json()["message"].startswith("API rate limit exceeded")
    assert answer.headers["X-RateLimit-Remaining"] == "0"
    assert int(answer.headers["X-RateLimit-Reset"]) >= time.time() + 29
    assert server.log.entries[-1].fault == "primary_rate_limit"


def test_502_after_success_makes_pygithub_post_twice(
    server: FakeGitHub, scenario: Scenario
) -> None:
    pull = server.client().get_repo(scenario.repo.full_name).get_pull(1)
    server.faults.fail_after_success("/repos/*/issues/*/comments")
    pull.create_issue_comment("only once, hopefully")
    # GithubRetry retries POSTs on 5xx: the client saw success, GitHub has two comments.
    assert [(e.status, e.performed) for e in _comment_posts(server)] == [(502, True), (201, True)]
    assert len(scenario.world.comments_on(scenario.repo, 1)) == 2


def test_502_after_success_without_retries(server: FakeGitHub, scenario: Scenario) -> None:
    pull = server.client(retry=None).get_repo(scenario.repo.full_name).get_pull(1)
    server.faults.fail_after_success("/repos/*/issues/*/comments")
    with pytest.raises(GithubException) as gateway:
        pull.create_issue_comment("lost answer")
    assert gateway.value.status == 502
    assert "Unicorn!" in gateway.value.data["data"]  # PyGithub wraps the HTML body
    [comment] = scenario.world.comments_on(scenario.repo, 1)
    assert comment.body == "lost answer"
    assert [c.body for c in pull.get_issue_comments()] == ["lost answer"]


def test_head_moves_after_k_requests(server: FakeGitHub, scenario: Scenario) -> None:
    world = scenario.world
    newer = world.add_commit(scenario.fork, {"README.md": README_V2 + "more\n"}, scenario.head)
    repo = server.client().get_repo(scenario.repo.full_name)
    server.faults.move_head(scenario.pull, newer, after_requests=1)
    assert repo.get_pull(1).head.sha == scenario.head
    assert repo.get_pull(1).head.sha == newer
    [moved] = [e for e in server.log if e.triggers]
    assert moved.triggers == ["move_head"]


def test_head_moves_on_first_write_and_old_commit_still_reviewable(
    server: FakeGitHub, scenario: Scenario
) -> None:
    world = scenario.world
    newer = world.add_commit(scenario.fork, {"README.md": README}, scenario.head)
    repo = server.client().get_repo(scenario.repo.full_name)
    pull = repo.get_pull(1)
    old_head = repo.get_commit(pull.head.sha)
    server.faults.move_head(scenario.pull, newer, on_first_write=True)
    old_head.create_status("pending", context="zoo-review")
    assert scenario.pull.head_sha == newer
    review = pull.create_review(
        commit=old_head,
        event="COMMENT",
        body="stale",
        comments=[{"path": "README.md", "line": 6, "body": "anchored to the old diff"}],
    )
    assert review.commit_id == scenario.head
    assert repo.get_pull(1).head.sha == newer
    assert world.pull_files(scenario.pull)[0].filename != "README.md"  # reverted in newer
    assert [s.sha for s in world.statuses] == [scenario.head]
    payload = payloads.pull_request(server, scenario.pull, "synchronize")
    assert (payload["before"], payload["after"]) == (scenario.head, newer)


def test_body_edited_mid_run(server: FakeGitHub, scenario: Scenario) -> None:
    repo = server.client().get_repo(scenario.repo.full_name)
    server.faults.edit_body(scenario.pull, "## Model\n\nEdited.", after_requests=1)
    first = repo.get_pull(1).body
    second = repo.get_pull(1).body
    assert first.startswith("## Model\n\nFaster")
    assert second == "## Model\n\nEdited."


def test_delay_fault(server: FakeGitHub) -> None:
    repo = server.client().get_repo("bdd100k/bdd100k-models")
    server.faults.delay("/repos/*/pulls/1", 0.3, times=1)
    started = time.monotonic()
    repo.get_pull(1)
    assert time.monotonic() - started >= 0.3


# -- shapes against GitHub's published schemas ----------------------------------------------

ROUTE_MODELS: dict[str, str | None] = {
    "repos/get": "FullRepository",
    "users/get-authenticated": "PrivateUser",
    "users/get-by-username": "PublicUser",
    "repos/get-collaborator-permission-level": "RepositoryCollaboratorPermission",
    "rate-limit/get": "RateLimitOverview",
    "pulls/get": "PullRequest",
    "pulls/list-files": "DiffEntry",
    "repos/get-content": "ContentFile",
    "git/get-tree": "GitTree",
    "repos/download-tarball-archive": None,  # a redirect
    "codeload/legacy-tar-gz": None,  # the archive itself, not JSON
    "repos/list-commit-statuses-for-ref": "Status",
    "repos/get-combined-status-for-ref": "CombinedCommitStatus",
    "repos/get-commit": "Commit",
    "repos/create-commit-status": "Status",
    "issues/get": "Issue",
    "issues/list-for-repo": "Issue",
    "issues/create": "Issue",
    "issues/update": "Issue",
    "issues/list-comments": "IssueComment",
    "issues/create-comment": "IssueComment",
    "issues/get-comment": "IssueComment",
    "issues/update-comment": "IssueComment",
    "issues/delete-comment": None,
    "reactions/list-for-issue-comment": "Reaction",
    "reactions/create-for-issue-comment": "Reaction",
    "pulls/list-review-comments": "PullRequestReviewComment",
    "pulls/create-review-comment": "PullRequestReviewComment",
    "pulls/list-reviews": "PullRequestReview",
    "pulls/get-review": "PullRequestReview",
    "pulls/create-review": "PullRequestReview",
}


def exercise_every_route(server: FakeGitHub, scenario: Scenario) -> None:
    """Call every endpoint the fake serves, successes and errors alike."""
    server.add_token("ghp_maintainer", "maintainer")
    scenario.world.grant(scenario.repo, "maintainer", "maintain")
    gh = server.client()
    repo = gh.get_repo(scenario.repo.full_name)
    pull = repo.get_pull(1)
    list(pull.get_files())
    repo.get_contents("README.md", ref=pull.head.sha)
    repo.get_contents("det", ref=pull.head.sha)
    repo.get_git_tree(pull.head.sha, recursive=True)
    _status, _headers, archive = repo.requester.getStream(f"{repo.url}/tarball/{pull.head.sha}")
    assert b"".join(archive).startswith(b"\x1f\x8b")  # gzip
    commit = repo.get_commit(pull.head.sha)
    repo.get_collaborator_permission("maintainer")
    gh.get_user(ACTIONS_LOGIN).name  # noqa: B018
    server.client("ghp_maintainer").get_user().login  # noqa: B018
    gh.get_rate_limit()
    pull.as_issue()
    comment = pull.create_issue_comment("hello")
    comment.edit("hello again")
    pull.get_issue_comment(comment.id)
    list(pull.get_issue_comments())
    comment.create_reaction("heart")
    list(comment.get_reactions())
    review = pull.create_review(
        commit=commit,
        body="review",
        event="COMMENT",
        comments=[{"path": "README.md", "line": 6, "side": "RIGHT", "body": "x"}],
    )
    pull.get_review(review.id)
    list(pull.get_reviews())
    list(pull.get_review_comments())
    pull.create_review_comment("one more", commit, "README.md", line=5, side="RIGHT")
    commit.create_status("success", context="zoo-review")
    list(commit.get_statuses())
    commit.get_combined_status()
    comment.delete()
    plain = scenario.world.open_issue(scenario.repo, "question", "plain issue", "someone")
    repo.get_issue(plain.number)
    made = repo.create_issue("audit", "found things")
    made.edit(body="found more", state="closed", state_reason="completed")
    assert [i.number for i in repo.get_issues(state="all", creator=ACTIONS_LOGIN)] == [made.number]  # type: ignore[arg-type]
    assert {i.number for i in repo.get_issues(state="open")} == {plain.number, pull.number}
    # Errors, whose bodies must have GitHub's error shape too.
    for call in (
        lambda: repo.get_contents("nope.txt", ref=pull.head.sha),
        lambda: gh.get_user().login,
        lambda: pull.create_review(event="APPROVE", body="x"),
        lambda: pull.create_review_comment("x", commit, "docs/guide.md", line=1),
        lambda: repo.get_commit("0" * 40),
        lambda: commit.create_status("nope"),
    ):
        with pytest.raises(GithubException):
            call()


def error_model(entry: LoggedRequest) -> str:
    """GitHub's error schema for a logged error answer."""
    errors = entry.response.get("errors") or [None]
    return "ValidationError" if isinstance(errors[0], dict) else "BasicError"


@pytest.mark.parametrize("version", API_VERSIONS)
def test_every_response_matches_githubkit_models(version: str) -> None:
    schema = models(version)
    validated: set[str] = set()
    for enterprise in (False, True):
        scenario = make_scenario()
        with FakeGitHub(scenario.world, enterprise=enterprise) as server:
            exercise_every_route(server, scenario)
        for entry in server.log:
            if entry.status >= 400:
                getattr(schema, error_model(entry)).model_validate(entry.response)
                continue
            assert entry.route is not None
            validated.add(entry.route)
            name = ROUTE_MODELS[entry.route]
            if name is None:
                assert entry.response is None
                continue
            if entry.route == "repos/get-content" and isinstance(entry.response, list):
                name = "ContentDirectoryItems"
            items = entry.response if isinstance(entry.response, list) else [entry.response]
            assert items, entry
            for item in items:
                getattr(schema, name).model_validate(item)
    assert validated == {r.name for r in ROUTES} == set(ROUTE_MODELS)


def test_schema_check_is_not_vacuous(server: FakeGitHub, scenario: Scenario) -> None:
    schema = models("v2022_11_28")
    pull = server.renderer().pull(scenario.pull)
    del pull["head"]
    with pytest.raises(ValueError, match="head"):
        schema.PullRequest.model_validate(pull)


def event_payloads(server: FakeGitHub, scenario: Scenario) -> list[tuple[str, str, dict[str, Any]]]:
    """(event name, webhook model, payload) for every event the Action handles."""
    world, pull = scenario.world, scenario.pull
    newer = world.add_commit(scenario.fork, {"NEW.md": "new\n"}, scenario.head)
    world.move_head(pull, newer)
    changes = world.edit_pull(pull, body="edited body")
    on_pull = world.add_issue_comment(scenario.repo, pull.number, "maintainer", "/zoo-review")
    issue = world.open_issue(scenario.repo, "Question", "Is R101 allowed?", "someone")
    on_issue = world.add_issue_comment(scenario.repo, issue.number, "someone", "/zoo-review")
    edited = {"body": {"from": "/zoo-revie"}}
    found: list[tuple[str, str, dict[str, Any]]] = []
    for event in payloads.PULL_EVENTS:
        found += [
            (event, "WebhookPullRequestOpened", payloads.pull_request(server, pull, "opened")),
            (
                event,
                "WebhookPullRequestSynchronize",
                payloads.pull_request(server, pull, "synchronize"),
            ),
            (event, "WebhookPullRequestReopened", payloads.pull_request(server, pull, "reopened")),
            (
                event,
                "WebhookPullRequestEdited",
                payloads.pull_request(server, pull, "edited", changes=changes),
            ),
            (
                event,
                "WebhookPullRequestReadyForReview",
                payloads.pull_request(server, pull, "ready_for_review"),
            ),
        ]
    found += [
        ("issue_comment", "WebhookIssueCommentCreated", payloads.issue_comment(server, on_pull)),
        ("issue_comment", "WebhookIssueCommentCreated", payloads.issue_comment(server, on_issue)),
        (
            "issue_comment",
            "WebhookIssueCommentEdited",
            payloads.issue_comment(server, on_pull, "edited", changes=edited),
        ),
        (
            "workflow_dispatch",
            "WebhookWorkflowDispatch",
            payloads.workflow_dispatch(server, scenario.repo, {"pr": str(pull.number)}),
        ),
    ]
    return found


@pytest.mark.parametrize("version", API_VERSIONS)
def test_event_payloads_match_githubkit_webhook_models(
    server: FakeGitHub, scenario: Scenario, version: str
) -> None:
    schema = models(version)
    found = event_payloads(server, scenario)
    for _event, name, payload in found:
        getattr(schema, name).model_validate(payload)
    by_model = {name: payload for _event, name, payload in found}
    assert by_model["WebhookPullRequestSynchronize"]["after"] == scenario.pull.head_sha
    assert by_model["WebhookPullRequestEdited"]["changes"]["body"]["from"].startswith("## Model")
    [on_pull, on_issue] = [p for _e, n, p in found if n == "WebhookIssueCommentCreated"]
    assert "pull_request" in on_pull["issue"]
    assert "pull_request" not in on_issue["issue"]
    assert by_model["WebhookWorkflowDispatch"]["inputs"] == {"pr": "1"}
    # GitHub publishes no schema for `schedule`: check its parts against their models.
    cron = payloads.schedule(server, scenario.repo)
    assert set(cron) == {"schedule", "workflow", "repository", "sender", "organization"}
    schema.RepositoryWebhooks.model_validate(cron["repository"])
    schema.SimpleUser.model_validate(cron["sender"])


def test_payloads_agree_with_the_api(
    server: FakeGitHub, scenario: Scenario, tmp_path: Path
) -> None:
    payload = payloads.pull_request(server, scenario.pull, "opened")
    path = payloads.write_event(tmp_path, payload)
    env = payloads.actions_env(server, "pull_request", payload, path)
    assert json.loads(Path(env["GITHUB_EVENT_PATH"]).read_text()) == payload
    assert env["GITHUB_REF"] == "refs/pull/1/merge"
    assert env["GITHUB_REF_NAME"] == "1/merge"
    assert env["GITHUB_HEAD_REF"] == "add-model"
    assert env["GITHUB_SHA"] == scenario.pull.merge_commit_sha
    gh = Github(base_url=env["GITHUB_API_URL"], auth=Auth.Token(env["GITHUB_TOKEN"]))
    repo = gh.get_repo(env["GITHUB_REPOSITORY"])
    api_pull = repo.get_pull(payload["number"])
    assert api_pull.raw_data == payload["pull_request"] | {"url": api_pull.url}
    merged = repo.get_contents("README.md", ref=env["GITHUB_SHA"])
    assert not isinstance(merged, list)
    assert merged.decoded_content.decode() == README_V2
    target = payloads.actions_env(server, "pull_request_target", payload, path)
    assert target["GITHUB_SHA"] == scenario.base
    assert target["GITHUB_REF"] == "refs/heads/main"


# -- diffs ----------------------------------------------------------------------------------


def test_unified_patch_details() -> None:
    assert unified_patch(b"a\nb\n", b"a\nb\n") == ""
    assert unified_patch(b"", b"x\ny\n") == "@@ -0,0 +1,2 @@\n+x\n+y"
    assert unified_patch(b"x", b"x\n") == "@@ -1 +1 @@\n-x\n\\ No newline at end of file\n+x"
    assert unified_patch(b"\x00\x01", b"\x00\x02") is None
    lines = [b"%d\n" % i for i in range(1, 21)]
    old = b"".join(lines)
    new = b"".join([*lines[:2], b"three\n", *lines[3:17], *lines[18:]])
    patch = unified_patch(old, new)
    assert patch is not None
    assert [line for line in patch.split("\n") if line.startswith("@@")] == [
        "@@ -1,6 +1,6 @@",
        "@@ -15,6 +15,5 @@",
    ]
    anchor = find_line(patch, 18, "LEFT")
    assert anchor is not None and anchor.kind == "-"
    assert find_line(patch, 10, "RIGHT") is None
    assert [d.position for d in diff_lines(patch)][:2] == [1, 2]
    changes = compare({"a.bin": b"\x00" * 10}, {"a.bin": b"\x00" * 11, "b.txt": b"b\n"})
    assert [(c.filename, c.status, c.patch) for c in changes] == [
        ("a.bin", "modified", None),
        ("b.txt", "added", "@@ -0,0 +1 @@\n+b"),
    ]


def test_git_ids_are_real(server: FakeGitHub) -> None:
    world = server.world
    repo = world.add_repo("zoo/ids", files={"hello.txt": "hello\n", "d/e.txt": "e\n"})
    sha = repo.branches["main"]
    content = server.client().get_repo("zoo/ids").get_contents("hello.txt")
    assert not isinstance(content, list)
    assert content.sha == "ce013625030ba8dba906f756967f9e9ca394464a"  # git hash-object
    assert base64.b64decode(content.content) == b"hello\n"
    tree = server.client().get_repo("zoo/ids").get_git_tree(sha)
    assert tree.sha == world.commits[sha].tree_sha
    # The same snapshot in git: `git write-tree` gives this id.
    assert tree.sha == "377e95ab0ca5f3e44120cd12c84469825a187cc4"
