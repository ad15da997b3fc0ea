"""End-to-end: `python -I -m bot.action` against the fake GitHub, as the runner runs the container."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.example.server import ArtifactServer
from bot.publish.state import STICKY_MARKER
from tests.fakegithub import payloads
from tests.fakegithub.server import FakeGitHub
from tests.fakegithub.state import ACTIONS_LOGIN
from tests.fakegithub.zoo import ActionHarness, ExampleZoo, build_zoo, load_report

HEAD_LINE = re.compile(r"Reviewed commit \[`([0-9a-f]{7})`\]")


def sticky_comments(zoo: ExampleZoo) -> list[str]:
    return [
        c.body
        for c in zoo.world.comments_on(zoo.repo, zoo.pull.number)
        if STICKY_MARKER in c.body and c.user.login == ACTIONS_LOGIN
    ]


def statuses(zoo: ExampleZoo, sha: str) -> list[tuple[str, str]]:
    """(state, description) of the zoo-review context, oldest first."""
    found = [s for s in zoo.world.statuses_of(zoo.repo, sha) if s.context == "zoo-review"]
    return [(s.state, s.description or "") for s in reversed(found)]


def state_marker(body: str) -> dict[str, object]:
    match = re.search(r"<!-- zoo-review:state ([A-Za-z0-9+/=]+) -->", body)
    assert match, body[:300]
    data: dict[str, object] = json.loads(base64.b64decode(match.group(1)))
    return data


@pytest.fixture
def broken(tmp_path: Path) -> ExampleZoo:
    return build_zoo(tmp_path / "zoo", broken=True)


@pytest.fixture
def clean(tmp_path: Path) -> ExampleZoo:
    return build_zoo(tmp_path / "zoo", broken=False)


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
    run = harness.run("pull_request_target", payloads.pull_request(server, broken.pull, "opened"))
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
    first = harness.run("pull_request_target", payloads.pull_request(server, broken.pull))
    assert first.code == 1
    [before] = sticky_comments(broken)
    old_head = broken.pull.head_sha
    comment_id = next(
        c.id for c in broken.world.comments_on(broken.repo, broken.pull.number)
    )
    broken.push_fix()
    event = payloads.pull_request(server, broken.pull, "synchronize")
    second = harness.run("pull_request_target", event)
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
