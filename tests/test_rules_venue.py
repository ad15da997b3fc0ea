"""Tests for bot.rules.venue: accepted top-tier venues, years, preprints and workshops."""

from __future__ import annotations

import pytest

from bot.config import load_config
from bot.rules import venue
from tests.ruleinput import check, det_readme, line_of, summary

PAPER = "arxiv.org/abs"


@pytest.mark.parametrize(
    "text",
    [
        "CVPR 2023",
        "CVPR 2021 Oral",
        "CVPR 2019 / TPAMI 2020",
        "IEEE/CVF CVPR 2022",
        "NeurIPS 2021 Spotlight",
        "To appear in ECCV 2024",
        "CVPR2021",
        "ICCV 2027",
        "Computational Visual Media 2022",
        "arXiv 2021 / ICCV 2021",
        "neurips 2020",
    ],
)
def test_accepted_venues(text: str) -> None:
    assert check(venue.check, det_readme(venue=text)) == []


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("arXiv 2023", "`arXiv 2023` is not a venue: the paper is not published yet."),
        ("arXiv", "`arXiv` is not a venue: the paper is not published yet."),
        ("Under review", "`Under review` is not a venue"),
        ("XYZ 2022", "`XYZ 2022` is not on the zoo's list of top-tier venues."),
        ("CVPR", "The venue `CVPR` has no year."),
        ("ICCV 2028", "The year 2028 of `ICCV 2028` is not plausible."),
        ("CVPR 1980", "The year 1980 of `CVPR 1980` is not plausible."),
        ("Symposium of Things 2021 / arXiv 2021", "`Symposium of Things 2021` is not on the"),
    ],
)
def test_rejected_venues(text: str, words: str) -> None:
    readme = det_readme(venue=text)
    findings = check(venue.check, readme)
    assert summary(findings) == [("error", "venue", line_of(readme, PAPER))]
    assert words in findings[0].message


def test_unknown_venue_hint_lists_accepted_venues() -> None:
    findings = check(venue.check, det_readme(venue="XYZ 2022"))
    assert findings[0].hint is not None
    assert "CVPR, ICCV, ECCV" in findings[0].hint and "venues.accepted" in findings[0].hint


def test_missing_year_hint_suggests_this_year() -> None:
    findings = check(venue.check, det_readme(venue="ECCV"))
    assert findings[0].hint is not None and "[ECCV 2026]" in findings[0].hint


def test_empty_brackets() -> None:
    findings = check(venue.check, det_readme(venue=""))
    assert [f.message for f in findings] == ["The venue is empty."]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("NeurIPS 2021 Workshop", "NeurIPS 2021 Workshop"),
        ("CVPRW 2021", "CVPRW 2021"),
        ("ICCV Workshops 2019", "ICCV Workshops 2019"),
    ],
)
def test_workshop_is_a_warning(text: str, shown: str) -> None:
    readme = det_readme(venue=text)
    findings = check(venue.check, readme)
    assert summary(findings) == [("warning", "venue", line_of(readme, PAPER))]
    assert f"`{shown}` is a workshop, not the main" in findings[0].message


def test_workshop_severity_comes_from_config() -> None:
    cfg = load_config("venues: {workshop_severity: error}")
    findings = check(venue.check, det_readme(venue="CVPRW 2021"), cfg=cfg)
    assert summary(findings)[0][0] == "error"
    assert "is a workshop" in findings[0].message


def test_no_paper_line_or_no_venue_is_left_to_skeleton() -> None:
    assert check(venue.check, det_readme(paper="")) == []
    assert check(venue.check, det_readme(venue=None)) == []


def test_placeholder_venue_is_left_to_template() -> None:
    assert check(venue.check, det_readme(venue="Venue and Year")) == []


def test_config_override_adds_a_venue_and_replaces_the_list() -> None:
    cfg = load_config("venues: {accepted: [{name: WACV, aliases: [WACV, IEEE WACV]}]}")
    assert check(venue.check, det_readme(venue="WACV 2023"), cfg=cfg) == []
    assert check(venue.check, det_readme(venue="IEEE WACV 2024"), cfg=cfg) == []
    # Lists replace: the default venues are gone with this override.
    findings = check(venue.check, det_readme(venue="CVPR 2023"), cfg=cfg)
    assert len(findings) == 1
    assert "`CVPR 2023` is not on the zoo's list" in findings[0].message
    assert findings[0].hint is not None and "Accepted venues: WACV." in findings[0].hint


def test_max_years_ahead_from_config() -> None:
    cfg = load_config("venues: {max_years_ahead: 3}")
    assert check(venue.check, det_readme(venue="CVPR 2029"), cfg=cfg) == []
    findings = check(venue.check, det_readme(venue="CVPR 2030"), cfg=cfg)
    assert "not plausible" in findings[0].message
    assert findings[0].hint is not None and "(1990-2029)" in findings[0].hint
