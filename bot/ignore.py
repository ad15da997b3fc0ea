"""Applies the maintainers' `ignore:` list: matching findings are hidden but counted."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from bot.config import Config, IgnoreSpec
from bot.model import Finding, Readme
from bot.quote import q, segments


@dataclass(frozen=True)
class Ignored:
    """The findings left, how many were hidden, and the entries that matched none."""

    kept: list[Finding]
    hidden: int
    unused: list[IgnoreSpec]


def apply_ignores(
    findings: Sequence[Finding], config: Config, readmes: Mapping[str, Readme]
) -> Ignored:
    if not config.ignore:
        return Ignored(list(findings), 0, [])
    used: set[int] = set()
    kept: list[Finding] = []
    for finding in findings:
        matched = [
            index
            for index, spec in enumerate(config.ignore)
            if matches(spec, finding, _urls(finding, readmes))
        ]
        used.update(matched)
        if not matched or finding.incomplete:
            # A check that could not run is never hidden: the verdict depends on it.
            kept.append(finding)
    hidden = len(findings) - len(kept)
    unused = [spec for index, spec in enumerate(config.ignore) if index not in used]
    return Ignored(kept, hidden, unused)


def matches(spec: IgnoreSpec, finding: Finding, urls: Sequence[str]) -> bool:
    """Whether every pattern the entry gives matches the finding."""
    if spec.rule is not None and spec.rule != finding.rule:
        return False
    if spec.path is not None and not fnmatchcase(finding.path, spec.path):
        return False
    if spec.section is not None and not fnmatchcase(finding.section or "", spec.section):
        return False
    return spec.url is None or any(fnmatchcase(url, spec.url) for url in urls)


def _urls(finding: Finding, readmes: Mapping[str, Readme]) -> list[str]:
    """Links on the finding's line of its README, and the values quoted in its message."""
    urls = [value for value, untrusted in segments(finding.message) if untrusted]
    readme = readmes.get(finding.path)
    if readme is None or finding.line is None:
        return urls
    for section in readme.sections:
        if not section.line <= finding.line <= section.end_line:
            continue
        for text_line in section.lines:
            if text_line.line == finding.line:
                urls += [link.url.strip() for link in text_line.links]
        for row in section.rows:
            if row.line == finding.line:
                urls += [link.url.strip() for cell in row.cells for link in cell.links]
        if section.paper is not None and section.paper.line == finding.line:
            urls.append(section.paper.url.strip())
    return urls


def unused_notice(spec: IgnoreSpec, config_path: str) -> Finding:
    """An entry that matched nothing in a whole-zoo review: stale, most likely."""
    return Finding(
        "notice",
        "ignore",
        config_path,
        None,
        f"The ignore entry ({q(spec.describe())}) matched no finding of the zoo.",
        f"If what it excused was fixed, remove the entry from {config_path}.",
    )
