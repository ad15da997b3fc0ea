"""The Action as the container runs it: `python -I -m bot.action` in an empty workspace. In CI,
ZOO_REVIEW_ACTION_PYTHON names a venv built exactly like the Dockerfile (.ci/action-venv), so a
lock that misses a dependency fails here; without it, this interpreter runs the same scenario."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.example.server import ArtifactServer
from tests.fakegithub import payloads
from tests.fakegithub.server import FakeGitHub
from tests.fakegithub.zoo import ActionHarness, build_zoo, example_files, load_report

# Absolute, not resolved: a venv's python is a symlink that must keep its own path.
PYTHON = os.path.abspath(os.environ.get("ZOO_REVIEW_ACTION_PYTHON") or sys.executable)


def test_a_broken_contribution_end_to_end_through_the_installed_action(tmp_path: Path) -> None:
    files = example_files(tmp_path / "example", broken=True)
    zoo = build_zoo(tmp_path / "zoo", files)
    with FakeGitHub(zoo.world) as server, ArtifactServer(zoo.artifacts) as artifacts:
        harness = ActionHarness(server, artifacts, tmp_path / "runs", python=PYTHON)
        run = harness.run("pull_request_target", payloads.pull_request(server, zoo.pull))
        server.assert_no_unknown_routes()
    assert run.code == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    state = [s.state for s in zoo.world.statuses_of(zoo.repo, zoo.pull.head_sha)]
    assert state == ["failure", "pending"]
    assert run.outputs["verdict"] == "fail"
    assert any(f["rule"] == "venue" for f in load_report(run)["findings"])
    assert zoo.world.review_comments_of(zoo.pull)  # inline comments on the changed lines


def test_the_interpreter_under_test_imports_the_installed_bot() -> None:
    imports = "import bot.action.main, bot.cli, github, yaml, mistune, jsonschema, httpx"
    found = subprocess.run(
        [PYTHON, "-I", "-c", f"{imports}; print(bot.__file__)"],
        capture_output=True,
        text=True,
        check=False,
        cwd="/",
    )
    assert found.returncode == 0, found.stderr
    if os.environ.get("ZOO_REVIEW_ACTION_PYTHON"):
        assert "site-packages" in found.stdout, found.stdout
