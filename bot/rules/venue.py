"""Checks the venue after the paper link: an accepted top-tier venue and a plausible year."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.config import REPO_CONFIG_PATH, VenuePolicy
from bot.model import Finding, Severity
from bot.quote import q
from bot.rules.context import Context, EntryScope
from bot.textnorm import fold

RULE = "venue"
# `CVPR 2019 / TPAMI 2020`, `CVPR 2019; TPAMI 2020` (but not the slash of `IEEE/CVF`). A match
# starts only where a run of white space starts (the lookbehind): linear on long runs of spaces.
_SEPARATORS = re.compile(r"(?<!\s)(?:\s+[/|&]\s+|\s*[;,]\s*)")
_YEAR = re.compile(r"(?<!\d)(?P<year>(?:19|20|21)\d{2})(?!\d)|'(?P<short>\d{2})(?!\d)")
_GLUED_YEAR = re.compile(r"(?<=[A-Za-z])(?=(?:19|20|21)\d{2}(?!\d))")
_LEAD_IN = re.compile(
    r"^(?:to appear (?:in|at)|accepted (?:to|at|by|in)|published (?:in|at)|in|at|"
    r"proceedings of(?: the)?)\s+",
    re.IGNORECASE,
)
_WORKSHOP = re.compile(r"\bworkshops?\b", re.IGNORECASE)


@dataclass(frozen=True)
class Assessment:
    """What the venue text says: a finding to make, or None when the venue is accepted."""

    severity: Severity
    message: str
    hint: str


@dataclass(frozen=True)
class _Part:
    text: str
    name: str
    year: int | None


def check(entry: EntryScope, ctx: Context) -> list[Finding]:
    paper = entry.section.paper
    if paper is None or paper.venue is None:
        return []
    placeholders = {fold(text) for text in ctx.config.placeholders}
    if fold(paper.venue) in placeholders:
        return []  # the template rule reports leftover placeholders
    assessment = assess(paper.venue, ctx.config.venues, ctx.today, config_file(ctx.config.source))
    if assessment is None:
        return []
    return [
        Finding(
            assessment.severity,
            RULE,
            entry.section.path,
            paper.line,
            assessment.message,
            assessment.hint,
        )
    ]


def config_file(source: str) -> str:
    """The config file maintainers edit: the one given with --config, else the repository's."""
    return REPO_CONFIG_PATH if source == "bundled default" else source


def assess(
    text: str, policy: VenuePolicy, today: date, config_path: str = REPO_CONFIG_PATH
) -> Assessment | None:
    """None when one part of `text` (e.g. `CVPR 2019 / TPAMI 2020`) is an accepted venue."""
    parts = [_split(part) for part in _SEPARATORS.split(text.strip()) if part.strip()]
    accepted_names = ", ".join(venue.name for venue in policy.accepted)
    if not parts:
        return Assessment(
            "error",
            "The venue is empty.",
            f"Write the venue and year in the brackets, e.g. [CVPR 2023]. Accepted venues: "
            f"{accepted_names}.",
        )
    latest = today.year + policy.max_years_ahead
    problems: list[Assessment] = []
    workshop: Assessment | None = None
    for part in parts:
        found = _accepted(part.name, policy)
        if found is None:
            continue
        venue, is_workshop = found
        if part.year is None:
            problems.append(
                Assessment(
                    "error",
                    f"The venue {q(part.text)} has no year.",
                    f"Add the year of {venue}, e.g. [{venue} {today.year}].",
                )
            )
        elif not policy.min_year <= part.year <= latest:
            problems.append(
                Assessment(
                    "error",
                    f"The year {part.year} of {q(part.text)} is not plausible.",
                    f"Write the year the paper is or will be published in "
                    f"({policy.min_year}-{latest}).",
                )
            )
        elif is_workshop or _WORKSHOP.search(part.text):
            workshop = Assessment(
                policy.workshop_severity,
                f"{q(part.text)} is a workshop, not the main {venue} venue.",
                "The zoo accepts models published in top-tier venues; a maintainer decides "
                "whether this workshop paper qualifies.",
            )
        else:
            return None
    if workshop is not None:
        return workshop
    if problems:
        return problems[0]
    if all(_unpublished(part, policy) for part in parts):
        return Assessment(
            "error",
            f"{q(text.strip())} is not a venue: the paper is not published yet.",
            "The zoo accepts models that are or will be published in a top-tier venue "
            f"({accepted_names}). Once the paper is accepted, write e.g. [CVPR 2023].",
        )
    unknown = next(part.text for part in parts if not _unpublished(part, policy))
    return Assessment(
        "error",
        f"{q(unknown)} is not on the zoo's list of top-tier venues.",
        f"Accepted venues: {accepted_names}. If it is one of these, use that name; if it is "
        f"top-tier but missing, a maintainer can add it to venues.accepted in {config_path}.",
    )


def _split(part: str) -> _Part:
    text = " ".join(part.split())
    spaced = _GLUED_YEAR.sub(" ", _LEAD_IN.sub("", text))
    match = _YEAR.search(spaced)
    if match is None:
        return _Part(text=text, name=spaced.strip(" ()[]"), year=None)
    year = int(match.group("year")) if match.group("year") else 2000 + int(match.group("short"))
    name = spaced[: match.start()].strip(" ()[]'")
    return _Part(text=text, name=name, year=year)


def _accepted(name: str, policy: VenuePolicy) -> tuple[str, bool] | None:
    """The accepted venue `name` spells, and whether it names its workshop (`CVPRW`)."""
    folded = fold(name)
    without_workshop = fold(_WORKSHOP.sub(" ", name))
    workshop = without_workshop != folded
    for venue in policy.accepted:
        spellings = {fold(venue.name), *(fold(alias) for alias in venue.aliases)}
        if without_workshop in spellings:
            return venue.name, workshop
        if without_workshop.endswith("w") and without_workshop[:-1] in spellings:
            return venue.name, True
    return None


def _unpublished(part: _Part, policy: VenuePolicy) -> bool:
    """`arXiv`, `In submission`, `Under review 2024`: words that say the paper is not out."""
    return _listed(part.name, policy.not_venues) or _listed(part.text, policy.not_venues)


def _listed(name: str, names: tuple[str, ...]) -> bool:
    folded = fold(name)
    return any(folded == fold(entry) or folded.startswith(fold(entry) + " ") for entry in names)
