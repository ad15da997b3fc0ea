"""Hostile contributions: each ends in time and memory, with a clear finding and a final verdict
(issue 11's table, and the promises of the threat model that are not about the network)."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot import engine
from bot.cli import main
from bot.config import Config
from bot.engine import ReviewOptions, review
from bot.model import ChangedFile, Finding
from bot.net.types import FetchResult, Request
from bot.quote import plain
from bot.rules.context import Context, EntryScope
from tests.conftest import GitZoo
from tests.ruleinput import (
    TODAY,
    config,
    det_readme,
    line_of,
    make_row,
    make_submission,
    method_section,
    task_readme,
)

README = "det/README.md"
BODY = "- [x] Everything\n"

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


# --- the CPU deadline of parsing and rules ----------------------------------------------------


def _with_cpu(seconds: float) -> Config:
    return replace(config(), limits=replace(config().limits, cpu_seconds=seconds))


def _many_sections(count: int) -> str:
    return task_readme("det", *(method_section(f"Method {i}") for i in range(count)))


def test_past_its_cpu_time_the_review_stops_incomplete() -> None:
    """Parsing 150 sections takes far more than 0.05 s of CPU: the review stops while parsing,
    says so, and is incomplete (never pass); it stops soon after the deadline."""
    submission = make_submission({README: _many_sections(150)}, body=BODY)
    start = time.process_time()
    found = review(submission, _with_cpu(0.05), ReviewOptions(offline=True, today=TODAY), None)
    spent = time.process_time() - start
    assert found.verdict == "incomplete"
    [stop] = found.unchecked
    assert (stop.severity, stop.rule, stop.path, stop.incomplete) == (
        "warning",
        "limits",
        README,
        True,
    )
    assert plain(stop.message) == (
        "The review ran out of its CPU time (0.05 s, limits.cpu_seconds) while parsing "
        "det/README.md, so it stopped there: what it had not checked yet is not checked."
    )
    assert spent < 1.0


def test_findings_made_before_the_deadline_are_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule that takes long: the review stops before the next rule; what the first rules
    found is in the review, with the finding that it stopped."""

    def slow(scope: EntryScope, ctx: Context) -> list[Finding]:
        until = time.process_time() + 0.2
        while time.process_time() < until:
            pass
        return [Finding("warning", "slow", scope.section.path, scope.section.line, "slow")]

    monkeypatch.setattr(engine, "ENTRY_RULES", (slow, slow, slow))
    submission = make_submission({README: _many_sections(2)}, body=BODY)
    found = review(submission, _with_cpu(0.1), ReviewOptions(offline=True, today=TODAY), None)
    assert [(f.rule, f.line) for f in found.findings if f.rule == "slow"] == [
        ("slow", line_of(_many_sections(2), "### Method 0"))
    ]
    assert found.verdict == "incomplete"
    assert [e.section for e in found.entries] == ["Method 0", "Method 1"]
    assert "while checking the section 'Method 0' of det/README.md" in found.unchecked[0].message


def test_parsing_in_the_preparing_thread_keeps_to_the_deadline() -> None:
    """The READMEs not under review are parsed in a thread while links are fetched: that
    thread is charged too, and its running out stops the review the same way."""
    head = {README: det_readme(), "sem_seg/README.md": _many_sections(300).replace("det", "x")}
    submission = make_submission(
        head, body=BODY, changed=[ChangedFile(README, "added", frozenset(range(1, 200)))]
    )
    fetcher = _Answers()
    found = review(submission, _with_cpu(0.05), ReviewOptions(today=TODAY), fetcher)
    assert fetcher.asked
    assert found.verdict == "incomplete"
    assert "while parsing sem_seg/README.md" in found.unchecked[0].message


class _Answers:
    """A fetcher that answers every request at once with a small JSON body."""

    def __init__(self) -> None:
        self.asked = 0

    async def fetch(self, requests: Sequence[Request]) -> dict[Request, FetchResult]:
        self.asked += len(requests)
        return {r: FetchResult(r.url, "ok", status=200, body=b"{}") for r in requests}
