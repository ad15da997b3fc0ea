"""The GitHub source against the fake: the same Submission as the local git source gives."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bot.action.client import Pacing, build_client
from bot.config import load_config
from bot.errors import ConfigError
from bot.model import Submission
from bot.sources.github import (
    added_by_comparison,
    load_branch,
    load_pull,
    read_config,
    snapshot,
    tree_paths,
)
from bot.sources.local import GitRepo, load_submission
from tests.fakegithub.server import FakeGitHub
from tests.fakegithub.zoo import BASE_CONFIG, ExampleFiles, build_zoo, example_files

README = "det/README.md"


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> ExampleFiles:
    return example_files(tmp_path_factory.mktemp("example"), broken=True)


def local_submission(tmp_path: Path, files: ExampleFiles) -> Submission:
    """The same contribution through the local git source, for comparison."""
    root = tmp_path / "git"
    root.mkdir()

    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@e", *args],
            check=True,
            capture_output=True,
        )

    git("init", "-q", "-b", "main")
    for path, data in files.base_files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    git("add", "-A")
    git("commit", "-q", "-m", "base")
    for path, data in files.head_files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    git("add", "-A")
    git("commit", "-q", "-m", "head")
    repo = GitRepo.open(root)
    return load_submission(repo, load_config(), "HEAD~1", "HEAD")


@pytest.mark.parametrize("limits", [{}, {"max_patch_chars": 100, "max_tree_entries": 5}])
def test_pull_submission_matches_the_local_source(
    tmp_path: Path, files: ExampleFiles, limits: dict[str, int]
) -> None:
    """Also when GitHub omits a large patch and truncates the recursive tree."""
    zoo = build_zoo(tmp_path, files)
    config = load_config()
    with FakeGitHub(zoo.world, **limits) as server:
        client = build_client(server.api_url, server.token, Pacing(scale=0))
        repo = client.get_repo(zoo.repo.full_name)
        pull = repo.get_pull(zoo.pull.number)
        data = load_pull(repo, pull, snapshot(pull), config)
        assert snapshot(pull).from_fork
    local = local_submission(tmp_path, files)
    got = data.submission
    assert got.head == zoo.pull.head_sha and got.base == zoo.pull.base_sha
    if limits:  # GitHub truncated the tree: never walked, the review says it is incomplete
        assert not got.head_paths_complete and got.head_paths < local.head_paths
        assert [f.incomplete for f in data.findings] == [True]
        assert "truncated the list of files" in data.findings[0].message
    else:
        assert got.head_paths == local.head_paths and got.head_paths_complete
        assert not data.findings
    assert got.head_texts == local.head_texts
    assert got.base_texts == local.base_texts
    assert got.body == files.body
    ours = {c.path: (c.status, c.added_lines) for c in got.changed}
    theirs = {c.path: (c.status, c.added_lines) for c in local.changed}
    assert ours[README] == theirs[README]
    assert set(ours) == set(theirs)
    assert (data.patches[README] is None) == bool(limits)
    assert server.log.count("GET", r".*/git/trees/.*") == 1
    # With a patch, the README at the merge base is rebuilt from it, not read at base.sha
    # (on GitHub the base branch's tip, which may hold what was merged since).
    base_reads = [
        entry
        for entry in server.log.find("GET", rf".*/contents/{README}")
        if entry.query.get("ref") == zoo.pull.base_sha
    ]
    assert bool(base_reads) == bool(limits)


def test_config_is_read_at_the_base_commit_only(tmp_path: Path, files: ExampleFiles) -> None:
    zoo = build_zoo(tmp_path, files)
    zoo.push({".github/zoo-review.yml": "tasks:\n  det: null\n", "extra.yml": "x"})
    with FakeGitHub(zoo.world) as server:
        client = build_client(server.api_url, server.token, Pacing(scale=0))
        repo = client.get_repo(zoo.repo.full_name)
        snap = snapshot(repo.get_pull(1))
        assert (
            read_config(repo, snap.base_sha, ".github/zoo-review.yml", required=False)
            == BASE_CONFIG
        )
        assert read_config(repo, snap.base_sha, "nope.yml", required=False) is None
        with pytest.raises(ConfigError, match="does not exist on the base branch"):
            read_config(repo, snap.base_sha, "nope.yml", required=True)
        audit = load_branch(repo, snap.base_sha, load_config()).submission
        assert audit.changed == () and README in audit.head_texts
        assert "extra.yml" in tree_paths(repo, snap.head_sha).paths


def test_added_lines_by_comparison() -> None:
    assert added_by_comparison("a\nb\nc", "a\nX\nb\nc\nY") == {2, 5}
    assert added_by_comparison(None, "a\nb") == {1, 2}
