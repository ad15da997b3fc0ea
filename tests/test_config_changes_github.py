"""A configs-only pull request through the GitHub source and the Action, against the fake GitHub:
the changed config files come from the PR's file list, the configs before the change are
rebuilt from GitHub's patches, and the verdict is the local source's."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.action.client import Pacing, build_client
from bot.config import load_config
from bot.engine import ReviewOptions, review
from bot.example.server import ArtifactServer
from bot.model import ChangedFile, Finding
from bot.sources.github import load_pull, snapshot
from bot.sources.github_files import MergeBaseFiles
from bot.sources.local import GitRepo, load_submission
from tests.fakegithub import payloads
from tests.fakegithub.server import FakeGitHub
from tests.fakegithub.state import ACTIONS_LOGIN, Pull, Repo, World
from tests.fakegithub.zoo import ActionHarness, ExampleFiles, example_files, load_report

R50 = "det/configs/_base_/r-50-fpn.py"
R101_CONFIG = "det/configs/det/example_rcnn_r101_fpn_3x_det_bdd100k.py"
CONVNEXT = "det/configs/_base_/convnext-t.py"
# The PR: a syntax error in the base four rows use, a linked config deleted, a base renamed.
CHANGE: dict[str, bytes | str | None] = {
    R50: "model = dict(backbone=dict(type='R-50-FPN')\n",
    R101_CONFIG: None,
    CONVNEXT: None,
    "det/configs/_base_/convnext_t.py": "model = dict(backbone=dict(type='ConvNeXt-T'))\n",
}


@pytest.fixture(scope="module")
def zoo_files(tmp_path_factory: pytest.TempPathFactory) -> ExampleFiles:
    """The example zoo after the clean contribution was merged: six rows, their configs."""
    return example_files(tmp_path_factory.mktemp("example"), broken=False)


def configs_pr(zoo_files: ExampleFiles) -> tuple[World, Repo, Pull]:
    world = World()
    repo = world.add_repo(
        "bdd100k/bdd100k-models", owner_type="Organization", files=zoo_files.head_files
    )
    world.add_user("contributor")
    fork = world.fork(repo, "contributor")
    base = repo.branches["main"]
    head = world.add_commit(fork, CHANGE, parent=base, author="contributor")
    pull = world.open_pull(repo, base, head, "Fix the configs.", "contributor", head_repo=fork)
    return world, repo, pull


def local_review(tmp_path: Path, zoo_files: ExampleFiles) -> list[Finding]:
    """The same change through the local git source."""
    root = tmp_path / "git"
    root.mkdir()

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@e", *args],
            check=True,
            capture_output=True,
        )

    git("init", "-q", "-b", "main")
    for path, data in zoo_files.head_files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    for path, new in CHANGE.items():
        if new is None:
            (root / path).unlink()
        else:
            (root / path).write_text(new, encoding="utf-8")
    git("add", "-A")
    git("commit", "-q", "-m", "head")
    submission = load_submission(GitRepo.open(root), load_config(), "HEAD~1", "HEAD")
    return review(submission, load_config(), ReviewOptions(offline=True), None).findings


def test_the_github_source_finds_what_the_local_source_finds(
    tmp_path: Path, zoo_files: ExampleFiles
) -> None:
    world, repo, pull = configs_pr(zoo_files)
    config = load_config()
    with FakeGitHub(world) as server:
        client = build_client(server.api_url, server.token, Pacing(scale=0))
        remote = client.get_repo(repo.full_name)
        remote_pull = remote.get_pull(pull.number)
        data = load_pull(remote, remote_pull, snapshot(remote_pull), config)
        submission = data.submission
        assert isinstance(submission.base_files, MergeBaseFiles)
        # The files before the change: rebuilt from the patches (a removed file too), an added
        # file absent, an unchanged one as at head.
        before = submission.base_files.read([R50, R101_CONFIG, CONVNEXT, "det/README.md"], 1 << 20)
        assert before[R50] == zoo_files.head_files[R50]
        assert before[R101_CONFIG] == zoo_files.head_files[R101_CONFIG]
        assert before[CONVNEXT] == zoo_files.head_files[CONVNEXT]
        assert before["det/README.md"] == zoo_files.head_files["det/README.md"]
        assert submission.base_files.read(["det/configs/_base_/convnext_t.py"], 1000) == {}
        result = review(submission, config, ReviewOptions(offline=True), None)
        # Nothing was read at the base commit: every changed file had its patch.
        at_base = [e for e in server.log.find("GET") if e.query.get("ref") == pull.base_sha]
        assert at_base == []
        server.assert_no_unknown_routes()
    ours = [(f.severity, f.rule, f.path, f.line) for f in result.findings]
    theirs = [(f.severity, f.rule, f.path, f.line) for f in local_review(tmp_path, zoo_files)]
    assert ours == theirs
    assert result.verdict == "fail"
    errors = [f for f in result.findings if f.severity == "error"]
    assert len(errors) == 3
    syntax, gone, renamed = sorted(errors, key=lambda f: f.message)[::-1][:3]
    messages = " ".join(f.message for f in errors)
    assert f"This PR's change to \ue000{R50}\ue001 broke it." in messages
    assert f"\ue000{R101_CONFIG}\ue001, which this PR deletes." in messages
    # GitHub tells a rename from a deletion (git diff --no-renames does not).
    assert f"This PR renames \ue000{CONVNEXT}\ue001 to" in messages
    assert {syntax.rule, gone.rule, renamed.rule} == {"config"}


def test_the_action_fails_a_configs_only_pr_that_breaks_the_zoo(
    tmp_path: Path, zoo_files: ExampleFiles
) -> None:
    world, repo, pull = configs_pr(zoo_files)
    folder = tmp_path / "artifacts"
    folder.mkdir()
    with FakeGitHub(world) as server, ArtifactServer(folder) as artifacts:
        harness = ActionHarness(server, artifacts, tmp_path / "runs")
        run = harness.call("pull_request_target", payloads.pull_request(server, pull, "opened"))
        server.assert_no_unknown_routes()
    assert run.code == 1, run.stdout + run.stderr
    assert run.outputs["verdict"] == "fail"
    [status] = [s for s in world.statuses_of(repo, pull.head_sha) if s.context == "zoo-review"][:1]
    assert status.state == "failure"
    report = load_report(run)
    config_findings = [f for f in report["findings"] if f["rule"] == "config"]
    assert {f["path"] for f in config_findings} == {"det/README.md"}
    assert len([f for f in config_findings if f["severity"] == "error"]) == 3
    [scope] = [f["message"] for f in report["findings"] if f["rule"] == "scope"]
    assert scope.startswith("This PR changes no task README; it changes 4 config files: the 6 rows")
    [comment] = [
        c.body for c in world.comments_on(repo, pull.number) if c.user.login == ACTIONS_LOGIN
    ]
    assert "which this PR deletes" in comment
    # The README rows are not in the diff: no inline comment, the sticky comment has them.
    assert not world.review_comments_of(pull)


def test_merge_base_files_fall_back_to_the_base_commit_without_a_patch() -> None:
    class Files:
        def __init__(self, files: dict[str, bytes]) -> None:
            self.files = files
            self.asked: list[str] = []

        def read(self, paths: list[str], limit: int) -> dict[str, bytes]:
            self.asked += paths
            return {p: self.files[p][: limit + 1] for p in paths if p in self.files}

    head = Files({"a.py": b"x = 2\n", "b.py": b"y = 1\n", "new.py": b"n = 1\n"})
    at_base = Files({"a.py": b"x = 1\n", "b.py": b"y = 0\n"})
    patch = "@@ -1 +1 @@\n-x = 1\n+x = 2"
    files = MergeBaseFiles(
        head,
        at_base,
        {
            "a.py": (ChangedFile("a.py", "modified"), patch),
            "b.py": (ChangedFile("b.py", "modified"), None),  # no patch: read at base
            "c.py": (ChangedFile("c.py", "modified"), "@@ -1 +1 @@\n-q\n+r"),  # does not fit
        },
        frozenset({"new.py"}),
    )
    assert files.read(["a.py", "b.py", "new.py"], 100) == {"a.py": b"x = 1\n", "b.py": b"y = 0\n"}
    assert at_base.asked == ["b.py"]


def test_a_merge_queue_commit_that_breaks_a_config_fails(
    tmp_path: Path, zoo_files: ExampleFiles
) -> None:
    world, repo, pull = configs_pr(zoo_files)
    sha = pull.merge_commit_sha
    assert sha is not None
    folder = tmp_path / "artifacts"
    folder.mkdir()
    with FakeGitHub(world) as server, ArtifactServer(folder) as artifacts:
        renderer = server.renderer()
        event = {
            "action": "checks_requested",
            "merge_group": {
                "head_sha": sha,
                "head_ref": f"refs/heads/gh-readonly-queue/main/pr-{pull.number}-{sha}",
                "base_sha": repo.branches["main"],
                "base_ref": "refs/heads/main",
                "head_commit": {"id": sha, "message": "Merge"},
            },
            "repository": renderer.repository(repo),
            "sender": renderer.simple_user(repo.owner),
        }
        harness = ActionHarness(server, artifacts, tmp_path / "runs")
        run = harness.call("merge_group", event)
        server.assert_no_unknown_routes()
        assert server.log.count("GET", r".*/git/trees/.*") == 2  # head and base, once each
    assert run.code == 1, run.stdout + run.stderr
    [status] = [s for s in world.statuses_of(repo, sha) if s.context == "zoo-review"][:1]
    assert status.state == "failure"
    report = load_report(run)
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert [f["rule"] for f in errors] == ["config"] * 3
    # Without the PR's file list, a rename is a deletion and an addition.
    assert "This PR deletes `det/configs/_base_/convnext-t.py`." in " ".join(
        f["message"] for f in errors
    )
