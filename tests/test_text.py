"""Tests for bot.text and the `text` rule: a task README that is not UTF-8 text is one error."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from bot.cli import main
from bot.text import NotText, decode_text
from tests.conftest import GitZoo
from tests.ruleinput import det_readme, make_row, method_section, task_readme


def found(data: bytes) -> str:
    with pytest.raises(NotText) as caught:
        decode_text(data)
    return caught.value.found


def test_utf8_text_and_a_utf8_bom() -> None:
    assert decode_text("Détection ✓\n".encode()) == "Détection ✓\n"
    assert decode_text(b"\xef\xbb\xbf# Title\n") == "# Title\n"
    assert decode_text(b"") == ""


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("# Title\n".encode("utf-16"), "UTF-16 text (a byte-order mark FF FE)"),
        ("# Title\n".encode("utf-16-be"), "UTF-16 text without a byte-order mark (big-endian)"),
        ("# Title\n".encode("utf-16-le"), "UTF-16 text without a byte-order mark (little-endian)"),
        (b"\xfe\xff\x00#", "UTF-16 text (a byte-order mark FE FF)"),
        ("# T\n".encode("utf-32"), "UTF-32 text (a byte-order mark FF FE 00 00)"),
        (b"# Title\n\x00\x01\x02 tail", "binary data: a NUL byte at offset 8"),
        (b"\xef\xbb\xbf# T\x00", "binary data: a NUL byte at offset 6"),
        (b"# Caf\xe9\n", "invalid UTF-8 at byte 5"),
        (b"\xef\xbb\xbf# Caf\xe9\n", "invalid UTF-8 at byte 8"),
    ],
)
def test_what_is_not_text_is_named(data: bytes, words: str) -> None:
    assert found(data) == words


# --- a whole check on a git zoo -----------------------------------------------------------


OLD = method_section("Old Method", rows=[make_row(slug="old")])


def zoo_with_readme(git_zoo: GitZoo, head: bytes) -> None:
    git_zoo.write("det/README.md", task_readme("det", OLD))
    git_zoo.write("det/configs/det/old.py", "model = dict(type='FasterRCNN')\n")
    git_zoo.commit("base zoo")
    git_zoo.branch("contribution")
    (git_zoo.root / "det/README.md").write_bytes(head)
    git_zoo.commit("replace the README")


def check_json(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> tuple[int, dict[str, object]]:
    code = main(["check", "--repo", str(git_zoo.root), "--offline", "--format", "json"])
    report: dict[str, object] = json.loads(capsys.readouterr().out)
    return code, report


def test_readme_of_random_bytes_is_one_error_and_no_removals(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> None:
    noise = random.Random(8).randbytes(6000)
    zoo_with_readme(git_zoo, noise)
    code, report = check_json(git_zoo, capsys)
    assert code == 1
    assert report["verdict"] == "fail"
    findings = report["findings"]
    assert isinstance(findings, list) and len(findings) == 1
    finding = findings[0]
    assert (finding["severity"], finding["rule"], finding["path"], finding["line"]) == (
        "error",
        "text",
        "det/README.md",
        None,
    )
    assert finding["message"].startswith("det/README.md is not UTF-8 text (")
    assert report["entries"] == []


def test_utf16_readme_is_named_as_such(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    text = det_readme(rows=[make_row(slug="old")])
    zoo_with_readme(git_zoo, text.encode("utf-16"))
    code, report = check_json(git_zoo, capsys)
    assert code == 1
    findings = report["findings"]
    assert isinstance(findings, list)
    assert [(f["rule"], f["message"]) for f in findings] == [
        (
            "text",
            "det/README.md is not UTF-8 text (UTF-16 text (a byte-order mark FF FE)), so nothing "
            "in it was reviewed.",
        )
    ]


def test_utf8_bom_readme_is_reviewed(git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]) -> None:
    text = task_readme("det", OLD, method_section(rows=[make_row(slug="new")]))
    git_zoo.write("det/configs/det/new.py", "model = dict(type='FasterRCNN')\n")
    zoo_with_readme(git_zoo, b"\xef\xbb\xbf" + text.encode())
    code, report = check_json(git_zoo, capsys)
    assert code == 0, report["findings"]
    assert report["findings"] == []
    assert any("checklist" in item for item in report["not_checked"])  # no --body
    line = text.split("\n").index("### Sparse Anchors") + 1
    assert report["entries"] == [
        {
            "task": "det",
            "path": "det/README.md",
            "section": "Sparse Anchors",
            "line": line,
            "rows": 1,
        }
    ]


def test_binary_readme_in_the_work_tree(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> None:
    zoo_with_readme(git_zoo, task_readme("det").encode())
    (git_zoo.root / "det/README.md").write_bytes(b"# Detection\n\x00\x00")
    code = main(["check", "--repo", str(git_zoo.root), "--offline", "--worktree"])
    out = capsys.readouterr().out
    assert code == 1
    assert "binary data: a NUL byte at offset 12" in out
    assert "removes" not in out


def test_audit_names_a_readme_that_is_not_text(
    git_zoo: GitZoo, capsys: pytest.CaptureFixture[str]
) -> None:
    zoo_with_readme(git_zoo, b"# Detection\n\xff\xfe")
    code = main(["audit", "--repo", str(git_zoo.root), "--offline", "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [(f["rule"], f["path"]) for f in report["findings"]] == [("text", "det/README.md")]
    assert "invalid UTF-8 at byte 12" in report["findings"][0]["message"]
