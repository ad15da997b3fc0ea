"""End-to-end: `python -I -m bot.action` against the fake GitHub, as the runner runs the container."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.example.server import ArtifactServer
from bot.example.zoo import ARTIFACT_HOST
from bot.publish.state import STICKY_MARKER
from tests.fakegithub import payloads
from tests.fakegithub.server import FakeGitHub
from tests.fakegithub.state import ACTIONS_LOGIN
from tests.fakegithub.zoo import (
    ActionHarness,
    ExampleFiles,
    ExampleZoo,
    build_zoo,
    example_files,
    load_report,
    remaps,
)

HEAD_LINE = re.compile(r"Reviewed commit \[`([0-9a-f]{7})`\]")


def sticky_comments(zoo: ExampleZoo) -> list[str]:
    return [
        c.body
        for c in zoo.world.comments_on(zoo.repo, zoo.pull.number)
        if STICKY_MARKER in c.body and c.user.login == ACTIONS_LOGIN
    ]


def statuses(zoo: ExampleZoo, sha: str, pr: int = 1) -> list[tuple[str, str]]:
    """(state, description) of the zoo-review context, oldest first; the tag that names the
    PR whose run wrote it (` · PR #1`) is checked and left out."""
    found = [s for s in zoo.world.statuses_of(zoo.repo, sha) if s.context == "zoo-review"]
    tag = f" · PR #{pr}"
    assert all((s.description or "").endswith(tag) for s in found), [s.description for s in found]
    return [(s.state, (s.description or "").removesuffix(tag)) for s in reversed(found)]


def state_marker(body: str) -> dict[str, object]:
    match = re.search(r"<!-- zoo-review:state ([A-Za-z0-9+/=]+) -->", body)
    assert match, body[:300]
    data: dict[str, object] = json.loads(base64.b64decode(match.group(1)))
    return data


@pytest.fixture(scope="module")
def clean_files(tmp_path_factory: pytest.TempPathFactory) -> ExampleFiles:
    return example_files(tmp_path_factory.mktemp("clean"), broken=False)


@pytest.fixture(scope="module")
def broken_files(tmp_path_factory: pytest.TempPathFactory) -> ExampleFiles:
    return example_files(tmp_path_factory.mktemp("broken"), broken=True)


@pytest.fixture
def broken(tmp_path: Path, broken_files: ExampleFiles, clean_files: ExampleFiles) -> ExampleZoo:
    return build_zoo(tmp_path, broken_files, fixed=clean_files)


@pytest.fixture
def clean(tmp_path: Path, clean_files: ExampleFiles) -> ExampleZoo:
    return build_zoo(tmp_path, clean_files)


def harness_for(zoo: ExampleZoo, tmp_path: Path) -> Iterator[tuple[ActionHarness, FakeGitHub]]:
    with FakeGitHub(zoo.world) as server, ArtifactServer(zoo.artifacts) as artifacts:
        yield ActionHarness(server, artifacts, tmp_path / "runs"), server


@pytest.fixture
def on_broken(broken: ExampleZoo, tmp_path: Path) -> Iterator[tuple[ActionHarness, FakeGitHub]]:
    yield from harness_for(broken, tmp_path)


@pytest.fixture
def on_clean(clean: ExampleZoo, tmp_path: Path) -> Iterator[tuple[ActionHarness, FakeGitHub]]:
    yield from harness_for(clean, tmp_path)


def test_clean_pr_gets_success_and_one_comment(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_clean
    event = payloads.pull_request(server, clean.pull, "opened")
    run = harness.run("pull_request_target", event)
    assert run.code == 0, run.stdout + run.stderr
    assert statuses(clean, clean.pull.head_sha) == [
        ("pending", "Reviewing the contribution…"),
        ("success", "All checks passed"),
    ]
    comments = sticky_comments(clean)
    assert len(comments) == 1
    assert "all checks passed" in comments[0]
    assert HEAD_LINE.search(comments[0]).group(1) == clean.pull.head_sha[:7]  # type: ignore[union-attr]
    assert f"/actions/runs/{1000 + harness.counter}" in comments[0]
    assert run.outputs["verdict"] == "pass"
    assert run.outputs["errors"] == "0"
    report = load_report(run)
    assert report["reviewed"]["head"] == clean.pull.head_sha
    assert Path(run.outputs["report"]).is_relative_to(harness.tmp)
    assert "all checks passed" in run.summary
    assert not zoo_reviews(clean)
    server.assert_no_unknown_routes()


def zoo_reviews(zoo: ExampleZoo) -> list[object]:
    return list(zoo.world.reviews_of(zoo.pull))


def test_broken_pr_fails_with_inline_comments_on_the_right_lines(
    broken: ExampleZoo, on_broken: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_broken
    run = harness.call("pull_request_target", payloads.pull_request(server, broken.pull, "opened"))
    assert run.code == 1, run.stdout + run.stderr
    final = statuses(broken, broken.pull.head_sha)[-1]
    assert final[0] == "failure"
    assert "errors" in final[1]
    report = load_report(run)
    readme = broken.head_files["det/README.md"].decode().split("\n")
    inline = broken.world.review_comments_of(broken.pull)
    assert inline, run.stdout
    on_lines = {(f["path"], f["line"]) for f in report["findings"] if f["line"]}
    for comment in inline:
        assert (comment.path, comment.line) in on_lines
        assert comment.commit_id == broken.pull.head_sha
    by_line = {c.line: c.body for c in inline}
    venue = next(f for f in report["findings"] if f["rule"] == "venue")
    assert "[arXiv 2023]" in readme[venue["line"] - 1]
    assert "`arXiv 2023` is not a venue" in by_line[venue["line"]]
    pipe = next(f for f in report["findings"] if "12 cells" in f["message"])
    assert by_line[pipe["line"]].startswith("❌ **error** `template`")
    # Its fix is a suggestion on that line: the pipe escaped, the rest of the line as it is.
    assert pipe["fix"]["line"] == pipe["line"]
    assert by_line[pipe["line"]].endswith(f"```suggestion\n{pipe['fix']['new']}\n```")
    assert ") \\| [MD5](" in pipe["fix"]["new"]
    # The PR description's findings are not inline (no line in a diff), but in the comment.
    assert all(c.path == "det/README.md" for c in inline)
    comment = sticky_comments(broken)[0]
    assert "checklist" in comment
    assert "blob/" + broken.pull.head_sha + "/det/README.md#L" in comment
    # Annotations: workflow commands with escaped properties, at most 10 errors.
    errors = [line for line in run.stdout.splitlines() if line.startswith("::error ")]
    assert 0 < len(errors) <= 10
    assert any("file=det/README.md,line=" in line for line in errors)
    server.assert_no_unknown_routes()


def test_second_run_after_a_fix_updates_the_comment_and_says_what_was_fixed(
    broken: ExampleZoo, on_broken: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_broken
    first = harness.call("pull_request_target", payloads.pull_request(server, broken.pull))
    assert first.code == 1
    [before] = sticky_comments(broken)
    old_head = broken.pull.head_sha
    comment_id = next(c.id for c in broken.world.comments_on(broken.repo, broken.pull.number))
    broken.push_fix()
    event = payloads.pull_request(server, broken.pull, "synchronize")
    second = harness.call("pull_request_target", event)
    assert second.code == 0, second.stdout + second.stderr
    comments = broken.world.comments_on(broken.repo, broken.pull.number)
    assert [c.id for c in comments] == [comment_id]  # updated in place, not a new one
    after = comments[0].body
    assert after != before
    assert f"fixed since `{old_head[:7]}`" in after
    assert "0 new since" in after
    assert state_marker(after)["head"] == broken.pull.head_sha
    assert statuses(broken, broken.pull.head_sha)[-1][0] == "success"
    assert statuses(broken, old_head)[-1][0] == "failure"


def test_two_concurrent_runs_leave_exactly_one_comment(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_clean
    # Both runs list the comments before either creates one: both create, then clean up.
    server.faults.delay("/repos/*/issues/*/comments", 0.6, method="GET", times=2)
    event = payloads.pull_request(server, clean.pull, "opened")
    first = harness.popen("pull_request_target", event)
    second = harness.popen("pull_request_target", event)
    runs = [harness.finish(*first), harness.finish(*second)]
    assert [run.code for run in runs] == [0, 0], runs[0].stdout + runs[1].stdout
    assert len(sticky_comments(clean)) == 1
    created = server.log.find("POST", f"/repos/{clean.repo.full_name}/issues/1/comments", 201)
    # Both runs may delete the same duplicate: the second DELETE then gets a 404.
    deleted = server.log.find("DELETE", status=204)
    assert len(created) - len(deleted) == 1


def test_a_comment_post_answered_502_after_it_succeeded_is_not_repeated(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_clean
    fault = server.faults.fail_after_success("/repos/*/issues/*/comments", method="POST")
    run = harness.call("pull_request_target", payloads.pull_request(server, clean.pull))
    assert run.code == 0, run.stdout + run.stderr
    assert fault.hits == 1
    assert server.log.count("POST", f"/repos/{clean.repo.full_name}/issues/1/comments") == 1
    assert len(sticky_comments(clean)) == 1
    assert statuses(clean, clean.pull.head_sha)[-1][0] == "success"


def test_a_review_post_answered_502_after_it_succeeded_is_found_not_repeated(
    broken: ExampleZoo, on_broken: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_broken
    server.faults.fail_after_success("/repos/*/pulls/*/reviews", method="POST")
    run = harness.call("pull_request_target", payloads.pull_request(server, broken.pull))
    assert run.code == 1, run.stdout + run.stderr
    assert len(zoo_reviews(broken)) == 1
    assert statuses(broken, broken.pull.head_sha)[-1][0] == "failure"


def test_secondary_rate_limit_waits_for_retry_after_then_succeeds(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_clean
    fault = server.faults.secondary_rate_limit(
        "/repos/*/issues/*/comments", method="POST", retry_after=1
    )
    run = harness.call("pull_request_target", payloads.pull_request(server, clean.pull))
    assert run.code == 0, run.stdout + run.stderr
    assert fault.hits == 1
    posts = server.log.find("POST", f"/repos/{clean.repo.full_name}/issues/1/comments")
    assert [entry.status for entry in posts] == [403, 201]
    waited = posts[1].seq - posts[0].seq == 1
    assert waited  # nothing else was sent in between: it waited, then sent the same request
    assert len(sticky_comments(clean)) == 1


def test_github_failing_mid_run_sets_error_never_pending(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_clean
    server.faults.server_error("/repos/*/pulls/*/files", times=None, status=500)
    run = harness.run("pull_request_target", payloads.pull_request(server, clean.pull))
    assert run.code == 2
    assert "::error::zoo-review: GitHub's API failed (HTTP 500" in run.stdout
    assert "Traceback" not in run.stdout + run.stderr
    assert statuses(clean, clean.pull.head_sha) == [
        ("pending", "Reviewing the contribution…"),
        (
            "error",
            "zoo-review could not finish (see the run log); comment /zoo-review recheck to re-run",
        ),
    ]
    assert not sticky_comments(clean)


@pytest.mark.parametrize("change", ["push", "edit", "retarget"])
def test_pr_changing_mid_run_is_reviewed_again_before_anything_is_written(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub], change: str
) -> None:
    harness, server = on_clean
    old_head = clean.pull.head_sha
    new_head = clean.world.add_commit(
        clean.fork, {"det/notes.md": "more\n"}, parent=old_head, author="contributor"
    )
    clean.world.set_branch(clean.repo, "release", clean.pull.base_sha)
    harness.inputs["INPUT_CONFIG"] = "zoo.yml"
    for branch in ("main", "release"):  # both branches are reviewed, each with its own config
        clean.world.add_commit(
            clean.repo,
            {"zoo.yml": f"zoo:\n  name: {branch}\n  branches: [main, release]\n"},
            clean.repo.branches[branch],
            branch=branch,
        )
    clean.pull.base_sha = clean.repo.branches["main"]
    # Right after the run read the PR (its third request), the contributor acts.
    if change == "push":
        server.faults.move_head(clean.pull, new_head, after_requests=3)
    elif change == "edit":
        server.faults.edit_body(clean.pull, clean.body + "\nedited\n", after_requests=3)
    else:
        server.faults.retarget(clean.pull, "release", after_requests=3)
    run = harness.call("pull_request_target", payloads.pull_request(server, clean.pull))
    assert run.code == 0, run.stdout + run.stderr
    assert "The PR changed during the review" in run.stdout
    assert "The PR changed during the review" in run.summary
    # The first review wrote nothing to the PR; the second reviewed what the PR became.
    [comment] = sticky_comments(clean)
    stored = state_marker(comment)
    assert stored["head"] == clean.pull.head_sha
    assert stored["base"] == clean.pull.base_sha
    contents = server.log.find("GET", f"/repos/{clean.repo.full_name}/contents/zoo.yml")
    assert [e.query["ref"] for e in contents][-1] == clean.pull.base_sha
    superseded = ("error", "Superseded: the PR changed during the review; it is reviewed again")
    if change == "push":
        assert statuses(clean, old_head) == [("pending", "Reviewing the contribution…"), superseded]
        assert statuses(clean, new_head)[-1] == ("success", "All checks passed")
    else:
        assert statuses(clean, old_head) == [
            ("pending", "Reviewing the contribution…"),
            superseded,
            ("pending", "Reviewing the contribution…"),
            ("success", "All checks passed"),
        ]
    assert run.outputs["verdict"] == "pass"
    assert load_report(run)["reviewed"]["base"] == clean.pull.base_sha


def test_maintainer_recheck_reruns_with_reactions(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_clean
    clean.world.grant(clean.repo, "maintainer", "maintain")
    comment = clean.world.add_issue_comment(
        clean.repo, clean.pull.number, "maintainer", "/zoo-review recheck\nthe files moved"
    )
    run = harness.run("issue_comment", payloads.issue_comment(server, comment))
    assert run.code == 0, run.stdout + run.stderr
    assert [r.content for r in comment.reactions] == ["eyes", "+1"]
    assert all(r.user.login == ACTIONS_LOGIN for r in comment.reactions)
    assert statuses(clean, clean.pull.head_sha)[-1][0] == "success"
    assert len(sticky_comments(clean)) == 1


def test_commands_from_a_read_only_user_get_one_reply_and_nothing_runs(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_clean
    assert harness.call("pull_request_target", payloads.pull_request(server, clean.pull)).code == 0
    before = statuses(clean, clean.pull.head_sha)
    server.log.clear()
    clean.world.add_user("passerby")
    for attempt in range(2):
        comment = clean.world.add_issue_comment(
            clean.repo, clean.pull.number, "passerby", f"/zoo-review recheck {attempt}"
        )
        run = harness.call("issue_comment", payloads.issue_comment(server, comment))
        assert run.code == 0, run.stdout + run.stderr
        assert [r.content for r in comment.reactions] == ["eyes", "-1"]
        assert run.outputs == {"verdict": "skipped", "errors": "0", "warnings": "0", "report": ""}
    replies = [
        c
        for c in clean.world.comments_on(clean.repo, 1)
        if c.user.login == ACTIONS_LOGIN and not c.body.startswith(STICKY_MARKER)
    ]
    assert len(replies) == 1  # one reply per PR and user, not one per command
    assert "Only collaborators with write access" in replies[0].body
    assert "`@\u2060passerby`" in replies[0].body  # no mention
    assert "has `read` access" in replies[0].body
    # The PR's head already had its final status: nothing was reviewed again.
    assert statuses(clean, clean.pull.head_sha) == before
    assert not server.log.find("GET", f"/repos/{clean.repo.full_name}/pulls/1/files")


def test_a_custom_role_built_on_write_may_run_commands(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_clean
    clean.world.grant(clean.repo, "curator", "write")
    clean.world.custom_roles[(clean.repo.full_name, "curator")] = "zoo-curator"
    comment = clean.world.add_issue_comment(
        clean.repo, clean.pull.number, "curator", "/zoo-review recheck"
    )
    run = harness.call("issue_comment", payloads.issue_comment(server, comment))
    assert run.code == 0, run.stdout + run.stderr
    [entry] = server.log.find("GET", r".*/collaborators/curator/permission")
    assert entry.response["role_name"] == "zoo-curator"
    assert entry.response["permission"] == "write"
    assert [r.content for r in comment.reactions] == ["eyes", "+1"]
    assert statuses(clean, clean.pull.head_sha)[-1] == ("success", "All checks passed")


def test_fork_pr_on_pull_request_with_a_read_only_token_writes_nothing(
    broken: ExampleZoo, on_broken: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_broken
    assert broken.pull.head_repo.full_name != broken.repo.full_name
    token = server.add_token("ghs_ReadOnlyForkToken000000000000000000", write=False)
    event = payloads.pull_request(server, broken.pull, "opened")
    assert event["pull_request"]["head"]["repo"]["full_name"] == "contributor/bdd100k-models"
    run = harness.run("pull_request", event, **{"INPUT_GITHUB-TOKEN": token})
    assert run.code == 1, run.stdout + run.stderr
    assert not any(entry.performed for entry in server.log.writes())
    assert "read-only token" in run.summary
    assert "is not a venue" in run.summary
    assert run.outputs["verdict"] == "fail"


def test_fork_pr_cannot_weaken_its_review_through_the_config(
    broken: ExampleZoo, on_broken: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_broken
    broken.push({".github/zoo-review.yml": "venues:\n  not_venues: []\ntasks:\n  det: null\n"})
    run = harness.call(
        "pull_request_target", payloads.pull_request(server, broken.pull, "synchronize")
    )
    assert run.code == 1
    assert "is not a venue" in run.stdout
    contents = server.log.find(
        "GET", f"/repos/{broken.repo.full_name}/contents/.github/zoo-review.yml"
    )
    assert contents and all(e.query.get("ref") == broken.pull.base_sha for e in contents)


def test_schedule_audits_the_default_branch_without_writing(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_clean
    run = harness.call("schedule", payloads.schedule(server, clean.repo))
    assert run.code == 0, run.stdout + run.stderr
    assert "zoo-review audit of `main`" in run.summary
    assert load_report(run)["entries"][0]["section"] == "Faster R-CNN"
    assert run.outputs["verdict"] == "pass"
    assert not server.log.writes()


def test_workflow_dispatch_reviews_the_pr_it_names(
    broken: ExampleZoo, on_broken: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_broken
    event = payloads.workflow_dispatch(server, broken.repo, {"pr": str(broken.pull.number)})
    run = harness.call("workflow_dispatch", event, **{"INPUT_FAIL-ON": "never"})
    assert run.code == 0, run.stdout + run.stderr
    assert run.outputs["verdict"] == "fail"
    assert statuses(broken, broken.pull.head_sha)[-1][0] == "success"
    assert len(sticky_comments(broken)) == 1


def test_a_bug_mid_run_sets_error_and_no_traceback(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub], monkeypatch: pytest.MonkeyPatch
) -> None:
    harness, server = on_clean

    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("injected")

    monkeypatch.setattr("bot.action.pull.run_review", crash)
    run = harness.call("pull_request_target", payloads.pull_request(server, clean.pull))
    assert run.code == 2
    assert "::error::zoo-review: internal error (RuntimeError)" in run.stdout
    assert [s for s, _ in statuses(clean, clean.pull.head_sha)] == ["pending", "error"]


def test_a_scores_host_that_does_not_answer_makes_the_status_error_not_success(
    clean: ExampleZoo, on_clean: tuple[ActionHarness, FakeGitHub]
) -> None:
    harness, server = on_clean
    # Every scores-test file is "hosted" on a port where nothing listens: never checked.
    unreachable = rf"^{re.escape(ARTIFACT_HOST)}/(.*/scores-test/.*)$ http://127.0.0.1:1/$1"
    run = harness.call(
        "pull_request_target",
        payloads.pull_request(server, clean.pull, "opened"),
        ZOO_REVIEW_REMAP=unreachable + "\n" + remaps(harness.artifacts.url),
    )
    assert run.code == 3, run.stdout + run.stderr
    state, description = statuses(clean, clean.pull.head_sha)[-1]
    assert state == "error"
    assert description.startswith("Incomplete: 1 check could not run")
    assert "/zoo-review recheck" in description
    assert run.outputs["verdict"] == "incomplete"
    comment = sticky_comments(clean)[0]
    assert "zoo-review: incomplete, 1 check could not run" in comment
    assert "all checks passed" not in comment
    assert load_report(run)["verdict"] == "incomplete"
