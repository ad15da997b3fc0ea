"""The config deep check end to end: configs read from git (or the work tree) in batches, their
`_base_` chains followed, and a GitHub config's raw text fetched from a local server."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.sources.local import GitFiles, GitRepo, WorktreeFiles
from tests.conftest import Artifacts, GitZoo
from tests.ruleinput import link_url, make_row, method_section, task_readme

MODEL = link_url("det", "{slug}", "models")


def row(slug: str, backbone: str, config: str | None = None) -> str:
    cell = f"[config]({config or f'./configs/det/{slug}.py'})"
    return make_row(slug=slug, overrides={"Backbone": backbone, "Config": cell})


def model(slug: str) -> str:
    return MODEL.format(slug=slug)


BROKEN = {
    # a line glued to the next, as merged in the real zoo
    "det/configs/det/glued.py": (
        "_base_ = '../_base_/models/frcnn.py'\n"
        f'fp16 = dict(loss_scale=dict(init_scale=512))load_from = "{model("glued")}"\n'
    ),
    # a chain that breaks two levels down
    "det/configs/det/deep.py": f"_base_ = ['./deep_base.py']\nload_from = '{model('deep')}'\n",
    "det/configs/det/deep_base.py": "_base_ = '../_base_/models/frcnn_typo.py'\n",
    # a loop
    "det/configs/det/loop.py": "_base_ = './loop_base.py'\n",
    "det/configs/det/loop_base.py": "_base_ = './loop.py'\n",
    # weights other than the row's
    "det/configs/det/other.py": "_base_ = '../_base_/models/frcnn.py'\n"
    "load_from = 'https://download.openmmlab.com/frcnn_coco.pth'\n",
    "det/configs/_base_/models/frcnn.py": "model = dict(type='FasterRCNN')\n",
}
ROWS = [
    row("glued", "R-50-FPN"),
    row("deep", "R-101-FPN"),
    row("loop", "X-101-FPN"),
    row("other", "Swin-T"),
]


def contribute(git_zoo: GitZoo, files: dict[str, str], rows: list[str]) -> str:
    """A zoo with an empty det README on main, then a branch that adds `rows` and `files`."""
    git_zoo.write("det/README.md", task_readme("det"))
    git_zoo.commit("base zoo")
    git_zoo.branch("contribution")
    text = task_readme("det", method_section(rows=rows))
    git_zoo.write("det/README.md", text)
    for path, content in files.items():
        git_zoo.write(path, content)
    git_zoo.commit("add a method")
    return text


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.split("\n"), 1) if needle in line)


def config_findings(report: dict[str, Any]) -> list[tuple[str, int, str]]:
    return [
        (f["severity"], f["line"], f["message"])
        for f in report["findings"]
        if f["rule"] == "config"
    ]


def test_check_finds_every_broken_config(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> None:
    text = contribute(git_zoo, BROKEN, ROWS)
    code = main(["check", "--repo", str(git_zoo.root), "--offline", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    found = config_findings(report)
    assert [(severity, line) for severity, line, _ in found] == [
        ("error", line_of(text, "| R-50-FPN |")),
        ("error", line_of(text, "| R-101-FPN |")),
        ("error", line_of(text, "| X-101-FPN |")),
        ("warning", line_of(text, "| Swin-T |")),
    ]
    glued, deep, loop, other = (message for _, _, message in found)
    assert "`det/configs/det/glued.py` is not valid Python: line 2, column 45" in glued
    assert "`det/configs/det/deep_base.py` (inherited by `det/configs/det/deep.py`" in deep
    assert "`det/configs/_base_/models/frcnn_typo.py` does not exist" in deep
    assert "the `_base_` chain loops" in loop
    assert "https://download.openmmlab.com/frcnn_coco.pth" in other and model("other") in other
    # the audit of the branch says the same, offline too
    code = main(["audit", "--repo", str(git_zoo.root), "--offline", "--format", "json"])
    audit = json.loads(capsys.readouterr().out)
    assert code == 1
    assert config_findings(audit) == found


def test_good_configs_pass(git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]) -> None:
    files = {
        "det/configs/det/good.py": "_base_ = ['../_base_/models/frcnn.py']\n"
        f"load_from = '{model('good')}'\n",
        "det/configs/_base_/models/frcnn.py": "model = dict(type='FasterRCNN')\n",
    }
    contribute(git_zoo, files, [row("good", "R-50-FPN")])
    code = main(["check", "--repo", str(git_zoo.root), "--offline", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0, report["findings"]
    assert config_findings(report) == []


def test_github_config_of_another_repository_is_fetched_raw(
    git_zoo: GitZoo, artifacts: Artifacts, capsys: pytest.CaptureFixture[str]
) -> None:
    link = "https://github.com/example-lab/sparse-anchors/blob/v1.0/configs/sparse.py"
    artifacts.put("raw/example-lab/sparse-anchors/v1.0/configs/sparse.py", "model = dict(\n")
    artifacts.put("any.bin", b"\x00" * 2048)
    text = contribute(git_zoo, {}, [row("sparse", "R-50-FPN", config=link)])
    code = main(
        [
            "check",
            "--repo",
            str(git_zoo.root),
            "--format",
            "json",
            "--allow-private-hosts",
            "--remap",
            rf"^https://raw\.githubusercontent\.com/(.*)$ {artifacts.base_url}/raw/$1",
            "--remap",
            rf"^https://.*$ {artifacts.base_url}/any.bin",  # every other link: a quick answer
        ]
    )
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert config_findings(report) == [
        (
            "error",
            line_of(text, "| R-50-FPN |"),
            "The config `example-lab/sparse-anchors/configs/sparse.py` is not valid Python: "
            "line 1, column 13: '(' was never closed: `model = dict(`.",
        )
    ]
    assert [entry["url"] for entry in report["links"] if entry["column"] == "Config"] == [link]


# --- the readers --------------------------------------------------------------------------


def test_git_files_reads_a_batch(git_zoo: GitZoo) -> None:
    git_zoo.write("a.py", "a = 1\n")
    git_zoo.write("dir with space/b.py", "b = 2\n")
    git_zoo.write("big.py", "#" * 5000)
    sha = git_zoo.commit()
    files = GitFiles(GitRepo.open(git_zoo.root), sha)
    found = files.read(
        ["a.py", "dir with space/b.py", "missing.py", "big.py", "dir with space"], 100
    )
    assert found == {"a.py": b"a = 1\n", "dir with space/b.py": b"b = 2\n", "big.py": b"#" * 101}
    assert files.read([], 100) == {}
    assert files.read(["new\nline.py"], 100) == {}


def test_git_files_reads_only_plain_paths_literally(git_zoo: GitZoo) -> None:
    git_zoo.write("a.py", "a = 1\n")
    git_zoo.write("deep/er/c.py", "c = 3\n")
    git_zoo.write("star/*.py", "s = 4\n")
    for number in range(300):  # many files of one folder: one listing, not one lookup each
        git_zoo.write(f"many/m{number}.py", f"m = {number}\n")
    sha = git_zoo.commit()
    files = GitFiles(GitRepo.open(git_zoo.root), sha)
    hostile = ["../a.py", "/a.py", "deep/../a.py", "./a.py", "deep//er/c.py", "..", "", "*.py"]
    assert files.read(hostile, 100) == {}
    assert files.read([":(glob)**/c.py", "star/*.py", "deep/er/c.py"], 100) == {
        "star/*.py": b"s = 4\n",
        "deep/er/c.py": b"c = 3\n",
    }
    many = files.read([f"many/m{number}.py" for number in range(300)], 100)
    assert len(many) == 300 and many["many/m299.py"] == b"m = 299\n"


def test_worktree_files_reads_regular_files_inside_the_repository(
    git_zoo: GitZoo, tmp_path: Path
) -> None:
    git_zoo.write("a.py", "a = 1\n")
    outside = tmp_path / "secret.py"
    outside.write_text("token = 'x'\n")
    (git_zoo.root / "link.py").symlink_to(outside)
    (git_zoo.root / "inner.py").symlink_to(git_zoo.root / "a.py")
    os.mkfifo(git_zoo.root / "pipe.py")
    (git_zoo.root / "folder.py").mkdir()
    files = WorktreeFiles(git_zoo.root)
    found = files.read(["a.py", "link.py", "inner.py", "pipe.py", "folder.py", "none.py"], 3)
    assert found == {"a.py": b"a = ", "inner.py": b"a = "}
