"""Messages read back: the wording fixes of issue 9, one test per message."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.net.types import FetchResult
from bot.quote import plain
from bot.rules import venue
from bot.rules.fetched import Unchecked, article
from tests.ruleinput import config


def test_an_md5_file() -> None:
    unchecked = Unchecked("checksums", "det/README.md")
    unchecked.add(FetchResult("https://x.org/a.md5", "inconclusive", reason="timed out"), 7)
    [finding] = unchecked.findings("MD5 file")
    assert (
        plain(finding.message) == "An MD5 file of this section could not be checked: `timed out`."
    )
    assert [article(w) for w in ("MD5 file", "scores file", "archive", "URL")] == [
        "an",
        "a",
        "an",
        "a",
    ]


def test_the_venue_hint_names_the_config_file_in_use() -> None:
    policy = config().venues
    today = date(2026, 11, 24)
    default = venue.assess("SIGGRAPH 2023", policy, today, venue.config_file("bundled default"))
    assert default is not None and ".github/zoo-review.yml" in default.hint
    given = venue.assess("SIGGRAPH 2023", policy, today, venue.config_file("ops/zoo.yml"))
    assert given is not None and given.hint.endswith("venues.accepted in ops/zoo.yml.")
    assert ".github" not in given.hint


def test_in_submission_is_not_published_yet() -> None:
    policy = config().venues
    for text in ("In submission", "Under review", "Submitted to CVPR 2024"):
        found = venue.assess(text, policy, date(2026, 11, 24))
        assert found is not None
        assert plain(found.message).endswith("is not a venue: the paper is not published yet."), (
            text
        )


def test_a_config_given_on_the_command_line_is_named() -> None:
    cfg = replace(config(), source="ops/zoo.yml")
    assert venue.config_file(cfg.source) == "ops/zoo.yml"


def test_a_metric_without_a_scores_file_is_worded_for_its_rows() -> None:
    from bot.rules import scores
    from tests.ruleinput import check, make_row, method_section, ok_result, scores_url, task_readme

    rows = [make_row("ins_seg", f"m{i}", {"Backbone": f"R-{i}"}, header=None) for i in range(3)]
    text = task_readme("ins_seg", method_section(task="ins_seg", rows=rows))
    from bot.example.scores import dumps_scores, make_scores

    fetched = {}
    for i in range(3):
        for split in ("val", "test"):
            url = scores_url("ins_seg", f"m{i}", split)
            fetched[url] = ok_result(url, dumps_scores(make_scores("ins_seg", {})))
    notices = [
        f for f in check(scores.check, text, "ins_seg", fetched=fetched) if f.severity == "notice"
    ]
    assert notices
    assert all("cannot be checked against a scores file in 3 rows." in f.message for f in notices)


def test_a_wrong_format_is_said_of_the_file() -> None:
    from bot.rules.scores import wrong_format_message

    assert (
        wrong_format_message(
            "'Scores-test' file", "The scores file is double-encoded output of an older CLI."
        )
        == "The 'Scores-test' file is double-encoded output of an older CLI."
    )
    assert wrong_format_message("'Scores-val' file", "Values look like fractions.") == (
        "The 'Scores-val' file is in the wrong format: values look like fractions."
    )
