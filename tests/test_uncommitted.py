"""`zoo-review check` on a work tree with uncommitted edits: the default head includes them (and
says so), `--head REV` stays exact."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.cli import main
from tests.conftest import GitZoo
from tests.ruleinput import make_row, method_section, task_readme

BASE = task_readme("det")
NEW = task_readme("det", method_section(rows=[make_row(slug="new")]))
CONFIG = "det/configs/det/new.py"


def start(git_zoo: GitZoo) -> None:
    git_zoo.write("det/README.md", BASE)
    git_zoo.write("det/configs/det/old.py", "model = dict()\n")
    git_zoo.commit("base zoo")
    git_zoo.branch("contribution")


def check(git_zoo: GitZoo, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[Any, str]:
    main(["check", "--repo", str(git_zoo.root), "--offline", "--format", "json", *extra])
    captured = capsys.readouterr()
    return json.loads(captured.out), captured.err


def test_uncommitted_readme_edit_is_reviewed_and_said(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> None:
    start(git_zoo)
    git_zoo.write(CONFIG, "model = dict()\n")
    git_zoo.write("det/README.md", NEW)
    report, err = check(git_zoo, capsys)
    assert err.splitlines() == [
        "zoo-review: reviewing the work tree: det/README.md, det/configs/det/new.py not "
        "committed (--head HEAD reviews the last commit only)"
    ]
    assert [entry["section"] for entry in report["entries"]] == ["Sparse Anchors"]
    assert report["reviewed"]["head"].endswith("+worktree")
    assert [f["rule"] for f in report["findings"] if f["severity"] != "notice"] == []
    # the text report says it too
    main(["check", "--repo", str(git_zoo.root), "--offline"])
    assert "+worktree" in capsys.readouterr().out.splitlines()[0]


def test_head_rev_stays_exact(git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]) -> None:
    start(git_zoo)
    git_zoo.write("det/README.md", NEW)
    report, err = check(git_zoo, capsys, "--head", "HEAD")
    assert err == ""
    assert report["entries"] == []
    assert report["reviewed"]["head"] == git_zoo.git("rev-parse", "HEAD")


def test_untracked_config_that_a_row_links_counts(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> None:
    start(git_zoo)
    git_zoo.write("det/README.md", NEW)
    git_zoo.commit("add the section, forget the config")
    git_zoo.write(CONFIG, "model = dict(\n")  # written, not added
    report, err = check(git_zoo, capsys)
    assert "det/configs/det/new.py not committed" in err
    messages = [f["message"] for f in report["findings"] if f["rule"] == "config"]
    assert len(messages) == 1 and "is not valid Python" in messages[0]
    # exact: the committed head has no such file
    report, err = check(git_zoo, capsys, "--head", "HEAD")
    assert err == ""
    messages = [f["message"] for f in report["findings"] if f["rule"] == "config"]
    assert len(messages) == 1
    assert messages[0].startswith(
        "The config file `det/configs/det/new.py` does not exist at the reviewed commit."
    )


def test_unrelated_untracked_files_do_not_count(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> None:
    start(git_zoo)
    git_zoo.write("det/README.md", NEW)
    git_zoo.write(CONFIG, "model = dict()\n")
    git_zoo.commit("add a method")
    git_zoo.write("det/configs/det/scratch.py", "x = (\n")  # not linked
    git_zoo.write("notes.txt", "todo\n")
    report, err = check(git_zoo, capsys)
    assert err == ""
    assert report["reviewed"]["head"] == git_zoo.git("rev-parse", "HEAD")


def test_staged_change_counts(git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]) -> None:
    start(git_zoo)
    git_zoo.write("det/configs/det/old.py", "model = dict(type='X')\n")
    git_zoo.git("add", "det/configs/det/old.py")
    _, err = check(git_zoo, capsys)
    assert "det/configs/det/old.py not committed" in err
