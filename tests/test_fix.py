"""Tests for mechanical fixes: bot.fixer, `zoo-review check --fix`, and suggestions inline."""

from __future__ import annotations

import re
from pathlib import Path

import cmarkgfm
import pytest

from bot.cli import main
from bot.config import load_config
from bot.example.server import ArtifactServer
from bot.example.zoo import ARTIFACT_HOST, BASE_BRANCH, build_example
from bot.fixer import apply_fixes, describe
from bot.model import Finding, Fix
from bot.publish.inline import comment_body, suggestion


def finding(line: int, old: str, new: str, path: str = "det/README.md") -> Finding:
    fix = Fix(path=path, line=line, old=old, new=new)
    return Finding("error", "template", path, line, "message", None, fix=fix)


def apply(tmp_path: Path, text: str, *findings: Finding) -> tuple[str, list[bool]]:
    target = tmp_path / "README.md"
    target.write_bytes(text.encode())
    applied = apply_fixes(findings, lambda _path: target)
    order = {id(f): i for i, f in enumerate(findings)}
    fixed = [a.fixed for a in sorted(applied, key=lambda a: order[id(a.finding)])]
    return target.read_bytes().decode(), fixed


def test_a_fix_replaces_its_line(tmp_path: Path) -> None:
    text, fixed = apply(
        tmp_path, "a\n| 31.3 | x |\nb\n", finding(2, "| 31.3 | x |", "| 31.27 | x |")
    )
    assert (text, fixed) == ("a\n| 31.27 | x |\nb\n", [True])


def test_two_fixes_of_one_line_are_merged(tmp_path: Path) -> None:
    old = "| 31.3 | y | 0.3362 |"
    first = finding(1, old, "| 31.27 | y | 0.3362 |")
    second = finding(1, old, "| 31.3 | y | 33.62 |")
    text, fixed = apply(tmp_path, old + "\n", first, second)
    assert (text, fixed) == ("| 31.27 | y | 33.62 |\n", [True, True])


def test_overlapping_fixes_apply_one(tmp_path: Path) -> None:
    old = "| 31.3 |"
    text, fixed = apply(
        tmp_path, old + "\n", finding(1, old, "| 31.27 |"), finding(1, old, "| 31.30 |")
    )
    assert fixed.count(True) == 1 and text in ("| 31.27 |\n", "| 31.30 |\n")


def test_a_line_changed_since_the_review_is_left_alone(tmp_path: Path) -> None:
    text, fixed = apply(tmp_path, "| 31.4 |\n", finding(1, "| 31.3 |", "| 31.27 |"))
    assert (text, fixed) == ("| 31.4 |\n", [False])


def test_crlf_and_a_byte_order_mark_are_kept(tmp_path: Path) -> None:
    source = "\ufeff### A\r\nOther information.\r\nTrained.\r\n"
    text, fixed = apply(
        tmp_path,
        source,
        finding(1, "### A", "### B"),
        finding(2, "Other information.", ""),
        finding(3, "Trained.", "\nTrained."),
    )
    assert fixed == [True, True, True]
    assert text == "\ufeff### B\r\n\r\nTrained.\r\n"


def test_describe_says_what_changes() -> None:
    assert describe(Fix("p", 1, "| 31.3 |", "| 31.27 |")) == "`3` → `27`"
    assert describe(Fix("p", 1, "Other information.", "")) == "removed `Other information.`"
    assert describe(Fix("p", 1, "x", "\nx")) == "inserted `⏎`"


def test_a_suggestion_renders_as_one_and_its_fence_holds_backticks() -> None:
    body = comment_body(finding(5, "| 31.3 |", "| 31.27 |"))
    assert body.endswith("```suggestion\n| 31.27 |\n```")
    html = cmarkgfm.github_flavored_markdown_to_html(body)
    assert '<pre lang="suggestion"><code>| 31.27 |\n</code></pre>' in html
    tricky = suggestion("a ```` b")
    assert tricky.startswith("`````suggestion\n") and tricky.endswith("\n`````")
    html = cmarkgfm.github_flavored_markdown_to_html(tricky)
    assert '<pre lang="suggestion"><code>a ```` b\n</code></pre>' in html
    # An empty suggestion deletes the line.
    assert suggestion("") == "```suggestion\n```"


def test_no_suggestion_for_a_fix_of_another_line() -> None:
    elsewhere = Finding(
        "error", "structure", "det/README.md", 9, "m", None, fix=Fix("det/README.md", 4, "a", "b")
    )
    assert "suggestion" not in comment_body(elsewhere)


# --- zoo-review check --fix on the bundled broken example ---------------------------------


@pytest.fixture
def broken_example(tmp_path: Path) -> tuple[Path, Path, Path]:
    zoo = build_example(tmp_path, load_config(), broken=True)
    return zoo.repo, zoo.body, zoo.artifacts


def rules_at(output: str) -> list[str]:
    return re.findall(r"^(\S+:\d+): \w+ \[(\w+)\]", output, re.MULTILINE)  # type: ignore[return-value]


def test_fix_offline_fixes_what_is_mechanical_and_a_second_run_shows_the_rest(
    broken_example: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, body, _ = broken_example
    args = ["check", "--repo", str(repo), "--base", BASE_BRANCH, "--body", str(body), "--offline"]
    assert main([*args, "--worktree"]) == 1
    before = capsys.readouterr().out
    assert main([*args, "--fix"]) == 1
    fixed = capsys.readouterr()
    assert "fixed det/README.md:46: inserted `\\` [template]" in fixed.err
    assert "removed `Other information.`" in fixed.err
    assert main([*args, "--worktree"]) == 1
    after = capsys.readouterr().out
    assert "12 cells" in before and "12 cells" not in after
    assert "Other information." in before and "Other information." not in after
    assert "fix:" not in after, "a second run has no fix left"
    assert rules_at(after) == rules_at(fixed.out)


def test_fix_online_takes_the_number_from_the_scores_file(
    broken_example: tuple[Path, Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    repo, body, artifacts = broken_example
    with ArtifactServer(artifacts) as server:
        args = [
            "check", "--repo", str(repo), "--base", BASE_BRANCH, "--body", str(body),
            "--scores-only", "--allow-private-hosts",
            "--remap", f"^{re.escape(ARTIFACT_HOST)}/(.*)$ {server.url}/$1",
        ]  # fmt: skip
        assert main([*args, "--fix"]) == 1
        fixed = capsys.readouterr()
        assert "fixed det/README.md:47: `89` → `48` [scores]" in fixed.err
        assert main([*args, "--worktree"]) == 1
        after = capsys.readouterr().out
    assert "33.89" not in after and "fix:" not in after
    assert "| 33.48 |" in (repo / "det" / "README.md").read_text(encoding="utf-8")


def test_fix_reviews_the_work_tree(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    zoo = build_example(tmp_path, load_config(), broken=False)
    code = main(
        ["check", "--repo", str(zoo.repo), "--base", BASE_BRANCH, "--head", "HEAD", "--fix"]
    )
    assert code == 2
    assert "--fix changes the work tree" in capsys.readouterr().err


# --- suggestions in a review on the fake GitHub ---------------------------------------------


def test_the_fake_github_takes_a_suggestion_on_a_line_of_the_diff_only() -> None:
    from github import GithubException

    from tests.fakegithub.server import FakeGitHub
    from tests.test_fakegithub import make_scenario

    scenario = make_scenario()
    with FakeGitHub(scenario.world) as server:
        pull = server.client().get_repo(scenario.repo.full_name).get_pull(scenario.pull.number)
        on_diff = finding(6, "| faster_rcnn_r101 | 32.4 |", "| faster_rcnn_r101 | 32.40 |")
        body = comment_body(on_diff)
        comment = {"path": "README.md", "line": 6, "side": "RIGHT", "body": body}
        pull.create_review(body="zoo-review", event="COMMENT", comments=[comment])
        [posted] = list(pull.get_review_comments())
        assert "```suggestion\n| faster_rcnn_r101 | 32.40 |\n```" in posted.body
        outside = {"path": "docs/guide.md", "line": 2, "side": "RIGHT", "body": body}
        with pytest.raises(GithubException) as refused:
            pull.create_review(body="zoo-review", event="COMMENT", comments=[outside])
        assert refused.value.status == 422


def test_the_comment_says_which_findings_check_fix_applies() -> None:
    from bot.model import Review
    from bot.report.markdown import render_markdown

    fixable = finding(4, "| 31.3 |", "| 31.27 |")
    plain_one = Finding("error", "venue", "det/README.md", 3, "`x` is not a venue.", None)
    text = render_markdown(Review("a" * 40, "b" * 40, findings=[plain_one, fixable]))
    assert text.count("🔧 Mechanical fix: `zoo-review check --fix` applies it.") == 1


def test_a_text_is_split_into_lines_once_for_all_its_fixes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Fixes for every row of a big README cost linear time, not a split of it per fix."""
    from bot.rules import fixes

    splits: list[int] = []
    real = fixes.normalize_newlines

    def counting(text: str) -> str:
        splits.append(len(text))
        return real(text)

    monkeypatch.setattr(fixes, "normalize_newlines", counting)
    text = "".join(f"| row {n} | {n}.5 |\r\n" for n in range(3000))
    texts = {"det/README.md": text}
    for line in range(1, 3001):
        assert (
            fixes.source_line(texts, "det/README.md", line) == f"| row {line - 1} | {line - 1}.5 |"
        )
    assert fixes.source_line(texts, "det/README.md", 3002) is None
    assert len(splits) == 1
