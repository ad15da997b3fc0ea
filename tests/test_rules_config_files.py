"""Tests for bot.rules.config_files: config links name files that exist in the reviewed tree."""

from __future__ import annotations

from dataclasses import replace

from bot.model import Finding
from bot.rules import config_files
from tests.ruleinput import (
    check,
    config_path,
    det_readme,
    line_of,
    make_input,
    make_row,
    run,
    summary,
)

ROW = "| R-50-FPN |"
ZOO_BLOB = "https://github.com/SysCV/bdd100k-models/blob/main"


def config_findings(link: str, head_paths: tuple[str, ...] = ()) -> tuple[str, list[Finding]]:
    text = det_readme(rows=[make_row(overrides={"Config": f"[config]({link})"})])
    return text, check(config_files.check, text, head_paths=head_paths)


def test_relative_path_present_at_head_is_fine() -> None:
    path = config_path("det", "sparse_r50_1x")
    assert path == "det/configs/det/sparse_r50_1x.py"
    assert check(config_files.check, det_readme(), head_paths=[path]) == []


def test_relative_path_absent_at_head() -> None:
    text = det_readme()
    findings = check(config_files.check, text, head_paths=[])
    assert summary(findings) == [("error", "config", line_of(text, ROW))]
    assert findings[0].message == (
        "The config file `det/configs/det/sparse_r50_1x.py` does not exist at the reviewed commit."
    )
    assert findings[0].hint is not None and "under det/configs/" in findings[0].hint


def test_path_without_dot_slash_and_root_relative_path() -> None:
    present = ("det/configs/b.py",)
    assert config_findings("configs/b.py", present)[1] == []
    assert config_findings("/det/configs/b.py", present)[1] == []


def test_relative_path_outside_the_configs_folder() -> None:
    text, findings = config_findings("./models/b.py", ("det/models/b.py",))
    assert summary(findings) == [("error", "config", line_of(text, ROW))]
    assert findings[0].message == (
        "The config link `./models/b.py` points to `det/models/b.py`, outside det/configs/."
    )


def test_relative_path_into_another_task() -> None:
    _, findings = config_findings("../sem_seg/configs/b.py", ("sem_seg/configs/b.py",))
    assert len(findings) == 1
    assert "points to `sem_seg/configs/b.py`, outside det/configs/" in findings[0].message


def test_relative_path_leaving_the_repository() -> None:
    text, findings = config_findings("../../x.py")
    assert summary(findings) == [("error", "config", line_of(text, ROW))]
    assert findings[0].message == "The config link `../../x.py` leaves the repository."


def test_github_url_to_another_repository_is_fine() -> None:
    link = "https://github.com/example-lab/sparse-anchors/blob/main/configs/sparse_r50.py"
    assert config_findings(link)[1] == []


def test_github_url_into_the_zoo_for_a_present_path_is_fine() -> None:
    link = f"{ZOO_BLOB}/det/configs/det/b.py"
    assert config_findings(link, ("det/configs/det/b.py",))[1] == []


def test_github_url_into_the_zoo_for_a_missing_path() -> None:
    text, findings = config_findings(f"{ZOO_BLOB}/det/configs/det/missing.py")
    assert summary(findings) == [("error", "config", line_of(text, ROW))]
    assert findings[0].message == (
        "The config link points to `det/configs/det/missing.py` in SysCV/bdd100k-models, "
        "which has no such file at this PR's head."
    )


def test_zoo_repository_name_ignores_case() -> None:
    link = "https://github.com/syscv/BDD100K-Models/blob/main/det/configs/det/missing.py"
    _, findings = config_findings(link)
    assert len(findings) == 1
    assert "no such file" in findings[0].message


def test_web_url_outside_github() -> None:
    text, findings = config_findings("https://files.example.org/zoo/det/configs/b.py")
    assert summary(findings) == [("error", "config", line_of(text, ROW))]
    assert findings[0].message == (
        "The config link `https://files.example.org/zoo/det/configs/b.py` is a web page "
        "outside GitHub."
    )


def test_github_page_that_is_not_a_file() -> None:
    _, findings = config_findings("https://github.com/example-lab/sparse-anchors")
    assert len(findings) == 1
    assert "a web page outside GitHub" in findings[0].message


def test_link_that_is_neither_path_nor_url() -> None:
    _, findings = config_findings("mailto:someone@example.org")
    assert len(findings) == 1
    assert "is not a path or URL" in findings[0].message


def test_each_row_is_checked_on_its_own_line() -> None:
    rows = [make_row(slug="a"), make_row(slug="b", overrides={"Backbone": "R-101-FPN"})]
    text = det_readme(rows=rows)
    findings = check(config_files.check, text, head_paths=["det/configs/det/a.py"])
    assert summary(findings) == [("error", "config", line_of(text, "| R-101-FPN |"))]
    assert "`det/configs/det/b.py`" in findings[0].message


def test_rows_outside_the_scope_are_not_checked() -> None:
    rows = [make_row(slug="a"), make_row(slug="b", overrides={"Backbone": "R-101-FPN"})]
    inp = make_input(det_readme(rows=rows), head_paths=[])
    first_only = replace(inp.scope, new=False, rows=inp.section.rows[:1])
    findings = run(config_files.check, replace(inp, scope=first_only))
    assert summary(findings) == [("error", "config", inp.section.rows[0].line)]
    assert "`det/configs/det/a.py`" in findings[0].message
