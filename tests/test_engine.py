"""Tests for bot.engine.review: what a PR's diff puts in scope, fetching, and finding order."""

from __future__ import annotations

import asyncio
import difflib
import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from bot.engine import ReviewOptions, review
from bot.example.scores import dumps_scores, make_scores
from bot.model import ChangedFile, Finding, Readme, Review, ReviewedEntry, Submission
from bot.net.remap import parse_remap
from bot.net.types import FetchResult, OnResult, Request
from bot.quote import plain
from tests.ruleinput import (
    BODY_PATH,
    config,
    line_of,
    make_row,
    make_submission,
    method_section,
    scores_url,
    task_readme,
)

DET = "det/README.md"
MOT = "mot/README.md"
POSE = "pose/README.md"
TODAY = date(2026, 11, 24)
CHECKLIST = "".join(f"- [x] {spec.text}\n" for spec in config().checklist)

# An old section that breaks the template: no authors line, a preprint for a venue.
BROKEN = method_section(
    "Old Broken", venue="arXiv 2019", authors=None, rows=[make_row(slug="old_a")]
)
GOOD = method_section(
    "Dense Priors", rows=[make_row(slug="dense_a", overrides={"Backbone": "R-101-FPN"})]
)
BASE = task_readme("det", BROKEN, GOOD)


class StubFetcher:
    """Answers every URL from `results` (404 otherwise) and records what it was asked."""

    def __init__(self, results: Mapping[str, FetchResult] | None = None) -> None:
        self.results = dict(results or {})
        self.calls: list[list[str]] = []

    async def fetch(
        self, requests: Sequence[Request], on_result: OnResult | None = None
    ) -> dict[Request, FetchResult]:
        unique = list(dict.fromkeys(requests))
        assert all(r.max_bytes == config().network.max_scores_bytes for r in unique)
        self.calls.append([request.url for request in unique])
        return {
            r: self.results.get(r.url, FetchResult(r.url, "broken", status=404)) for r in unique
        }


def added(base: str | None, head: str) -> frozenset[int]:
    """The 1-based lines of `head` that a diff from `base` adds."""
    old = [] if base is None else base.splitlines()
    new = head.splitlines()
    lines: set[int] = set()
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for tag, _i1, _i2, j1, j2 in matcher.get_opcodes():
        if tag in ("replace", "insert"):
            lines.update(range(j1 + 1, j2 + 1))
    return frozenset(lines)


def pr(
    heads: Mapping[str, str],
    bases: Mapping[str, str] | None = None,
    body: str | None = CHECKLIST,
    extra_changed: Sequence[ChangedFile] = (),
) -> Submission:
    """A PR changing the READMEs in `heads` (from `bases`, or adding them)."""
    bases = dict(bases or {})
    changed = [
        ChangedFile(path, "modified" if path in bases else "added", added(bases.get(path), text))
        for path, text in heads.items()
        if bases.get(path) != text
    ]
    return make_submission(heads, body=body, base_texts=bases, changed=[*changed, *extra_changed])


def run_review(
    submission: Submission,
    fetcher: StubFetcher | None = None,
    **options: object,
) -> Review:
    opts = ReviewOptions(today=TODAY, **{"offline": True, "artifacts": False, **options})  # type: ignore[arg-type]
    return review(submission, config(), opts, fetcher or StubFetcher())


def lines_of(findings: Sequence[Finding]) -> set[int | None]:
    return {f.line for f in findings}


def is_offline_notice(finding: Finding) -> bool:
    return finding.rule == "scores" and finding.message.startswith("Offline")


def test_untouched_broken_section_gives_no_findings() -> None:
    head = task_readme("det", BROKEN, GOOD, method_section())
    result = run_review(pr({DET: head}, {DET: BASE}))
    assert [f for f in result.findings if not is_offline_notice(f)] == []
    assert [e.section for e in result.entries] == ["Sparse Anchors"]
    assert result.verdict == "pass"


def test_offline_is_said_with_the_verdict_not_as_a_finding() -> None:
    head = task_readme("det", BROKEN, GOOD, method_section())
    result = run_review(pr({DET: head}, {DET: BASE}))
    assert [f for f in result.findings if is_offline_notice(f)] == []
    assert result.not_checked == ["linked files and pages (offline)"]
    assert result.verdict == "pass"


def test_no_entry_under_review_means_nothing_went_unchecked() -> None:
    result = run_review(pr({DET: BASE}, {DET: BASE}))
    assert result.not_checked == []


def test_new_section_is_fully_reviewed() -> None:
    new = method_section(
        authors=None,
        venue="arXiv 2023",
        rows=[make_row(slug="sparse_a", overrides={"Box AP-val": "31.0"})],
    )
    head = task_readme("det", BROKEN, GOOD, new)
    result = run_review(pr({DET: head}, {DET: BASE}))
    found = {(f.severity, f.rule, f.line) for f in result.findings if not is_offline_notice(f)}
    heading = line_of(head, "### Sparse Anchors")
    assert found == {
        ("error", "skeleton", heading),
        ("error", "venue", line_of(head, "[arXiv 2023]")),
        ("error", "template", line_of(head, "| 31.0 |")),
    }
    assert result.verdict == "fail"
    assert result.entries == [ReviewedEntry("det", DET, "Sparse Anchors", heading, 1)]


def test_old_section_with_one_added_row_reviews_only_that_row() -> None:
    extra = make_row(slug="old_b", overrides={"Backbone": "X-101-FPN", "Preds": "tbd"})
    broken = method_section(
        "Old Broken",
        venue="arXiv 2019",
        authors=None,
        rows=[make_row(slug="old_a"), extra],
    )
    head = task_readme("det", broken, GOOD)
    result = run_review(pr({DET: head}, {DET: BASE}))
    row_line = line_of(head, "| X-101-FPN |")
    findings = [f for f in result.findings if not is_offline_notice(f)]
    assert [(f.severity, f.rule, f.line) for f in findings] == [("error", "links", row_line)]
    assert plain(findings[0].message) == "'Preds' holds `tbd` instead of a link."
    assert result.entries == [
        ReviewedEntry("det", DET, "Old Broken", line_of(head, "### Old Broken"), 1)
    ]


def test_audit_all_reviews_everything_and_skips_the_checklist() -> None:
    # No PR description at all: a normal review would give a checklist notice.
    result = run_review(make_submission({DET: BASE}, body=None, changed=()), audit_all=True)
    assert [e.section for e in result.entries] == ["Old Broken", "Dense Priors"]
    assert [e.rows for e in result.entries] == [1, 1]
    assert not [f for f in result.findings if f.rule in ("checklist", "removals", "scope")]
    broken = {(f.rule, f.line) for f in result.findings if not is_offline_notice(f)}
    assert broken == {
        ("skeleton", line_of(BASE, "### Old Broken")),
        ("venue", line_of(BASE, "[arXiv 2019]")),
    }


def test_normal_review_reports_a_missing_description() -> None:
    head = task_readme("det", BROKEN, GOOD, method_section())
    result = run_review(pr({DET: head}, {DET: BASE}, body=None))
    assert [f for f in result.findings if f.rule == "checklist"] == []
    assert result.not_checked == [
        "linked files and pages (offline)",
        "the checklist (no PR description; pass it with --body FILE)",
    ]
    assert result.verdict == "pass"


def test_changed_readme_without_section_content_gives_no_entry_notice() -> None:
    head = BASE.replace("A short description of the task", "A longer description of the task")
    assert head != BASE
    result = run_review(pr({DET: head}, {DET: BASE}))
    assert result.entries == []
    assert [(f.severity, f.rule, f.path, f.line) for f in result.findings] == [
        ("notice", "scope", DET, None)
    ]
    assert "no method section or result row" in result.findings[0].message


def test_pr_touching_no_task_readme() -> None:
    docs = ChangedFile("doc/CONTRIBUTING.md", "modified", frozenset({3}))
    submission = make_submission({DET: BASE}, body="No checklist here.", changed=[docs])
    result = run_review(submission)
    assert result.entries == []
    assert [(f.severity, f.rule, f.path, f.line) for f in result.findings] == [
        ("notice", "scope", BODY_PATH, None)
    ]
    assert "changes no task README" in result.findings[0].message


def test_removed_section_is_noticed() -> None:
    head = task_readme("det", GOOD)
    result = run_review(pr({DET: head}, {DET: BASE}))
    removals = [f for f in result.findings if f.rule == "removals"]
    assert [plain(f.message) for f in removals] == [
        "The PR removes the section `Old Broken` (1 row)."
    ]


def remap_pr() -> tuple[str, Submission]:
    rows = [make_row(slug="sparse_a", overrides={"Box AP-val": "31.04"})]
    head = task_readme("det", BROKEN, GOOD, method_section(rows=rows))
    return head, pr({DET: head}, {DET: BASE})


def test_remap_fetches_rewritten_urls_and_reports_readme_lines() -> None:
    head, submission = remap_pr()
    val = scores_url("det", "sparse_a", "val")
    test = scores_url("det", "sparse_a", "test")
    local_val = val.replace("https://files.example.org/zoo", "http://127.0.0.1:9/mirror")
    local_test = test.replace("https://files.example.org/zoo", "http://127.0.0.1:9/mirror")
    fetcher = StubFetcher(
        {
            local_val: FetchResult(
                local_val, "ok", 200, dumps_scores(make_scores("det", {"AP": 30.0})).encode()
            ),
            local_test: FetchResult(
                local_test, "ok", 200, dumps_scores(make_scores("det", {"AP": 29.78})).encode()
            ),
        }
    )
    remap = parse_remap(r"https://files\.example\.org/zoo/(.*) http://127.0.0.1:9/mirror/$1")
    result = run_review(submission, fetcher, offline=False, remaps=(remap,))
    assert fetcher.calls == [[local_val, local_test]]
    row_line = line_of(head, "/sparse_a.json")
    scores = [f for f in result.findings if f.rule == "scores"]
    assert [(f.severity, f.path, f.line) for f in scores] == [("error", DET, row_line)]
    assert "'Box AP-val' shows `31.04` but the scores-val file says 30.00" in plain(
        scores[0].message
    )
    assert all("127.0.0.1" not in f.message for f in result.findings)


def test_without_remap_the_readme_urls_are_fetched() -> None:
    _, submission = remap_pr()
    fetcher = StubFetcher()
    result = run_review(submission, fetcher, offline=False)
    val = scores_url("det", "sparse_a", "val")
    test = scores_url("det", "sparse_a", "test")
    assert fetcher.calls == [[val, test]]
    broken = [plain(f.message) for f in result.findings if f.rule == "scores"]
    assert broken == [
        "The [scores] link of 'Scores-val' is broken (HTTP 404).",
        "The [scores] link of 'Scores-test' is broken (HTTP 404).",
    ]


def test_offline_review_fetches_nothing() -> None:
    _, submission = remap_pr()
    fetcher = StubFetcher()
    run_review(submission, fetcher, offline=True)
    assert fetcher.calls == []


def test_each_distinct_url_is_fetched_once() -> None:
    shared = scores_url("det", "shared", "test")
    rows = [
        make_row(slug="a", overrides={"Scores-test": f"[scores]({shared})"}),
        make_row(
            slug="b", overrides={"Backbone": "R-101-FPN", "Scores-test": f"[scores]({shared})"}
        ),
    ]
    other = make_row("mot", "trk", {"Scores-test": f"[scores]({shared})"})
    det = task_readme("det", method_section(rows=rows))
    mot = task_readme("mot", method_section("Tracker", task="mot", rows=[other]))
    fetcher = StubFetcher()
    run_review(pr({DET: det, MOT: mot}), fetcher, offline=False)
    assert len(fetcher.calls) == 1
    urls = fetcher.calls[0]
    assert len(urls) == len(set(urls)) == 4  # two det val, one mot val, one shared test file
    assert urls.count(shared) == 1


def test_findings_sorted_by_path_and_line_with_description_last() -> None:
    det_section = method_section(
        authors=None, rows=[make_row(slug="d", overrides={"Box AP-val": "bad"})]
    )
    mot_section = method_section("Tracker", task="mot", venue="CVPR", abstract="")
    det = task_readme("det", det_section)
    mot = task_readme("mot", mot_section)
    body = "".join(f"- [x] {spec.text}\n" for spec in config().checklist[1:])
    result = run_review(pr({MOT: mot, DET: det}, body=body))
    places = [(f.path, f.line) for f in result.findings]
    assert places[-1] == (BODY_PATH, None)
    assert result.findings[-1].rule == "checklist"
    files = places[:-1]
    assert {path for path, _ in files} == {DET, MOT}
    assert files == sorted(files, key=lambda place: (place[0], place[1] or 0))
    det_lines = [line for path, line in files if path == DET]
    assert line_of(det, "### Sparse Anchors") in det_lines
    assert line_of(mot, "[CVPR]") in [line for path, line in files if path == MOT]


def test_entries_list_sections_with_reviewed_row_counts() -> None:
    extra = make_row(slug="old_b", overrides={"Backbone": "X-101-FPN"})
    broken = method_section(
        "Old Broken", venue="arXiv 2019", authors=None, rows=[make_row(slug="old_a"), extra]
    )
    new = method_section(rows=[make_row(slug="n1"), make_row(slug="n2")])
    head = task_readme("det", broken, GOOD, new)
    result = run_review(pr({DET: head}, {DET: BASE}))
    assert result.entries == [
        ReviewedEntry("det", DET, "Old Broken", line_of(head, "### Old Broken"), 1),
        ReviewedEntry("det", DET, "Sparse Anchors", line_of(head, "### Sparse Anchors"), 2),
    ]
    assert (result.base, result.head) == ("base0000", "head1111")


def test_a_scores_file_that_stays_unreachable_makes_the_review_incomplete() -> None:
    _, submission = remap_pr()
    val = scores_url("det", "sparse_a", "val")
    test = scores_url("det", "sparse_a", "test")
    good = dumps_scores(make_scores("det", {"AP": 31.04})).encode()
    fetcher = StubFetcher(
        {
            val: FetchResult(val, "ok", 200, good),
            test: FetchResult(test, "inconclusive", 503, reason=None),
        }
    )
    result = run_review(submission, fetcher, offline=False)
    assert result.count("error") == 0
    assert result.verdict == "incomplete"
    [unchecked] = result.unchecked
    assert unchecked.rule == "scores"
    assert plain(unchecked.message) == (
        "A scores file of this section could not be checked: `HTTP 503`."
    )
    assert unchecked.hint is not None and "incomplete" in unchecked.hint


def test_an_error_outranks_incomplete() -> None:
    _, submission = remap_pr()
    val = scores_url("det", "sparse_a", "val")
    test = scores_url("det", "sparse_a", "test")
    fetcher = StubFetcher({test: FetchResult(test, "inconclusive", 503)})
    result = run_review(submission, fetcher, offline=False)  # val: 404, an error
    assert result.unchecked and result.count("error") == 1
    assert result.verdict == "fail"
    assert val in fetcher.calls[0]


def test_the_first_request_waits_only_for_the_readmes_under_review(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The unchanged READMEs are parsed while the requests are in flight, only those that may
    link a file the reviewed rows link, and the duplicates rule still sees their links."""
    from bot.parse import lazy

    parsed: list[str] = []
    real_parse = lazy.parse_readme

    def parse(text: str, task: str, path: str, *args: Any) -> Readme:
        parsed.append(path)
        return real_parse(text, task, path, *args)

    class Watching(StubFetcher):
        async def fetch(
            self, requests: Sequence[Request], on_result: OnResult | None = None
        ) -> dict[Request, FetchResult]:
            self.parsed_then = list(parsed)
            await asyncio.sleep(0.05)  # the requests in flight
            return await super().fetch(requests, on_result)

    monkeypatch.setattr(lazy, "parse_readme", parse)
    shared = scores_url("det", "shared", "val")
    mot = task_readme(
        "mot",
        method_section(
            "Tracker",
            task="mot",
            rows=[make_row("mot", "trk", {"Scores-val": f"[scores]({shared})"})],
        ),
    )
    pose = task_readme(
        "pose", method_section("Keypoints", task="pose", rows=[make_row("pose", "kp")])
    )
    det = task_readme(
        "det",
        GOOD,
        method_section(rows=[make_row(slug="n", overrides={"Scores-val": f"[scores]({shared})"})]),
    )
    submission = pr({DET: det}, {DET: BASE})
    texts = {**submission.head_texts, MOT: mot, POSE: pose}
    submission = replace(submission, head_texts=texts)
    fetcher = Watching()
    result = run_review(submission, fetcher, offline=False)
    assert fetcher.parsed_then == [DET, DET]  # the head and the base of the changed README
    # Each README parsed once; pose links none of the reviewed rows' files: not parsed.
    assert sorted(parsed) == [DET, DET, MOT]
    duplicates = [f for f in result.findings if f.rule == "duplicates"]
    assert len(duplicates) == 1 and f"{MOT}:" in duplicates[0].message


def test_scores_files_are_read_as_they_arrive_and_the_review_is_the_same(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each scores file is parsed and checked against its schema while the other links are
    still fetched (here: before the fetch ends), once; a file only jsonschema can explain waits
    for its validator, built in a thread (importing jsonschema would stop the loop); the rule
    uses that and says the same as when it reads the files itself."""
    from bot.rules import scores as scores_rule
    from bot.scores import arrival

    _head, submission = remap_pr()
    val = scores_url("det", "sparse_a", "val")
    test = scores_url("det", "sparse_a", "test")
    valid = dumps_scores(make_scores("det", {"AP": 30.0})).encode()
    bodies = {
        val: FetchResult(val, "ok", 200, valid),
        test: FetchResult(test, "ok", 200, b'{"AP": "high"}'),
    }
    read: dict[str, list[bytes]] = {"early": [], "late": [], "rule": []}

    def counted(where: str, real: Any) -> Any:
        def reading(body: bytes, schema: str | None) -> Any:
            read[where].append(body)
            return real(body, schema)

        return reading

    monkeypatch.setattr(
        arrival, "read_scores_quickly", counted("early", arrival.read_scores_quickly)
    )
    monkeypatch.setattr(arrival, "read_scores", counted("late", arrival.read_scores))
    built_in: list[int] = []
    real_build = arrival.prepare_explainer

    def build(schema: str) -> None:
        built_in.append(threading.get_ident())
        real_build(schema)

    monkeypatch.setattr(arrival, "prepare_explainer", build)
    monkeypatch.setattr(scores_rule, "read_scores", counted("rule", scores_rule.read_scores))

    class Announcing(StubFetcher):
        async def fetch(
            self, requests: Sequence[Request], on_result: OnResult | None = None
        ) -> dict[Request, FetchResult]:
            answers = await super().fetch(requests)
            assert on_result is not None
            for request, result in answers.items():
                # As the fetcher does: the result the hearer gives back is the one kept.
                answers[request] = on_result(request, result) or result
            self.kept_bodies = {r.url: r.body for r in answers.values() if r.body is not None}
            for _ in range(200):  # other links in flight; the reads happen meanwhile
                await asyncio.sleep(0.01)
                if len(read["early"]) == 2 and len(read["late"]) == 1:
                    break
            self.read_before_the_end = len(read["early"])
            self.late_before_the_end = len(read["late"])
            return answers

    early = Announcing(bodies)
    with_arrival = run_review(submission, early, offline=False)
    assert early.read_before_the_end == 2 and early.late_before_the_end == 1
    # The fetch kept no body of the files read on arrival (an audit reads thousands).
    assert val not in early.kept_bodies and test not in early.kept_bodies
    assert sorted(read["early"]) == sorted(r.body or b"" for r in bodies.values())
    assert read["late"] == [b'{"AP": "high"}']
    assert len(built_in) == 1 and built_in[0] != threading.get_ident()  # not in the loop
    assert read["rule"] == []

    read["early"].clear()
    read["late"].clear()
    itself = run_review(submission, StubFetcher(bodies), offline=False)
    assert read["early"] == read["late"] == [] and len(read["rule"]) == 2
    assert with_arrival.findings == itself.findings
    messages = [plain(f.message) for f in itself.findings if f.rule == "scores"]
    assert any("shows `31.04` but the scores-val file says 30.00" in m for m in messages)
    assert any("'Scores-test' file" in m for m in messages), messages

    # The files the arrival could not read (their read failed) go back to the rule, bodies
    # and all.
    def failing(body: bytes, schema: str | None) -> Any:
        raise RuntimeError("a bug in the quick read")

    monkeypatch.setattr(arrival, "read_scores_quickly", failing)
    read["rule"].clear()
    failed = Announcing(bodies)
    again = run_review(submission, failed, offline=False)
    assert failed.kept_bodies == {} and failed.read_before_the_end == 0
    assert sorted(read["rule"]) == sorted([valid, b'{"AP": "high"}'])
    assert again.findings == itself.findings
