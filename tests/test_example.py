"""`zoo-review example`: the clean example passes, the broken one reports each planted mistake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli import main


def test_the_clean_example_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["example"]) == 0
    captured = capsys.readouterr()
    assert "✓ pass: 0 error(s), 0 warning(s), 0 notice(s)" in captured.out
    assert "Example R-CNN  (4 rows)" in captured.out
    assert "served from http://127.0.0.1:" in captured.err
    # The folder is gone when the command ends: it is not named, --keep is.
    assert "in a temporary folder, deleted when the example ends" in captured.err
    assert "--keep DIR" in captured.err
    assert "/tmp/zoo-review-example-" not in captured.err


def test_the_broken_example_reports_every_planted_mistake(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    keep = tmp_path / "kept"
    assert main(["example", "--broken", "--format", "json", "--keep", str(keep)]) == 1
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert f"Example zoo (with planted mistakes) in {keep.resolve() / 'zoo'}:" in captured.err
    assert f"Kept the example in {keep.resolve()}." in captured.err
    readme = (keep / "zoo" / "det" / "README.md").read_text(encoding="utf-8").split("\n")

    def line(needle: str) -> int:
        return next(number for number, text in enumerate(readme, 1) if needle in text)

    found = {
        (f["rule"], f["line"])
        for f in report["findings"]
        if f["severity"] == "error" and f["rule"] != "checklist"
    }
    rows = [number for number, text in enumerate(readme, 1) if text.startswith("| ")]
    r50_1x, r50_3x, r101, convnext = rows[-4:]
    assert ("venue", line("[arXiv 2023]")) in found
    assert ("template", r50_1x) in found  # the unescaped pipe
    assert ("scores", r50_3x) in found  # the number that disagrees
    assert ("config", r101) in found  # the config not in the PR
    assert ("scores", r101) in found  # the val file missing AP75
    assert ("links", convnext) in found  # no MD5 link
    assert ("scores", convnext) in found  # the double-encoded test file
    assert ("checksums", r50_3x) in found  # the MD5 file of other weights
    assert ("artifacts", r101) in found  # the private weights
    assert ("artifacts", convnext) in found  # the preds never uploaded
    network = {f["line"]: f["message"] for f in report["findings"] if f["rule"] == "artifacts"}
    assert "is not public (HTTP 403)" in network[r101]
    assert "[preds]" in network[convnext]
    assert "is broken (HTTP 404)" in network[convnext]
    assert ("template", line("Other information.")) in found
    checklist = [f for f in report["findings"] if f["rule"] == "checklist"]
    assert len(checklist) == 2
    assert report["summary"]["errors"] == len(found) + 2


def test_keep_refuses_a_folder_in_use(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert main(["example", "--keep", str(tmp_path)]) == 2
    assert "not empty" in capsys.readouterr().err
