"""Tests for the artifacts, checksums and pages rules: what the fetched links say about a row."""

from __future__ import annotations

import hashlib

import pytest

from bot.net.types import FetchResult
from bot.net.zipdir import ZipSummary
from bot.quote import plain
from bot.rules import artifacts, checksums, pages
from bot.rules.checksums import parse_md5_file
from tests.ruleinput import (
    CODE_LINKS,
    PAPER_URL,
    check,
    line_of,
    link_url,
    make_row,
    method_section,
    ok_result,
    summary,
    task_readme,
)

SLUG = "sparse_r50_1x"
WEIGHTS = link_url("det", SLUG, "models")
MD5 = link_url("det", SLUG, "md5")
PREDS = link_url("det", SLUG, "preds")
VISUALS = link_url("det", SLUG, "visuals")
TEXT = task_readme("det", method_section(rows=[make_row("det", SLUG)]))
ROW = line_of(TEXT, "| R-50-FPN |")
DIGEST = hashlib.md5(b"weights").hexdigest()


def zip_result(
    url: str,
    entries: int,
    folders: int = 0,
    encrypted: int = 0,
    extensions: tuple[tuple[str, int], ...] | None = None,
) -> FetchResult:
    kinds = ((".png", entries - folders),) if extensions is None else extensions
    summary = ZipSummary(
        entries, 1000, 4000, 100, False, folders=folders, encrypted=encrypted, extensions=kinds
    )
    return FetchResult(url, "ok", 206, size=2000, archive=summary)


def good(**replace: FetchResult) -> dict[str, dict[str, FetchResult]]:
    """Context maps where every artifact of the row is fine, with `replace` by URL."""
    probed = {WEIGHTS: FetchResult(WEIGHTS, "ok", 200, size=180_000_000)}
    fetched = {PREDS: ok_result(PREDS, b'[{"name": "a.jpg", "labels": []}]')}
    fetched[MD5] = ok_result(MD5, f"{DIGEST}  {SLUG}.pth\n")
    archives = {VISUALS: zip_result(VISUALS, 10)}
    for maps in (probed, fetched, archives):
        for url in maps:
            if url in replace:
                maps[url] = replace[url]
    return {"probed": probed, "fetched": fetched, "archives": archives}


def messages(findings: list[object]) -> list[str]:
    return [plain(f.message) for f in findings]  # type: ignore[attr-defined]


def test_healthy_artifacts_have_no_findings() -> None:
    assert check(artifacts.check, TEXT, **good()) == []
    assert check(checksums.check, TEXT, **good()) == []


def test_offline_nothing_is_said() -> None:
    assert check(artifacts.check, TEXT) == []


@pytest.mark.parametrize(
    ("url", "result", "words"),
    [
        (
            WEIGHTS,
            FetchResult(WEIGHTS, "not_public", 403),
            "[model] link of `R-50-FPN` (Weights) is not public (HTTP 403)",
        ),
        (
            PREDS,
            FetchResult(PREDS, "broken", 404),
            "[preds] link of `R-50-FPN` (Preds) is broken (HTTP 404)",
        ),
        (
            VISUALS,
            FetchResult(VISUALS, "broken", 206, reason="the archive claims 3 entries"),
            "is broken",
        ),
    ],
)
def test_failed_links_are_errors_at_the_row(url: str, result: FetchResult, words: str) -> None:
    findings = check(artifacts.check, TEXT, **good(**{url: result}))
    assert summary(findings) == [("error", "artifacts", ROW)]
    assert words in messages(findings)[0]


def test_a_drive_warning_page_is_a_warning() -> None:
    page = FetchResult(WEIGHTS, "unverifiable", 200, reason="Google Drive shows its warning")
    findings = check(artifacts.check, TEXT, **good(**{WEIGHTS: page}))
    assert summary(findings) == [("warning", "artifacts", ROW)]
    assert "cannot be verified" in messages(findings)[0]


def test_transient_failures_are_one_warning() -> None:
    down = {url: FetchResult(url, "inconclusive", 503) for url in (WEIGHTS, PREDS, VISUALS)}
    findings = check(artifacts.check, TEXT, **good(**down))
    assert summary(findings) == [("warning", "artifacts", ROW)]
    assert "3 linked files of this section could not be checked" in messages(findings)[0]


def test_tiny_weights_are_suspicious() -> None:
    tiny = FetchResult(WEIGHTS, "ok", 200, size=132)
    findings = check(artifacts.check, TEXT, **good(**{WEIGHTS: tiny}))
    assert summary(findings) == [("warning", "artifacts", ROW)]
    assert "only 132 B" in messages(findings)[0]


def test_an_empty_zip_is_an_error() -> None:
    empty = zip_result(VISUALS, 2, folders=2)
    findings = check(artifacts.check, TEXT, **good(**{VISUALS: empty}))
    assert "empty zip file" in messages(findings)[0]


def test_an_encrypted_zip_is_an_error() -> None:
    locked = zip_result(VISUALS, 5, encrypted=5)
    assert (
        "password-protected"
        in messages(check(artifacts.check, TEXT, **good(**{VISUALS: locked})))[0]
    )


def test_expected_file_counts_are_compared() -> None:
    masks = link_url("drivable", SLUG, "masks").replace("/masks/", "/preds/")
    preds = link_url("drivable", SLUG, "preds")
    cell = f"[preds]({preds}) \\| [masks]({masks})"
    row = make_row("drivable", SLUG, {"Preds": cell})
    text = task_readme("drivable", method_section(task="drivable", rows=[row]))
    line = line_of(text, "| R-50-FPN |")
    for files, expected in ((10_000, []), (9_999, [("warning", "artifacts", line)])):
        findings = check(
            artifacts.check, text, task="drivable", archives={masks: zip_result(masks, files)}
        )
        assert summary(findings) == expected
    findings = check(
        artifacts.check, text, task="drivable", archives={masks: zip_result(masks, 12)}
    )
    assert "holds 12 files; 10,000 are expected" in findings[0].message


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"{not json", "not a predictions file"),
        (b"\xff\xfe", "not UTF-8"),
        (b"42", "single int"),
        (b"[" * 100_000 + b"]" * 100_000, "too deeply"),
        (b"[" + b"9" * 5000 + b"]", "not a predictions file"),
    ],
)
def test_preds_json_must_parse(body: bytes, words: str) -> None:
    findings = check(artifacts.check, TEXT, **good(**{PREDS: ok_result(PREDS, body)}))
    assert summary(findings) == [("error", "artifacts", ROW)]
    assert words in messages(findings)[0]


def test_large_preds_are_not_inspected_but_said() -> None:
    big = FetchResult(PREDS, "too_large", 200, size=900_000_000)
    findings = check(artifacts.check, TEXT, **good(**{PREDS: big}))
    assert summary(findings) == [("notice", "artifacts", ROW)]
    assert "not inspected" in messages(findings)[0]


# --- checksums -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "digest", "name"),
    [
        (f"{DIGEST}  model.pth\n", DIGEST, "model.pth"),
        (f"{DIGEST.upper()} *model.pth", DIGEST, "model.pth"),
        (f"MD5 (model.pth) = {DIGEST}\n", DIGEST, "model.pth"),
        (f"\ufeff{DIGEST}\n", DIGEST, None),
    ],
)
def test_md5_file_forms(text: str, digest: str, name: str | None) -> None:
    parsed = parse_md5_file(text.encode())
    assert parsed is not None
    assert (parsed.digest, parsed.name) == (digest, name)


@pytest.mark.parametrize("text", ["", "not a digest", "abc123", "<html>", DIGEST[:31]])
def test_md5_files_without_a_digest(text: str) -> None:
    assert parse_md5_file(text.encode()) is None
    findings = check(checksums.check, TEXT, **good(**{MD5: ok_result(MD5, text)}))
    assert summary(findings) == [("error", "checksums", ROW)]


def test_an_md5_of_another_file_is_a_warning() -> None:
    other = ok_result(MD5, f"{DIGEST}  other_model.pth\n")
    findings = check(checksums.check, TEXT, **good(**{MD5: other}))
    assert summary(findings) == [("warning", "checksums", ROW)]


def test_a_wrong_md5_is_an_error_showing_both_digests() -> None:
    wrong = hashlib.md5(b"other").hexdigest()
    checksums_of = {WEIGHTS: FetchResult(WEIGHTS, "ok", 200, digest=wrong)}
    findings = check(checksums.check, TEXT, checksums=checksums_of, **good())
    assert summary(findings) == [("error", "checksums", ROW)]
    assert wrong in findings[0].message
    assert DIGEST in findings[0].message


def test_a_matching_md5_passes_and_an_unverified_one_is_a_notice() -> None:
    same = {WEIGHTS: FetchResult(WEIGHTS, "ok", 200, digest=DIGEST)}
    assert check(checksums.check, TEXT, checksums=same, **good()) == []
    over = {WEIGHTS: FetchResult(WEIGHTS, "ok", 200, reason="not verified: larger than 4 GB")}
    findings = check(checksums.check, TEXT, checksums=over, **good())
    assert summary(findings) == [("notice", "checksums", ROW)]


# --- pages ---------------------------------------------------------------------------------


CODE_URL = "https://github.com/example-lab/sparse-anchors"


def test_pages_that_answer_have_no_findings() -> None:
    probed = {
        PAPER_URL: FetchResult(PAPER_URL, "ok", 200),
        CODE_URL: FetchResult(CODE_URL, "ok", 200),
    }
    assert check(pages.check, TEXT, probed=probed) == []


def test_a_missing_repository_is_named() -> None:
    assert CODE_URL in CODE_LINKS
    probed = {CODE_URL: FetchResult(CODE_URL, "broken", 404)}
    findings = check(pages.check, TEXT, probed=probed)
    assert summary(findings) == [("error", "pages", line_of(TEXT, "[[Code]"))]
    assert "no GitHub repository" in findings[0].message


def test_a_dead_paper_link_is_an_error() -> None:
    probed = {PAPER_URL: FetchResult(PAPER_URL, "broken", 404)}
    findings = check(pages.check, TEXT, probed=probed)
    assert summary(findings) == [("error", "pages", line_of(TEXT, PAPER_URL))]
    assert "paper link is broken (HTTP 404)" in plain(findings[0].message)


def test_a_paper_page_that_refuses_programs_is_a_warning() -> None:
    probed = {PAPER_URL: FetchResult(PAPER_URL, "not_public", 403)}
    findings = check(pages.check, TEXT, probed=probed)
    assert summary(findings) == [("warning", "pages", line_of(TEXT, PAPER_URL))]
    assert "answers HTTP 403" in findings[0].message


def test_a_private_code_repository_is_an_error() -> None:
    probed = {CODE_URL: FetchResult(CODE_URL, "not_public", 401)}
    assert summary(check(pages.check, TEXT, probed=probed))[0][0] == "error"


@pytest.mark.parametrize(
    ("extensions", "warned"),
    [
        (((".png", 8), (".txt", 2)), False),
        (((".mp4", 3),), False),
        (((".json", 9), ("", 1)), True),
        (((".json", 9), ("*", 40)), False),  # too many kinds to tell: no claim
    ],
)
def test_visuals_must_hold_images_or_videos(
    extensions: tuple[tuple[str, int], ...], warned: bool
) -> None:
    result = zip_result(VISUALS, 10, extensions=extensions)
    findings = check(artifacts.check, TEXT, **good(**{VISUALS: result}))
    assert bool(findings) is warned
    if warned:
        assert summary(findings) == [("warning", "artifacts", ROW)]
        assert "holds no .png, .jpg" in findings[0].message
        assert "9 .json" in findings[0].message
