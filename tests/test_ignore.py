"""Maintainers' exceptions (`ignore:`) and the audit read as a maintainer's report."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bot.config import IgnoreSpec, load_config
from bot.engine import ReviewOptions, review
from bot.errors import ConfigError
from bot.model import Review
from bot.quote import plain
from bot.report.jsonout import to_dict
from bot.report.markdown import render_markdown
from bot.report.text import render_text
from tests.ruleinput import config, make_row, make_submission, method_section, task_readme
from tests.test_engine import TODAY

DET = "det/README.md"
PREPRINT = method_section("Old Preprint", venue="arXiv 2019", rows=[make_row(slug="old")])
GOOD = method_section("Dense Priors", rows=[make_row(slug="dense", overrides={"Backbone": "X"})])
SECTIONS = [
    method_section(f"Net {i}", rows=[make_row(slug=f"n{i}", overrides={"Backbone": f"B{i}"})])
    for i in range(10)
]


def audit(*ignore: IgnoreSpec, text: str | None = None, **options: object) -> Review:
    cfg = replace(config(), ignore=ignore)
    submission = make_submission({DET: text or task_readme("det", PREPRINT, GOOD)}, changed=())
    opts = ReviewOptions(today=TODAY, offline=True, audit_all=True, **options)  # type: ignore[arg-type]
    return review(submission, cfg, opts, None)


def test_a_matching_entry_hides_the_finding_and_counts_it() -> None:
    result = audit(IgnoreSpec(reason="accepted before the venue rule", rule="venue"))
    assert [f for f in result.findings if f.rule == "venue"] == []
    assert result.ignored == 1
    assert to_dict(result)["ignored"] == 1
    assert "1 ignored by the config" in render_text(result)
    assert "1 finding ignored by the config." in render_markdown(result)


def test_every_pattern_of_an_entry_must_match() -> None:
    other = IgnoreSpec(reason="a different section", rule="venue", section="Dense*")
    result = audit(other)
    assert [f.section for f in result.findings if f.rule == "venue"] == ["Old Preprint"]
    assert result.ignored == 0


def test_an_entry_matching_nothing_is_a_notice_in_a_whole_zoo_audit() -> None:
    stale = IgnoreSpec(reason="the page moved", url="https://pytorch.org/*")
    result = audit(stale)
    [notice] = [f for f in result.findings if f.rule == "ignore"]
    assert notice.severity == "notice"
    assert plain(notice.message) == (
        "The ignore entry (`url 'https://pytorch.org/*'`) matched no finding of the zoo."
    )
    assert notice.path == ".github/zoo-review.yml"
    # Not when only some tasks are audited: the entry may be about another task.
    assert not [f for f in audit(stale, tasks=("det",)).findings if f.rule == "ignore"]


def test_an_entry_matches_a_link_on_the_finding_line() -> None:
    url = "https://arxiv.org/abs/2305.01234"
    result = audit(IgnoreSpec(reason="known preprint", url=url, rule="venue"))
    assert result.ignored == 1


def test_the_config_requires_a_reason_and_a_pattern() -> None:
    with pytest.raises(ConfigError, match="missing key 'reason'"):
        load_config("ignore:\n  - rule: venue\n")
    with pytest.raises(ConfigError):
        load_config("ignore:\n  - reason: no pattern at all\n")
    cfg = load_config(
        "ignore:\n  - rule: venue\n    section: 'HRNet*'\n    reason: merged in 2021\n"
    )
    assert cfg.ignore == (IgnoreSpec(reason="merged in 2021", rule="venue", section="HRNet*"),)


def test_an_audit_groups_findings_by_readme_and_section_and_counts_entries() -> None:
    result = audit(text=task_readme("det", PREPRINT, *SECTIONS))
    text = render_text(result)
    assert "Reviewed 11 entries (11 rows) in 1 README; --verbose lists them." in text
    assert "Entries reviewed:" not in text
    assert "det/README.md › Old Preprint\ndet/README.md:" in text
    assert "Entries reviewed:" in render_text(result, verbose=True)
    markdown = render_markdown(result)
    assert "<details><summary>11 entries reviewed (11 rows)</summary>" in markdown
    assert "- **det/README.md** › `Old Preprint`" in markdown


def test_audit_hints_are_for_maintainers() -> None:
    text = task_readme(
        "det",
        method_section(
            rows=[make_row(slug="gone", overrides={"Config": "[config](./configs/det/gone.py)"})]
        ),
    )
    cfg = config()
    submission = make_submission({DET: text}, changed=(), head_paths=[DET])
    result = review(submission, cfg, ReviewOptions(today=TODAY, offline=True, audit_all=True), None)
    [missing] = [f for f in result.findings if f.rule == "config"]
    assert missing.hint is not None and "your PR" not in missing.hint
    assert "to the zoo" in missing.hint
