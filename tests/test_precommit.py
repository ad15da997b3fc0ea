"""The pre-commit hooks (.pre-commit-hooks.yaml) as a zoo's contributor runs them:
`pre-commit try-repo` installs zoo-review from this repository into its own environment and
runs the offline hook on a clean and on a broken contribution.

pre-commit builds that environment with pip; the test gives pip a local wheelhouse and no index
(PIP_NO_INDEX), so nothing is downloaded. `.ci/run` builds the wheelhouse before the tests
(`pip wheel -w .ci/wheelhouse . hatchling`); without it this test is skipped."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.config import load_config
from bot.example.zoo import build_example

ROOT = Path(__file__).resolve().parents[1]
WHEELHOUSE = Path(os.environ.get("ZOO_REVIEW_WHEELHOUSE", ROOT / ".ci" / "wheelhouse"))
HOOKS = ROOT / ".pre-commit-hooks.yaml"


def test_the_hooks_file_names_two_hooks_that_run_the_cli() -> None:
    hooks = {hook["id"]: hook for hook in yaml.safe_load(HOOKS.read_text(encoding="utf-8"))}
    assert set(hooks) == {"zoo-review", "zoo-review-online"}
    assert hooks["zoo-review"]["entry"] == "zoo-review check --worktree --offline"
    assert hooks["zoo-review-online"]["entry"] == "zoo-review check --worktree"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["pass_filenames"] is False


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if importlib.util.find_spec("pre_commit") is None:
        pytest.skip("pre-commit is not installed (it is in the test extra)")
    if not (ROOT / ".git").exists():
        pytest.skip("pre-commit try-repo needs zoo-review as a git repository (not an sdist)")
    if not any(WHEELHOUSE.glob("*.whl")):
        pytest.skip(f"no wheelhouse at {WHEELHOUSE}: `pip wheel -w {WHEELHOUSE} . hatchling`")
    return tmp_path_factory.mktemp("pre-commit-home")


def try_repo(zoo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(home),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(WHEELHOUSE),
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "NO_COLOR": "1",
    }
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(ROOT),
            "zoo-review",
            "--all-files",
            "--color=never",
        ],
        cwd=zoo,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize("broken", [False, True], ids=["clean", "broken"])
def test_try_repo_passes_a_clean_contribution_and_fails_a_broken_one(
    broken: bool, pre_commit_home: Path, tmp_path: Path
) -> None:
    example = build_example(tmp_path, load_config(), broken=broken)
    result = try_repo(example.repo, pre_commit_home)
    output = result.stdout + result.stderr
    if broken:
        assert result.returncode == 1, output
        assert "zoo-review (offline)" in output and "Failed" in output
        assert "det/README.md:" in output and "error [venue]" in output
        assert "✗ fail" in output
    else:
        assert result.returncode == 0, output
        assert "Passed" in output
