"""Shared test helpers: temporary zoo repositories in git and a local artifact server."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import bot.report.jsonout
from bot.example.server import ArtifactServer
from tests.reportschema import check_report

SHARED = Path(__file__).resolve().parents[2] / "shared"
REFERENCE_ZOO = SHARED / "reference" / "bdd100k-models"
SCORES_SAMPLES = SHARED / "reference" / "scores-samples"
# (method sections, result rows) of every task README of the reference copy of the zoo.
REFERENCE_COUNTS = {
    "det": (15, 64),
    "sem_seg": (21, 53),
    "drivable": (19, 56),
    "tagging": (6, 28),
    "ins_seg": (5, 26),
    "pose": (5, 26),
    "pan_seg": (1, 5),
    "mot": (1, 1),
    "mots": (1, 1),
}

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Contributor",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test Contributor",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


@dataclass
class GitZoo:
    """A zoo repository in a temporary folder, written and committed file by file."""

    root: Path

    def git(self, *args: str) -> str:
        result = subprocess.run(
            ["git", "-C", str(self.root), "-c", "commit.gpgsign=false", *args],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, **_GIT_ENV},
        )
        return result.stdout.strip()

    def write(self, path: str, text: str) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def commit(self, message: str = "change") -> str:
        self.git("add", "-A")
        self.git("commit", "--quiet", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD")

    def branch(self, name: str) -> None:
        self.git("checkout", "--quiet", "-b", name)


@pytest.fixture(autouse=True)
def _reports_match_their_schema(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every JSON report rendered in a test is validated against schemas/report.schema.json."""
    to_dict = bot.report.jsonout.to_dict

    def checked(review: Any) -> dict[str, Any]:
        data = to_dict(review)
        check_report(data)
        return data

    monkeypatch.setattr(bot.report.jsonout, "to_dict", checked)


@pytest.fixture
def git_zoo(tmp_path: Path) -> GitZoo:
    root = tmp_path / "zoo"
    root.mkdir()
    zoo = GitZoo(root)
    zoo.git("init", "--quiet", "--initial-branch=main")
    return zoo


@dataclass(frozen=True)
class Artifacts:
    """A folder served over HTTP on 127.0.0.1: write files, link them with `url(path)`."""

    folder: Path
    base_url: str

    def put(self, path: str, data: bytes | str) -> str:
        target = self.folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data.encode() if isinstance(data, str) else data)
        return self.url(path)

    def url(self, path: str) -> str:
        return f"{self.base_url}/{path}"


@pytest.fixture
def artifacts(tmp_path: Path) -> Iterator[Artifacts]:
    folder = tmp_path / "artifacts"
    folder.mkdir()
    with ArtifactServer(folder) as server:
        yield Artifacts(folder=folder, base_url=server.url)


def pytest_collection_finish(session: pytest.Session) -> None:
    """The docs' install commands take tens of seconds of pip: start them at once, beside the
    rest of the suite (tests/test_docs.py). Not in a pytest-xdist worker: each collects every
    test, but only one runs tests/test_docs.py (a file per worker), the others run beside it."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    if any(
        item.nodeid.startswith("tests/test_docs.py::test_doc_commands") for item in session.items
    ):
        from tests import test_docs

        test_docs.start_early([item.nodeid for item in session.items])


def pytest_sessionfinish(session: pytest.Session) -> None:
    docs = sys.modules.get("tests.test_docs")
    if docs is not None:
        docs.finish()
