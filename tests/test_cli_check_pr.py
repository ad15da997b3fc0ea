"""`zoo-review check --pr OWNER/REPO#N` against the fake GitHub: the same review as the Action,
printed, with nothing written to GitHub."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.example.server import ArtifactServer
from bot.publish.state import STICKY_MARKER
from tests.fakegithub.server import FakeGitHub
from tests.fakegithub.zoo import ExampleZoo, build_zoo, example_files, remaps


@pytest.fixture(scope="module")
def broken_zoo(tmp_path_factory: pytest.TempPathFactory) -> ExampleZoo:
    files = example_files(tmp_path_factory.mktemp("broken"), broken=True)
    return build_zoo(tmp_path_factory.mktemp("zoo"), files)


@pytest.fixture
def servers(broken_zoo: ExampleZoo) -> Iterator[tuple[FakeGitHub, list[str]]]:
    with (
        FakeGitHub(broken_zoo.world, enterprise=True) as github,
        ArtifactServer(broken_zoo.artifacts) as artifacts,
    ):
        flags = ["--allow-private-hosts"]
        for line in remaps(artifacts.url).splitlines():
            flags += ["--remap", line]
        yield github, flags


def test_check_pr_reviews_through_the_api_and_writes_nothing(
    servers: tuple[FakeGitHub, list[str]],
    broken_zoo: ExampleZoo,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    github, flags = servers
    monkeypatch.setenv("GITHUB_TOKEN", github.token)
    monkeypatch.setenv("GITHUB_API_URL", github.api_url)  # GitHub Enterprise style: /api/v3
    target = f"{broken_zoo.repo.full_name}#{broken_zoo.pull.number}"
    assert main(["check", "--pr", target, "--format", "json", *flags]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["reviewed"]["head"] == broken_zoo.pull.head_sha
    assert any("is not a venue" in f["message"] for f in report["findings"])
    assert any(f["path"] == "PR description" for f in report["findings"])  # the checklist
    assert "would set the status `zoo-review`" in captured.err
    assert "`failure`" in captured.err and "Nothing was written" in captured.err
    assert not github.log.writes()
    assert all(entry.prefix == "/api/v3" for entry in github.log)
    github.assert_no_unknown_routes()
    # --format markdown prints exactly the comment the bot would post.
    assert main(["check", "--pr", target, "--format", "markdown", "--offline"]) == 1
    assert capsys.readouterr().out.startswith(STICKY_MARKER)
    assert not github.log.writes()


def test_check_pr_takes_the_token_from_the_github_cli(
    servers: tuple[FakeGitHub, list[str]],
    broken_zoo: ExampleZoo,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    github, _flags = servers
    gh = tmp_path / "bin" / "gh"
    gh.parent.mkdir()
    gh.write_text(f"#!/bin/sh\n[ \"$1 $2\" = 'auth token' ] && echo {github.token}\n")
    gh.chmod(gh.stat().st_mode | stat.S_IEXEC)
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("PATH", f"{gh.parent}:/usr/bin:/bin")
    monkeypatch.setenv("GITHUB_API_URL", github.api_url)
    target = f"{broken_zoo.repo.full_name}#{broken_zoo.pull.number}"
    assert main(["check", "--pr", target, "--offline"]) == 1
    assert "is not a venue" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pr", "bdd100k-models#1"], "write OWNER/REPO#NUMBER"),
        (["--pr", "a/b#1", "--base", "main"], "--base do not apply"),
    ],
)
def test_check_pr_usage_errors(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", *args]) == 2
    assert message in capsys.readouterr().err


def test_check_pr_without_any_token(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no gh
    assert main(["check", "--pr", "a/b#1"]) == 2
    assert "set GITHUB_TOKEN, or log in with the GitHub CLI" in capsys.readouterr().err
