"""Hostile contributions: each ends in time and memory, with a clear finding and a final verdict
(issue 11's table, and the promises of the threat model that are not about the network)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from tests.conftest import GitZoo
from tests.ruleinput import make_row, method_section, task_readme

# --- local files: symbolic links out of the repository --------------------------------------

SECRET = "Outside Secret Method"
OUTSIDE_README = task_readme("det", method_section(SECRET, rows=[make_row(slug="outside")]))


def _zoo(git_zoo: GitZoo) -> None:
    git_zoo.write("det/README.md", task_readme("det"))
    git_zoo.commit("base zoo")
    git_zoo.branch("contribution")


def _check(git_zoo: GitZoo, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, Any]:
    code = main(["check", "--repo", str(git_zoo.root), "--offline", "--format", "json", *extra])
    captured = capsys.readouterr()
    out = captured.out
    assert out, captured.err
    assert SECRET not in out and "outside.py" not in out.replace("outside.py`", "")
    return code, json.loads(out)


def _errors(report: Any) -> list[tuple[str, str, str]]:
    return [
        (f["rule"], f["path"], f["message"]) for f in report["findings"] if f["severity"] == "error"
    ]


@pytest.mark.parametrize("flag", ["--worktree", None])
def test_worktree_readme_linked_out_of_the_repository_is_an_error(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str], tmp_path: Path, flag: str | None
) -> None:
    """`--worktree`, and a dirty tree reviewed as a work tree, never read a README through a
    symbolic link that leaves the repository."""
    _zoo(git_zoo)
    outside = tmp_path / "elsewhere" / "README.md"
    outside.parent.mkdir()
    outside.write_text(OUTSIDE_README, encoding="utf-8")
    (git_zoo.root / "det" / "README.md").unlink()
    (git_zoo.root / "det" / "README.md").symlink_to(outside)
    code, report = _check(git_zoo, capsys, *([flag] if flag else []))
    assert code == 1
    assert report["verdict"] == "fail"
    assert report["entries"] == []
    assert _errors(report) == [
        (
            "text",
            "det/README.md",
            f"det/README.md is a symbolic link to `{outside}`, outside the repository: "
            "zoo-review does not follow it, so nothing in it was reviewed.",
        )
    ]
    # Not "the PR deletes det/README.md": the README is there, only not read.
    assert not [f for f in report["findings"] if f["rule"] == "removals"]


def test_worktree_config_linked_out_of_the_repository_is_an_error(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _zoo(git_zoo)
    outside = tmp_path / "outside.py"
    outside.write_text("token = 'never read'\n", encoding="utf-8")
    git_zoo.write("det/README.md", task_readme("det", method_section(rows=[make_row(slug="new")])))
    config = git_zoo.root / "det" / "configs" / "det" / "new.py"
    config.parent.mkdir(parents=True)
    config.symlink_to(outside)
    code, report = _check(git_zoo, capsys, "--worktree")
    assert code == 1
    errors = [message for rule, _path, message in _errors(report) if rule == "config"]
    assert errors == [
        f"The config `det/configs/det/new.py` is a symbolic link to `{outside}`, outside the "
        "repository: zoo-review does not follow it, so the config was not checked."
    ]


def test_a_link_inside_the_repository_is_read(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> None:
    _zoo(git_zoo)
    git_zoo.write("docs/det.md", task_readme("det", method_section(rows=[make_row(slug="new")])))
    git_zoo.write("det/configs/det/new.py", "model = dict()\n")
    (git_zoo.root / "det" / "README.md").unlink()
    (git_zoo.root / "det" / "README.md").symlink_to(Path("..") / "docs" / "det.md")
    code, report = _check(git_zoo, capsys, "--worktree")
    assert [entry["section"] for entry in report["entries"]] == ["Sparse Anchors"]
    assert _errors(report) == []
    assert code == 0


def test_git_revisions_never_follow_links(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A committed link is the text of its target: the file it names is never read."""
    _zoo(git_zoo)
    outside = tmp_path / "README.md"
    outside.write_text(OUTSIDE_README, encoding="utf-8")
    secret = tmp_path / "outside.py"
    secret.write_text("token = 'never read'\n", encoding="utf-8")
    (git_zoo.root / "det" / "README.md").unlink()
    (git_zoo.root / "det" / "README.md").symlink_to(outside)
    git_zoo.commit("a linked README")
    code, report = _check(git_zoo, capsys)
    assert report["entries"] == []
    assert code in (0, 1)
    # and a committed config link
    git_zoo.git("checkout", "--quiet", "main")
    git_zoo.branch("config-link")
    git_zoo.write("det/README.md", task_readme("det", method_section(rows=[make_row(slug="new")])))
    config = git_zoo.root / "det" / "configs" / "det" / "new.py"
    config.parent.mkdir(parents=True)
    config.symlink_to(secret)
    git_zoo.commit("a linked config")
    _code, report = _check(git_zoo, capsys)
    assert "never read" not in json.dumps(report)
    assert [entry["section"] for entry in report["entries"]] == ["Sparse Anchors"]
