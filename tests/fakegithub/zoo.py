"""The bundled example contribution (bot/example/zoo.py) as a fake-GitHub pull request, and a
way to run the Action's entry point against it the way the runner runs the container."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.config import load_config
from bot.example.server import ArtifactServer
from bot.example.zoo import ARTIFACT_HOST, BASE_BRANCH, HEAD_BRANCH, build_example
from tests.fakegithub import payloads
from tests.fakegithub.server import FakeGitHub
from tests.fakegithub.state import Pull, Repo, World
from tests.reportschema import check_report

ROOT = Path(__file__).resolve().parents[2]
# The base branch's config: a real override, read from the base commit only.
BASE_CONFIG = "network:\n  timeout_seconds: 10\n  retries: 0\n"


def _git(repo: Path, *args: str) -> bytes:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True).stdout


def git_files(repo: Path, rev: str) -> dict[str, bytes]:
    """Every file of a commit of a local git repository."""
    names = _git(repo, "ls-tree", "-r", "-z", "--name-only", rev).decode().split("\0")
    return {name: _git(repo, "show", f"{rev}:{name}") for name in names if name}


@dataclass
class ExampleZoo:
    """The example zoo in a fake world: base repo, a contributor's fork, an open PR, and the
    artifacts folder with pages for the paper and code links."""

    world: World
    repo: Repo
    fork: Repo
    pull: Pull
    base_files: dict[str, bytes]
    head_files: dict[str, bytes]
    body: str
    artifacts: Path
    fixed_files: dict[str, bytes] = field(default_factory=dict)
    fixed_body: str = ""
    fixed_artifacts: Path | None = None

    def push(self, files: dict[str, bytes | str | None]) -> str:
        """A new commit on the PR's head branch (parent: the current head); the PR follows."""
        sha = self.world.add_commit(
            self.fork, files, parent=self.pull.head_sha, author="contributor"
        )
        self.world.move_head(self.pull, sha)
        return sha

    def push_fix(self) -> str:
        """Push the clean contribution on top of the broken one and fix the description."""
        sha = self.world.add_commit(
            self.fork,
            dict(self.fixed_files),
            parent=self.pull.head_sha,
            author="contributor",
            replace=True,
        )
        self.world.move_head(self.pull, sha)
        self.world.edit_pull(self.pull, body=self.fixed_body)
        assert self.fixed_artifacts is not None
        for path in self.fixed_artifacts.rglob("*"):  # the contributor re-uploads the files
            if path.is_file():
                target = self.artifacts / path.relative_to(self.fixed_artifacts)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
        return sha


def _pages(folder: Path) -> None:
    """Pages the example links to (paper, code), served locally through ZOO_REVIEW_REMAP."""
    page = b"<!DOCTYPE html><html><head><title>page</title></head><body>ok</body></html>\n"
    for path in (
        "arxiv/abs/2301.00001",
        "arxiv/abs/1506.01497",
        "github/example-lab/example-rcnn",
        "github/facebookresearch/detectron2",
    ):
        target = folder / path / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(page)


@dataclass(frozen=True)
class ExampleFiles:
    """One example contribution, built once: both commits' files, the description, the
    artifacts (with pages for the paper and code links)."""

    base_files: dict[str, bytes]
    head_files: dict[str, bytes]
    body: str
    artifacts: Path


def example_files(folder: Path, *, broken: bool) -> ExampleFiles:
    """Build the example contribution (bot/example/zoo.py) in `folder` and read it back."""
    example = build_example(folder, load_config(), broken=broken)
    base_files = git_files(example.repo, BASE_BRANCH)
    head_files = git_files(example.repo, HEAD_BRANCH)
    base_files[".github/zoo-review.yml"] = BASE_CONFIG.encode()
    head_files[".github/zoo-review.yml"] = BASE_CONFIG.encode()
    _pages(example.artifacts)
    body = example.body.read_text(encoding="utf-8")
    return ExampleFiles(base_files, head_files, body, example.artifacts)


def build_zoo(
    tmp: Path, files: ExampleFiles, *, fixed: ExampleFiles | None = None, fork: bool = True
) -> ExampleZoo:
    """The contribution as a PR of `contributor` (from a fork unless `fork` is False), in a
    fresh world, with its own copy of the artifacts; `fixed` is what `push_fix` pushes."""
    artifacts = tmp / "artifacts"
    shutil.copytree(files.artifacts, artifacts)
    world = World()
    repo = world.add_repo(
        "bdd100k/bdd100k-models", owner_type="Organization", files=files.base_files
    )
    world.add_user("contributor")
    base = repo.branches["main"]
    source = world.fork(repo, "contributor") if fork else repo
    head = world.add_commit(
        source, files.head_files, parent=base, author="contributor", replace=True
    )
    pull = world.open_pull(repo, base, head, files.body, "contributor", head_repo=source)
    zoo = ExampleZoo(
        world, repo, source, pull, files.base_files, files.head_files, files.body, artifacts
    )
    if fixed is not None:
        zoo.fixed_files = dict(fixed.head_files)
        zoo.fixed_body = fixed.body
        zoo.fixed_artifacts = fixed.artifacts
    return zoo


def remaps(server_url: str) -> str:
    """ZOO_REVIEW_REMAP lines: the example's hosts to the local artifact server."""
    host = re.escape(ARTIFACT_HOST)
    return "\n".join(
        [
            f"^{host}/(.*)$ {server_url}/$1",
            f"^https://arxiv\\.org/(.*)$ {server_url}/arxiv/$1/",
            f"^https://github\\.com/(.*)$ {server_url}/github/$1/",
        ]
    )


@dataclass
class ActionRun:
    """What one run of the entry point left: exit code, log, outputs, job summary."""

    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str


def parse_outputs(text: str) -> dict[str, str]:
    """GITHUB_OUTPUT's `name<<DELIM` heredocs (and plain `name=value` lines)."""
    values: dict[str, str] = {}
    lines = text.split("\n")
    index = 0
    while index < len(lines):
        line = lines[index]
        if "<<" in line:
            name, delimiter = line.split("<<", 1)
            end = lines.index(delimiter, index + 1)
            values[name] = "\n".join(lines[index + 1 : end])
            index = end + 1
            continue
        if "=" in line:
            name, value = line.split("=", 1)
            values[name] = value
        index += 1
    return values


@dataclass
class ActionHarness:
    """Runs the Action for an event against a fake GitHub and a local artifact server."""

    server: FakeGitHub
    artifacts: ArtifactServer
    tmp: Path
    inputs: dict[str, str] = field(default_factory=dict)
    counter: int = 0
    strip_from_event: tuple[str, ...] = ()
    # The interpreter `popen` runs the entry point with (the container's install path in CI).
    python: str = sys.executable

    def env(self, event_name: str, payload: dict[str, Any], **extra: str) -> dict[str, str]:
        self.counter += 1
        folder = self.tmp / f"run{self.counter}"
        (folder / "temp").mkdir(parents=True)
        event_path = payloads.write_event(folder, payload)
        env = payloads.actions_env(self.server, event_name, payload, event_path)
        if self.strip_from_event:  # what an older GHES leaves out of its payloads
            shown = {k: v for k, v in payload.items() if k not in self.strip_from_event}
            payloads.write_event(folder, shown)
        env.update(
            {
                "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                "HOME": str(folder),
                "RUNNER_TEMP": str(folder / "temp"),
                "GITHUB_OUTPUT": str(folder / "output"),
                "GITHUB_STEP_SUMMARY": str(folder / "summary"),
                "GITHUB_RUN_ID": str(1000 + self.counter),
                "INPUT_GITHUB-TOKEN": self.server.token,
                "INPUT_FAIL-ON": "error",
                "INPUT_STATUS-CONTEXT": "zoo-review",
                "INPUT_CONFIG": ".github/zoo-review.yml",
                "INPUT_COMMENT": "sticky",
                "INPUT_INLINE": "true",
                "INPUT_VERIFY-CHECKSUMS": "false",
                "ZOO_REVIEW_ALLOW_PRIVATE_HOSTS": "1",
                "ZOO_REVIEW_REMAP": remaps(self.artifacts.url),
                "ZOO_REVIEW_GITHUB_WAIT_SCALE": "0.01",
            }
        )
        env.pop("GITHUB_TOKEN", None)
        env.update(self.inputs)
        env.update(extra)
        return env

    def popen(
        self, event_name: str, payload: dict[str, Any], **extra: str
    ) -> tuple[subprocess.Popen[str], dict[str, str]]:
        """Start `python -I -m bot.action` as the container would, in an empty work folder."""
        env = self.env(event_name, payload, **extra)
        workspace = Path(env["HOME"]) / "workspace"
        workspace.mkdir()
        process = subprocess.Popen(
            [self.python, "-I", "-m", "bot.action"],
            cwd=workspace,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        return process, env

    def finish(self, process: subprocess.Popen[str], env: dict[str, str]) -> ActionRun:
        stdout, stderr = process.communicate(timeout=60)
        return self.collect(process.returncode, stdout, stderr, env)

    def run(self, event_name: str, payload: dict[str, Any], **extra: str) -> ActionRun:
        """One real subprocess run."""
        process, env = self.popen(event_name, payload, **extra)
        return self.finish(process, env)

    def call(self, event_name: str, payload: dict[str, Any], **extra: str) -> ActionRun:
        """One run of `bot.action.main.main` in this process, with the same environment."""
        from bot.action.main import main

        env = self.env(event_name, payload, **extra)
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(env)
        return self.collect(code, out.getvalue(), err.getvalue(), env)

    def collect(self, code: int, stdout: str, stderr: str, env: dict[str, str]) -> ActionRun:
        output = Path(env["GITHUB_OUTPUT"])
        summary = Path(env["GITHUB_STEP_SUMMARY"])
        return ActionRun(
            code=code,
            stdout=stdout,
            stderr=stderr,
            outputs=parse_outputs(output.read_text(encoding="utf-8")) if output.exists() else {},
            summary=summary.read_text(encoding="utf-8") if summary.exists() else "",
        )


def load_report(run: ActionRun) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(Path(run.outputs["report"]).read_text(encoding="utf-8"))
    check_report(data)
    return data
