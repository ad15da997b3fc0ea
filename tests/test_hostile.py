"""Hostile contributions: each ends in time and memory, with a clear finding and a final verdict
(issue 11's table, and the promises of the threat model that are not about the network)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import cmarkgfm  # type: ignore[import-untyped]
import pytest

from bot.cli import main
from bot.config import Config
from bot.engine import ReviewOptions, review
from bot.example.server import ArtifactServer
from bot.model import ChangedFile, Finding, LinkReport, Review
from bot.net.types import FetchResult, OnResult, Request
from bot.publish.links import Links
from bot.publish.sticky import render_sticky
from bot.quote import plain, q
from bot.rules import entry
from bot.rules.context import Context, EntryScope
from tests import test_cli_check as cli_check
from tests.conftest import Artifacts, GitZoo
from tests.fakegithub import payloads
from tests.fakegithub.server import FakeGitHub
from tests.fakegithub.zoo import ActionHarness, build_zoo, example_files
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
STICKY_LINKS = Links("https://github.example", "org/zoo", "a" * 40, "77", frozenset({README}))

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
        until = time.process_time() + 0.5
        while time.process_time() < until:
            pass
        return [Finding("warning", "slow", scope.section.path, scope.section.line, "slow")]

    monkeypatch.setattr(entry, "ENTRY_RULES", (slow, slow, slow))
    submission = make_submission({README: _many_sections(2)}, body=BODY)
    # The budget leaves room for parsing (a cold process, a loaded machine), not for a second
    # slow rule.
    found = review(submission, _with_cpu(0.4), ReviewOptions(offline=True, today=TODAY), None)
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

    async def fetch(
        self, requests: Sequence[Request], on_result: OnResult | None = None
    ) -> dict[Request, FetchResult]:
        self.asked += len(requests)
        return {r: FetchResult(r.url, "ok", status=200, body=b"{}") for r in requests}


# --- SIGINT, as the runner cancels a job (SIGINT, then SIGTERM, then SIGKILL) ----------------

# Enough tiny sections for many seconds of parsing and rules (with the caps raised so).
HEAVY_CONFIG = "limits:\n  sections: 1000000\n  readme_bytes: 10000000\n  cpu_seconds: 600\n"
HEAVY = task_readme("det", *(f"### Method {i}\n\n| a |\n| - |\n| 1 |" for i in range(12_000)))


def _cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _interrupt_when_busy(process: subprocess.Popen[str], busy: float = 2.0) -> float:
    """Send SIGINT once the process has spent `busy` CPU seconds (it is then reviewing), and
    return how long it took to end after that."""
    try:
        deadline = time.monotonic() + 120
        while _cpu_seconds(process.pid) < busy:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        sent = time.monotonic()
        process.send_signal(signal.SIGINT)
        process.wait(timeout=30)
        return time.monotonic() - sent
    finally:
        if process.poll() is None:
            process.kill()


def test_sigint_stops_the_cli_at_once(git_zoo: GitZoo, tmp_path: Path) -> None:
    _zoo(git_zoo)
    git_zoo.write(README, HEAVY)
    git_zoo.commit("many sections")
    config_file = tmp_path / "heavy.yml"
    config_file.write_text(HEAVY_CONFIG, encoding="utf-8")
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "check", "--repo", str(git_zoo.root), "--offline",
         "--config", str(config_file), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    took = _interrupt_when_busy(process)
    _out, err = process.communicate()
    assert process.returncode == 130
    assert err.strip().splitlines()[-1] == "zoo-review: interrupted"
    assert took < 5, took


def test_sigint_during_the_review_leaves_a_final_status(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    files = example_files(tmp_path_factory.mktemp("heavy"), broken=False)
    files.base_files[".github/zoo-review.yml"] = HEAVY_CONFIG.encode()
    files.head_files[README] = HEAVY.encode()
    zoo = build_zoo(tmp_path, files)
    with FakeGitHub(zoo.world) as server, ArtifactServer(zoo.artifacts) as artifacts:
        harness = ActionHarness(server, artifacts, tmp_path / "runs")
        process, env = harness.popen("pull_request_target", payloads.pull_request(server, zoo.pull))
        took = _interrupt_when_busy(process, busy=3.0)
        run = harness.finish(process, env)
    assert run.code == 128 + signal.SIGINT
    assert took < 5, took
    found = [
        s for s in zoo.world.statuses_of(zoo.repo, zoo.pull.head_sha) if s.context == "zoo-review"
    ]
    assert [s.state for s in reversed(found)] == ["pending", "error"]
    assert (found[0].description or "").startswith("zoo-review could not finish (see the run log)")


# --- the sticky comment cut: contributor text cannot unbalance <details> -----------------------


class _Depth(HTMLParser):
    """The <details> nesting at each piece of text of rendered HTML."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.texts: list[tuple[int, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.depth += tag == "details"

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag == "details"

    def handle_data(self, data: str) -> None:
        self.texts.append((self.depth, data))

    def depth_of(self, text: str) -> int:
        return next(depth for depth, data in self.texts if text in data)


def _link(url: str) -> LinkReport:
    return LinkReport(url, "Scores-val", "broken", 404, 0.1, README, 20)


@pytest.mark.parametrize("where", ["url", "scores key", "both"])
def test_a_details_tag_in_contributor_text_cannot_fold_the_stamp(where: str) -> None:
    """The cut lands inside the folded link table; a `</details>` the contributor wrote (in a
    URL, or a scores key quoted in a finding) must not pass for its end."""
    hostile = "</details>" if where != "both" else "</details><details>"
    findings = [Finding("error", "scores", README, 20, "The file has no key " + q("AP") + ".")]
    if where != "url":
        findings.append(
            Finding("error", "scores", README, 21, f"Unknown scores key {q(hostile)}.", None)
        )
    links = [_link(f"https://files.example.org/{i}.json") for i in range(400)]
    if where != "scores key":
        links.insert(3, _link(f"https://files.example.org/{hostile}.json"))
    found = Review(base="b" * 40, head="a" * 40, findings=findings, links=links)
    body = render_sticky(found, STICKY_LINKS, limit=6000)
    assert body.truncated and len(body.comment) <= 6000
    html = cmarkgfm.github_flavored_markdown_to_html(
        body.comment, options=cmarkgfm.cmark.Options.CMARK_OPT_UNSAFE
    )
    parsed = _Depth()
    parsed.feed(html)
    assert parsed.depth == 0
    assert parsed.depth_of("This review is longer than a GitHub comment") == 0
    assert parsed.depth_of("Reviewed commit") == 0
    assert parsed.depth_of("links checked") == 1  # the table's summary is folded, as before


# --- a lone surrogate in a scores file (a JSON escape) reaches every report format -------------


@pytest.mark.parametrize("fmt", ["json", "text", "markdown"])
def test_a_lone_surrogate_in_a_scores_key_is_replaced_in_reports(
    git_zoo: GitZoo,
    artifacts: Artifacts,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    fmt: str,
) -> None:
    """`{"\\ud800": 1}` decodes to a str no UTF-8 file can hold; the report shows U+FFFD."""
    scenario = cli_check.build(git_zoo, artifacts, tmp_path)
    scores = cli_check.dumps_scores(cli_check.make_scores("det", {"AP": 33.48}))
    artifacts.put("scores-val/ex_r101.json", '{"\\ud800": 1, ' + scores.lstrip()[1:])
    output = tmp_path / f"report.{fmt}"
    code = main(
        [
            "check", "--repo", str(git_zoo.root), "--body", str(scenario.body_file),
            "--format", fmt, "--output", str(output), "--allow-private-hosts",
            "--remap",
            rf"^https://(arxiv\.org|github\.com)/(.*)$ {artifacts.base_url}/pages/$1/$2",
        ]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert "internal error" not in err
    assert code == 1
    text = output.read_bytes().decode("utf-8")
    assert "\ufffd" in text
    if fmt == "json":
        report = json.loads(text)
        [finding] = [f for f in report["findings"] if f["rule"] == "scores"]
        assert "unexpected key `\ufffd`" in finding["message"]


# --- issue 11's table, measured: each ends within 10 s of CPU and the memory budget ------------

# CPU seconds and traced bytes one hostile review may take (tracemalloc's own cost included).
CPU_BOUND = 10.0
MEMORY_BOUND = 300 * 1024 * 1024


def _measured(text: str) -> tuple[Review, float, int]:
    """The offline review of `text` as det/README.md, its CPU seconds and peak traced bytes."""
    submission = make_submission({README: text})
    tracemalloc.start()
    start = time.process_time()
    try:
        found = review(submission, config(), ReviewOptions(offline=True, today=TODAY), None)
    finally:
        spent = time.process_time() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert spent < CPU_BOUND, spent
    assert peak < MEMORY_BOUND, peak
    return found, spent, peak


def _limits_said(found: Review) -> list[tuple[int | None, str]]:
    return [(f.line, plain(f.message)) for f in found.findings if f.rule == "limits"]


def test_venue_of_80000_spaces() -> None:
    """It took 80 s (`_SEPARATORS` in bot/rules/venue.py); the line is now over its cap."""
    text = det_readme(venue="CVPR" + " " * 80_000 + "2023")
    found, _spent, _peak = _measured(text)
    line = line_of(text, "[CVPR")
    assert _limits_said(found) == [
        (
            line,
            f"This line is {len(text.split(chr(10))[line - 1]):,} characters long, over the cap "
            "of 20,000 (limits.line_chars): the rest of it was not reviewed.",
        )
    ]
    assert found.verdict == "fail"
    # Below the cap, the separators are linear: 19,000 spaces are one venue, CVPR 2023.
    found, _spent, _peak = _measured(det_readme(venue="CVPR" + " " * 19_000 + "2023"))
    assert found.verdict == "pass"


@pytest.mark.parametrize("size", [1_000_000, 400_000, 19_999])
def test_one_long_line_of_pipes(size: int) -> None:
    """1 MB of `|` took 1,296 s (`_TABLE_START` in bot/parse/markdown.py)."""
    text = det_readme(extra="|" * size)
    found, _spent, _peak = _measured(text)
    said = _limits_said(found)
    if size > 500_000:
        assert said == [
            (
                len(text.encode()[:500_000].split(b"\n")),
                f"det/README.md is {len(text.encode()):,} bytes, over the cap of 500,000 "
                "(limits.readme_bytes) from this line on, so nothing in it was reviewed.",
            )
        ]
    elif size > 20_000:
        assert [line for line, _message in said] == [line_of(text, "|" * 100)]
    else:
        assert said == []
    assert found.verdict == ("pass" if size < 20_000 else "fail")


@pytest.mark.parametrize("rows", [8_000, 60_000])
def test_many_one_cell_rows(rows: int) -> None:
    """8,000 took 26 s, 60,000 (655 KB) more than 600 s (`row in entry.rows` tuple scans)."""
    text = det_readme(rows=[f"| r{i} |" for i in range(rows)])
    found, _spent, _peak = _measured(text)
    said = _limits_said(found)
    if rows > 50_000:
        assert [message.split(" is ")[0] for _line, message in said] == ["det/README.md"]
        assert found.entries == []
    else:
        first = line_of(text, "| r1000 |")
        assert said == [
            (
                first,
                "The table has 8,000 rows, over the cap of 1,000 (limits.table_rows): the rows "
                "from this line on were not reviewed.",
            )
        ]
        # The 1,000 rows within the cap are reviewed (each has one cell of eleven).
        template = [f for f in found.findings if f.rule == "template"]
        assert len(template) == 1_000
        assert all(f.line is not None and f.line < first for f in template)
    assert found.verdict == "fail"


def test_the_action_sets_a_final_status_when_the_review_runs_out_of_cpu_time(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    files = example_files(tmp_path_factory.mktemp("cpu"), broken=False)
    files.base_files[".github/zoo-review.yml"] = b"limits:\n  cpu_seconds: 0.001\n"
    zoo = build_zoo(tmp_path, files)
    with FakeGitHub(zoo.world) as server, ArtifactServer(zoo.artifacts) as artifacts:
        harness = ActionHarness(server, artifacts, tmp_path / "runs")
        run = harness.call("pull_request_target", payloads.pull_request(server, zoo.pull))
    assert run.code == 3
    assert run.outputs["verdict"] == "incomplete"
    found = [
        s for s in zoo.world.statuses_of(zoo.repo, zoo.pull.head_sha) if s.context == "zoo-review"
    ]
    assert [s.state for s in reversed(found)] == ["pending", "error"]
    assert (found[0].description or "").startswith("Incomplete: 1 check could not run")
