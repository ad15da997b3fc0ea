"""The Action on real runners: shared head commits, runs that replaced a queued review, GitHub's
listing limits, the API budget, the audit's issue and merge queues, against the fake GitHub."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.example.server import ArtifactServer
from bot.example.zoo import ARTIFACT_HOST
from bot.publish.state import AUDIT_MARKER, STICKY_MARKER
from tests.fakegithub import payloads
from tests.fakegithub.server import FakeGitHub
from tests.fakegithub.state import ACTIONS_LOGIN, Pull
from tests.fakegithub.zoo import ActionHarness, ExampleFiles, ExampleZoo, build_zoo, example_files


def final(zoo: ExampleZoo, sha: str) -> tuple[str, str]:
    """The newest zoo-review status of a commit: (state, description)."""
    found = [s for s in zoo.world.statuses_of(zoo.repo, sha) if s.context == "zoo-review"]
    assert found, f"no zoo-review status on {sha[:7]}"
    return found[0].state, found[0].description or ""


@pytest.fixture(scope="module")
def clean_files(tmp_path_factory: pytest.TempPathFactory) -> ExampleFiles:
    return example_files(tmp_path_factory.mktemp("clean"), broken=False)


@pytest.fixture(scope="module")
def broken_files(tmp_path_factory: pytest.TempPathFactory) -> ExampleFiles:
    return example_files(tmp_path_factory.mktemp("broken"), broken=True)


def harness(zoo: ExampleZoo, tmp_path: Path) -> Iterator[tuple[ActionHarness, FakeGitHub]]:
    with FakeGitHub(zoo.world) as server, ArtifactServer(zoo.artifacts) as artifacts:
        yield ActionHarness(server, artifacts, tmp_path / "runs"), server


@pytest.fixture
def clean(tmp_path: Path, clean_files: ExampleFiles) -> ExampleZoo:
    return build_zoo(tmp_path, clean_files)


@pytest.fixture
def broken(tmp_path: Path, broken_files: ExampleFiles, clean_files: ExampleFiles) -> ExampleZoo:
    return build_zoo(tmp_path, broken_files, fixed=clean_files)


@pytest.fixture
def on_clean(clean: ExampleZoo, tmp_path: Path) -> Iterator[tuple[ActionHarness, FakeGitHub]]:
    yield from harness(clean, tmp_path)


@pytest.fixture
def on_broken(broken: ExampleZoo, tmp_path: Path) -> Iterator[tuple[ActionHarness, FakeGitHub]]:
    yield from harness(broken, tmp_path)


# -- one head commit, two PRs --------------------------------------------------------------


def second_pull_onto_release(zoo: ExampleZoo) -> Pull:
    """`release` does not review the det task; main and release both name the branches."""
    world = zoo.world
    branches = "zoo:\n  name: zoo\n  branches: [main, release]\n"
    world.set_branch(zoo.repo, "release", zoo.repo.branches["main"])
    world.add_commit(
        zoo.repo,
        {".github/zoo-review.yml": branches + "tasks:\n  det: null\n"},
        zoo.repo.branches["release"],
        branch="release",
    )
    world.add_commit(
        zoo.repo,
        {".github/zoo-review.yml": branches + "network:\n  retries: 0\n"},
        zoo.repo.branches["main"],
        branch="main",
    )
    zoo.pull.base_sha = zoo.repo.branches["main"]
    return world.open_pull(
        zoo.repo,
        zoo.repo.branches["release"],
        zoo.pull.head_sha,
        zoo.body,
        "contributor",
        head_repo=zoo.fork,
        head_ref="same-commit",
        base_ref="release",
    )


@pytest.mark.parametrize("order", ["failing PR first", "passing PR first"])
def test_a_success_never_hides_another_prs_failure_on_the_same_commit(
    broken: ExampleZoo, on_broken: tuple[ActionHarness, FakeGitHub], order: str
) -> None:
    harness, server = on_broken
    other = second_pull_onto_release(broken)
    head = broken.pull.head_sha
    runs = [broken.pull, other] if order == "failing PR first" else [other, broken.pull]
    codes = {}
    for pull in runs:
        run = harness.call("pull_request_target", payloads.pull_request(server, pull))
        codes[pull.number] = run.code
    assert codes == {broken.pull.number: 1, other.number: 0}  # release does not review det
    state, description = final(broken, head)
    assert state == "failure"
    if order == "failing PR first":  # the passing PR wrote last: the failure stands
        assert description.startswith("PR #1, with this same head commit, failed: see it.")
        assert description.endswith(" · PR #2")
        [comment] = [
            c
            for c in broken.world.comments_on(broken.repo, other.number)
            if c.body.startswith(STICKY_MARKER)
        ]
        assert "This commit is also the head of PR #1 (onto `main`)" in comment.body
    # PR #1 moves on to a fixed commit: PR #2's recheck is no longer held by #1's failure.
    broken.push_fix()
    broken.world.grant(broken.repo, "maintainer", "maintain")
    command = broken.world.add_issue_comment(
        broken.repo, other.number, "maintainer", "/zoo-review recheck"
    )
    assert harness.call("issue_comment", payloads.issue_comment(server, command)).code == 0
    assert final(broken, head) == ("success", "All checks passed · PR #2")


# -- never stuck, never missing ---------------------------------------------------------------


@pytest.mark.parametrize("replacing_run", ["help command", "title edit"])
def test_a_run_that_replaced_the_queued_review_reviews_the_new_head(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub], replacing_run: str
) -> None:
    harness, server = on_clean
    assert harness.call("pull_request_target", payloads.pull_request(server, clean.pull)).code == 0
    new_head = clean.push({"det/notes.md": "more\n"})
    # The `synchronize` run was queued, then cancelled when this run joined the group.
    if replacing_run == "help command":
        clean.world.grant(clean.repo, "maintainer", "write")
        comment = clean.world.add_issue_comment(
            clean.repo, clean.pull.number, "maintainer", "/zoo-review help"
        )
        run = harness.call("issue_comment", payloads.issue_comment(server, comment))
        assert [r.content for r in comment.reactions] == ["eyes", "+1"]
    else:
        changes = clean.world.edit_pull(clean.pull, title="Add Example R-CNN (v2)")
        event = payloads.pull_request(server, clean.pull, "edited", changes=changes)
        run = harness.call("pull_request_target", event)
    assert run.code == 0, run.stdout + run.stderr
    assert final(clean, new_head) == ("success", "All checks passed · PR #1")
    # A later run for the same state finds the final status and reviews nothing again.
    server.log.clear()
    again = harness.call(
        "pull_request_target", payloads.pull_request(server, clean.pull, "synchronize")
    )
    assert again.code == 0 and "already has a final status" in again.stdout
    assert not server.log.find("GET", r".*/pulls/1/files")
    assert not server.log.writes()


# -- GitHub's listing limits and the request budget ------------------------------------------


def test_a_truncated_tree_with_many_folders_costs_a_bounded_number_of_requests(
    tmp_path: Path, clean_files: ExampleFiles
) -> None:
    zoo = build_zoo(tmp_path, clean_files)
    nested = {f"det/configs/extra/f{i:03d}/g/h/cfg.py": "x = 1\n" for i in range(300)}
    zoo.push(nested)
    with (
        FakeGitHub(zoo.world, max_tree_entries=200) as server,
        ArtifactServer(zoo.artifacts) as artifacts,
    ):
        run = ActionHarness(server, artifacts, tmp_path / "runs").call(
            "pull_request_target", payloads.pull_request(server, zoo.pull)
        )
    assert run.code == 3, run.stdout + run.stderr
    assert run.outputs["verdict"] == "incomplete"
    assert server.log.count("GET", r".*/git/trees/.*") == 1  # one request, never a walk
    assert len(server.log) <= 40  # the old walk sent one request per folder: over 1,200
    state, description = final(zoo, zoo.pull.head_sha)
    assert state == "error" and description.startswith("Incomplete: 1 check could not run")
    [comment] = [c.body for c in zoo.world.comments_on(zoo.repo, 1)]
    assert "GitHub truncated the list of files" in comment


def test_a_pr_of_3001_files_is_incomplete_not_passed(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_clean
    clean.push({f"a/{i:04d}.txt": f"{i}\n" for i in range(3001)})  # they sort before det/
    run = harness.call("pull_request_target", payloads.pull_request(server, clean.pull))
    assert run.code == 3, run.stdout + run.stderr
    assert "GitHub lists only the first 3000" in run.stdout
    assert server.log.count("GET", r".*/pulls/1/files") == 30
    assert final(clean, clean.pull.head_sha)[0] == "error"


def test_the_final_status_is_written_when_the_budget_runs_out(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_clean
    clean.push({f"a/{i:04d}.txt": f"{i}\n" for i in range(3001)})
    run = harness.call(
        "pull_request_target",
        payloads.pull_request(server, clean.pull),
        **{"INPUT_API-BUDGET": "60"},
    )
    assert run.code == 3, run.stdout + run.stderr
    assert len(server.log) <= 60
    state, description = final(clean, clean.pull.head_sha)
    assert state == "error"
    assert description.startswith("Incomplete: the run reached its budget of GitHub API requests")
    assert run.outputs["verdict"] == "incomplete"


def test_a_rate_limit_near_its_end_keeps_the_final_status(
    clean: ExampleZoo, tmp_path: Path
) -> None:
    with FakeGitHub(clean.world, rate_limit=30) as server, ArtifactServer(clean.artifacts) as art:
        run = ActionHarness(server, art, tmp_path / "runs").call(
            "pull_request_target", payloads.pull_request(server, clean.pull)
        )
    assert run.code == 3, run.stdout + run.stderr
    assert "rate limit for this token has" in final(clean, clean.pull.head_sha)[1]
    assert not [e for e in server.log if e.fault == "primary_rate_limit"]  # never hit the limit


# -- runner facts ----------------------------------------------------------------------------


@pytest.mark.parametrize("ref", ["refs/heads/main", ""])
def test_a_schedule_payload_without_repository_audits_the_default_branch(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub], ref: str
) -> None:
    harness, server = on_clean
    harness.strip_from_event = ("repository", "organization")
    run = harness.call("schedule", payloads.schedule(server, clean.repo), GITHUB_REF=ref)
    assert run.code == 0, run.stdout + run.stderr
    assert "zoo-review audit of `main`" in run.summary
    assert run.outputs["verdict"] == "pass"
    assert not server.log.find(status=422)


@pytest.mark.parametrize("path", ["help", "refused", "closed", "not reviewed"])
def test_every_path_writes_the_outputs(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub], path: str
) -> None:
    harness, server = on_clean
    if path == "closed":
        clean.pull.state = "closed"
        run = harness.call("pull_request_target", payloads.pull_request(server, clean.pull))
    elif path == "not reviewed":
        harness.inputs["INPUT_CONFIG"] = "zoo.yml"
        clean.world.add_commit(
            clean.repo, {"zoo.yml": "zoo:\n  name: z\n  branches: [release]\n"},
            clean.repo.branches["main"], branch="main",
        )  # fmt: skip
        clean.pull.base_sha = clean.repo.branches["main"]
        run = harness.call("pull_request_target", payloads.pull_request(server, clean.pull))
        assert "zoo-review reviews PRs onto `release`" in run.stdout
        assert not clean.world.statuses
    else:
        if path == "help":
            clean.world.grant(clean.repo, "someone", "write")
        comment = clean.world.add_issue_comment(
            clean.repo, clean.pull.number, "someone", "/zoo-review help"
        )
        run = harness.call("issue_comment", payloads.issue_comment(server, comment))
    assert run.code == 0, run.stdout + run.stderr
    assert set(run.outputs) == {"verdict", "errors", "warnings", "report"}
    assert run.outputs["verdict"] in ("skipped", "pass")


def test_a_command_hiding_a_marker_behind_zero_width_characters_is_not_echoed(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_clean
    assert harness.call("pull_request_target", payloads.pull_request(server, clean.pull)).code == 0
    clean.world.grant(clean.repo, "maintainer", "write")
    forged = "/zoo-review <!\u200b-- zoo-review:sticky -->"
    comment = clean.world.add_issue_comment(clean.repo, 1, "maintainer", forged)
    run = harness.call("issue_comment", payloads.issue_comment(server, comment))
    assert run.code == 0 and "holds zoo-review's own markers" in run.stdout
    bot = [c for c in clean.world.comments_on(clean.repo, 1) if c.user.login == ACTIONS_LOGIN]
    assert len(bot) == 1 and bot[0].body.startswith(STICKY_MARKER)


# -- the audit's issue -----------------------------------------------------------------------


def base_weights(zoo: ExampleZoo) -> Path:
    """The artifact file of a weights link of the base README (the zoo's existing entry)."""
    readme = zoo.base_files["det/README.md"].decode()
    url = next(u for u in re.findall(r"\((https://[^)\s]+\.pth)\)", readme))
    assert url.startswith(ARTIFACT_HOST)
    return zoo.artifacts / url.removeprefix(ARTIFACT_HOST + "/")


def audit_issues(zoo: ExampleZoo) -> list[tuple[str, str, str | None]]:
    return [(i.state, i.title, i.body) for i in zoo.world.issues_of(zoo.repo)]


def test_the_audit_keeps_one_issue_opened_updated_and_closed(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_clean
    weights = base_weights(clean)
    kept = weights.read_bytes()
    weights.unlink()  # link rot in the zoo
    first = harness.call("schedule", payloads.schedule(server, clean.repo))
    assert first.code == 1, first.stdout + first.stderr
    [(state, title, body)] = audit_issues(clean)
    assert state == "open" and title.startswith("zoo-review audit: 1 problem in the zoo")
    assert body is not None and body.startswith(AUDIT_MARKER)
    assert "Audit issue #" in first.summary and "was opened" in first.summary
    # The same findings next week: the issue stands as it is (no edit, no notification).
    server.log.clear()
    harness.call("schedule", payloads.schedule(server, clean.repo))
    assert not server.log.find("PATCH") and not server.log.find("POST")
    # Fixed: the issue says so and is closed.
    weights.write_bytes(kept)
    third = harness.call("schedule", payloads.schedule(server, clean.repo))
    assert third.code == 0
    [(state, _title, body)] = audit_issues(clean)
    assert state == "closed"
    assert body is not None and "fixed since" in body and "The zoo is clean" in body
    # Rot again: a new issue, the old one stays closed.
    weights.unlink()
    harness.call("schedule", payloads.schedule(server, clean.repo))
    assert [s for s, _t, _b in audit_issues(clean)] == ["closed", "open"]


def test_the_audit_issue_can_be_turned_off(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_clean
    base_weights(clean).unlink()
    run = harness.call(
        "schedule", payloads.schedule(server, clean.repo), **{"INPUT_AUDIT-ISSUE": "false"}
    )
    assert run.code == 1
    assert not audit_issues(clean) and not server.log.writes()


# -- merge queues ------------------------------------------------------------------------------


def merge_group(server: FakeGitHub, zoo: ExampleZoo) -> dict[str, object]:
    renderer = server.renderer()
    sha = zoo.pull.merge_commit_sha
    assert sha is not None
    return {
        "action": "checks_requested",
        "merge_group": {
            "head_sha": sha,
            "head_ref": f"refs/heads/gh-readonly-queue/main/pr-{zoo.pull.number}-{sha}",
            "base_sha": zoo.repo.branches["main"],
            "base_ref": "refs/heads/main",
            "head_commit": {"id": sha, "message": "Merge"},
        },
        "repository": renderer.repository(zoo.repo),
        "sender": renderer.simple_user(zoo.repo.owner),
    }


@pytest.mark.parametrize(("which", "state"), [("clean", "success"), ("broken", "failure")])
def test_a_merge_queue_gets_a_status_on_its_commit(
    request: pytest.FixtureRequest, which: str, state: str
) -> None:
    zoo: ExampleZoo = request.getfixturevalue(which)
    harness, server = request.getfixturevalue(f"on_{which}")
    run = harness.call("merge_group", merge_group(server, zoo))
    assert run.code == (0 if which == "clean" else 1), run.stdout + run.stderr
    assert zoo.pull.merge_commit_sha is not None
    found, description = final(zoo, zoo.pull.merge_commit_sha)
    assert found == state and " · PR #" not in description
    assert not zoo.world.comments_on(zoo.repo, 1)
    assert "merge queue's commit" in run.summary
