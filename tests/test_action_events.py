"""Event parsing on GitHub's published webhook examples (octokit/webhooks, read from the mirror
when present) and on our own fixtures in the shapes observed there; markers and the summary."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.action.events import Audit, Command, MergeGroup, ReviewPull, Skip, plan
from bot.errors import UsageError
from bot.publish import workflow
from bot.publish.state import STICKY_MARKER, has_marker
from bot.publish.sticky import render_sticky
from tests.test_publish_units import LINKS, finding, review

FIXTURES = Path(__file__).parent / "fixtures" / "events"
# A bare git mirror of octokit/webhooks, looked for beside the project and its parents.
WEBHOOKS = next(
    (
        folder / ".mirror" / "octokit+webhooks" / "repo"
        for folder in Path(__file__).resolve().parents
        if (folder / ".mirror" / "octokit+webhooks" / "repo").is_dir()
    ),
    Path(__file__).resolve().parents[2] / ".mirror" / "octokit+webhooks" / "repo",
)
EXAMPLES = "payload-examples/api.github.com"
# The events the Action is triggered by, and their folders in octokit/webhooks.
HANDLED = {
    "pull_request": "pull_request",
    "pull_request_target": "pull_request",
    "issue_comment": "issue_comment",
    "workflow_dispatch": "workflow_dispatch",
    "merge_group": "merge_group",
}


def fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return data


def published_examples() -> list[tuple[str, dict[str, Any]]]:
    """(folder, payload) of every example of a handled event in the mirror of octokit/webhooks."""
    if not WEBHOOKS.is_dir():
        return []
    git = ["git", "--git-dir", str(WEBHOOKS)]
    names = subprocess.run(
        [*git, "ls-tree", "-r", "--name-only", "HEAD", EXAMPLES],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    found = []
    for name in names:
        folder = name.split("/")[2]
        if folder in HANDLED.values() and name.endswith(".json"):
            text = subprocess.run(
                [*git, "show", f"HEAD:{name}"], capture_output=True, text=True, check=True
            ).stdout
            found.append((folder, json.loads(text)))
    return found


def test_githubs_published_payloads_go_through_the_event_parsing() -> None:
    examples = published_examples()
    if not examples:
        pytest.skip(f"no mirror of octokit/webhooks at {WEBHOOKS}")
    seen: dict[str, set[str]] = {}
    for folder, payload in examples:
        for event, kind in HANDLED.items():
            if kind != folder:
                continue
            todo = plan(event, payload, "refs/heads/main")
            seen.setdefault(folder, set()).add(type(todo).__name__)
            action = payload.get("action")
            if folder == "pull_request":
                reviewed = action in ("opened", "synchronize", "reopened", "ready_for_review")
                assert isinstance(todo, ReviewPull) == reviewed, (action, todo)
                if isinstance(todo, ReviewPull):
                    assert todo.number == payload["number"]
            elif folder == "issue_comment":
                # The examples' comments are not commands (or are on issues): nothing to run.
                assert isinstance(todo, Skip) and not isinstance(todo, Command)
            elif folder == "workflow_dispatch":
                assert todo == Audit("main")  # no `pr` input: the audit of GITHUB_REF's branch
            else:
                assert isinstance(todo, MergeGroup)
                group = payload["merge_group"]
                assert (todo.head_sha, todo.base_sha) == (group["head_sha"], group["base_sha"])
                assert todo.base_ref == "main"
    assert set(seen) == set(HANDLED.values())


def test_our_fixtures_in_the_published_shapes() -> None:
    assert plan("schedule", fixture("schedule-without-repository.json"), "refs/heads/trunk") == (
        Audit("trunk")
    )
    # No GITHUB_REF and no repository: the Action asks GitHub for the default branch.
    assert plan("schedule", fixture("schedule-without-repository.json"), "") == Audit(None)
    group = plan("merge_group", fixture("merge-group-checks-requested.json"))
    assert isinstance(group, MergeGroup) and group.base_ref == "main"
    edited = plan("pull_request_target", fixture("pull-request-title-edited.json"))
    assert edited == Skip("only the title was edited: the review would not change", 42)
    command = plan("issue_comment", fixture("issue-comment-command-by-contributor.json"))
    assert command == Command(42, 880001, "a-contributor", "/zoo-review recheck")
    broken = fixture("merge-group-checks-requested.json")
    del broken["merge_group"]["base_sha"]
    with pytest.raises(UsageError, match="merge_group payload lacks"):
        plan("merge_group", broken)


def test_markers_are_matched_after_the_normalisation_the_bot_applies() -> None:
    assert has_marker("/zoo-review <!\u200b-- zoo-review:sticky -->", STICKY_MARKER)
    assert has_marker("x <!--\n  zoo-review:sticky\t-->", STICKY_MARKER)
    assert not has_marker("<!-- zoo-review:stick -->", STICKY_MARKER)


def test_the_job_summary_stays_under_githubs_limit(tmp_path: Path) -> None:
    summary = tmp_path / "summary"
    summary.write_text("x" * 1000 + "\n", encoding="utf-8")
    line = "| `det/README.md:12` | ❌ a long finding line |\n"
    big = line * (2 * 1024 * 1024 // len(line.encode()))
    assert not workflow.append_summary(big, str(summary))
    text = summary.read_text(encoding="utf-8")
    assert len(text.encode()) <= workflow.SUMMARY_LIMIT
    assert text.rstrip().endswith("(the `report` output).")
    assert workflow.append_summary("short", str(tmp_path / "other"))


def test_a_cut_comment_points_to_what_exists() -> None:
    many = review(*(finding(i, "x" * 100 + str(i)) for i in range(1, 200)))
    fits = render_sticky(many, LINKS, limit=5000, summary_limit=workflow.SUMMARY_LIMIT)
    assert fits.truncated and "the rest is in the job summary of [this run]" in fits.comment
    too_big = render_sticky(many, LINKS, limit=5000, summary_limit=1000)
    assert "the rest is in the log of [this run]" in too_big.comment
