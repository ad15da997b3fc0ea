"""Replays of the real zoo's configs-only commits (from a mirror of SysCV/bdd100k-models, when
one is here): #20 fixed a config the det README links, and passes; the same change backwards
breaks it, and fails at the row that links the config."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main

# A bare git mirror of SysCV/bdd100k-models, looked for beside the project and its parents.
_NAME = Path(".mirror") / "SysCV+bdd100k-models" / "repo"
MIRROR = next(
    (folder / _NAME for folder in Path(__file__).resolve().parents if (folder / _NAME).is_dir()),
    Path(__file__).resolve().parents[2] / _NAME,
)
# "Update cascade_rcnn_convnext-t_fpn_fp16_3x_det_bdd100k.py (#20)": a line glued to the next
# (`…))load_from = "…"`) split in two.
FIX_20 = "945d79d8ecc163f431d09eab071af9684606e34d"
# "Adding more det models, fixing det configs": five such lines split, seven configs added
# that the README links only from the next commit on.
FIXING = "c4015810eb16f9d1d0631f5a05a3f043e140abfd"
CONFIG_20 = "det/configs/det/cascade_rcnn_convnext-t_fpn_fp16_3x_det_bdd100k.py"


def _git(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def zoo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clone of the mirror that shares its objects (nothing is copied into the project)."""
    if not MIRROR.is_dir():
        pytest.skip(f"no mirror of SysCV/bdd100k-models at {MIRROR}")
    for commit in (FIX_20, FIXING):
        if _git("--git-dir", str(MIRROR), "cat-file", "-e", f"{commit}^{{commit}}").returncode:
            pytest.skip(f"the mirror at {MIRROR} lacks commit {commit[:7]}")
    root = tmp_path_factory.mktemp("bdd100k") / "zoo"
    cloned = _git("clone", "--quiet", "--shared", "--no-checkout", str(MIRROR), str(root))
    assert cloned.returncode == 0, cloned.stderr
    return root


def check(zoo: Path, base: str, head: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, Any]:
    args = ["check", "--repo", str(zoo), "--offline", "--format", "json"]
    code = main([*args, "--base", base, "--head", head])
    return code, json.loads(capsys.readouterr().out)


def row_of(zoo: Path, commit: str, config: str) -> int:
    text = _git("-C", str(zoo), "show", f"{commit}:det/README.md").stdout
    name = config.rsplit("/", 1)[1]
    [line] = [n for n, row in enumerate(text.split("\n"), 1) if f"/{name})" in row]
    return line


def test_pr_20_fixes_a_config_and_passes(zoo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = check(zoo, f"{FIX_20}~1", FIX_20, capsys)
    assert code == 0, report["findings"]
    assert [(f["rule"], f["message"]) for f in report["findings"]] == [
        (
            "scope",
            "This PR changes no task README; it changes 1 config file: the row of the zoo that "
            "uses it was checked (their configs and `_base_` chains).",
        )
    ]


def test_pr_20_backwards_breaks_the_config_and_fails_at_its_row(
    zoo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = check(zoo, FIX_20, f"{FIX_20}~1", capsys)
    assert code == 1
    [error] = [f for f in report["findings"] if f["severity"] == "error"]
    assert (error["rule"], error["path"]) == ("config", "det/README.md")
    assert error["line"] == row_of(zoo, FIX_20, CONFIG_20) == 389
    assert error["message"].startswith(
        f"The config `{CONFIG_20}` is not valid Python: line 44, column 45: invalid syntax:"
    )
    assert error["message"].endswith(f"This PR's change to `{CONFIG_20}` broke it.")
    assert error["hint"].startswith("Put `load_from = …` on a line of its own")


def test_the_commit_fixing_five_configs_passes_and_names_the_unlinked_ones(
    zoo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, report = check(zoo, f"{FIXING}~1", FIXING, capsys)
    assert code == 0, report["findings"]
    [notice] = [f["message"] for f in report["findings"]]
    assert notice.startswith(
        "This PR changes no task README; it changes 14 config files: the 8 rows of the zoo "
        "that use them were checked"
    )
    assert notice.endswith("and 4 more are linked by no row of the zoo, directly or as a "
                           "`_base_`, so they were not checked.")  # fmt: skip
    # Backwards, the five glued lines come back: one error each, at the rows that link them.
    code, report = check(zoo, FIXING, f"{FIXING}~1", capsys)
    assert code == 1
    errors = [f for f in report["findings"] if f["severity"] == "error"]
    assert len(errors) == 5
    assert all("is not valid Python: line 44, column 45" in f["message"] for f in errors)
