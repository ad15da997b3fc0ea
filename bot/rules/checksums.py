"""Checks the MD5 files: each holds a digest, and (when asked) it matches the weights file."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from bot.model import Finding, MethodSection, Severity, TableRow
from bot.quote import q
from bot.rules.context import Context, EntryScope
from bot.rules.fetched import Unchecked, describe_failure
from bot.urls import extension

RULE = "checksums"
# `d41d8cd9…  model.pth` (md5sum), `MD5 (model.pth) = d41d8cd9…` (BSD), or the digest alone.
# Matched against the stripped line, so that no pattern ends in a run of optional spaces.
_GNU = re.compile(r"^(?P<digest>[0-9a-fA-F]{32})(?:\s+\*?(?P<name>\S.*))?$")
_BSD = re.compile(r"^MD5\s*\((?P<name>.+)\)\s*=\s*(?P<digest>[0-9a-fA-F]{32})$", re.I)


@dataclass(frozen=True)
class Md5File:
    digest: str
    name: str | None


def parse_md5_file(body: bytes) -> Md5File | None:
    """The digest (lower case) and file name an MD5 file holds, or None when it holds none."""
    text = body.decode("utf-8", "replace").lstrip("\ufeff")
    first = next((line.strip() for line in text.splitlines() if line.strip()), "")
    match = _GNU.match(first) or _BSD.match(first)
    if match is None:
        return None
    return Md5File(match.group("digest").lower(), match.group("name"))


def check(entry: EntryScope, ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    unchecked = Unchecked(RULE, entry.section.path)
    for layout, row in entry.reviewed_rows():
        md5_links = layout.links(row, "md5")
        weights = layout.links(row, "weights")
        if not md5_links:
            continue
        _column, md5_spec, md5_link = md5_links[0]
        ext = extension(md5_link.url)
        same = any(link.url.strip() == md5_link.url.strip() for _c, _s, link in weights)
        if same or (md5_spec.ext and ext is not None and ext not in md5_spec.ext):
            continue  # not an MD5 file at all: the links rule says so, once
        result = ctx.fetched.get(md5_link.url.strip())
        if result is None:
            continue
        if result.verdict == "inconclusive":
            unchecked.add(result, row.line)
            continue
        failure = describe_failure(result, "The MD5 link")
        if failure is not None:
            findings.append(
                _finding(entry.section, row, failure.severity, failure.message, failure.hint)
            )
            continue
        md5 = parse_md5_file(result.body or b"")
        if md5 is None:
            findings.append(
                _finding(
                    entry.section,
                    row,
                    "error",
                    "The MD5 file holds no MD5 digest (32 hexadecimal characters).",
                    "Write the output of `md5sum model.pth` into the MD5 file.",
                )
            )
            continue
        if weights:
            findings += _against_weights(entry.section, row, md5, weights[0][2].url, ctx)
    return findings + unchecked.findings("MD5 file")


def _against_weights(
    section: MethodSection, row: TableRow, md5: Md5File, weights_url: str, ctx: Context
) -> list[Finding]:
    findings: list[Finding] = []
    weights_name = posixpath.basename(unquote(urlsplit(weights_url.strip()).path))
    # Only a URL that ends in a file name names the file (not Drive's `…/view` or `uc?id=`).
    named = extension(weights_url) is not None
    if named and md5.name and weights_name and posixpath.basename(md5.name) != weights_name:
        findings.append(
            _finding(
                section,
                row,
                "warning",
                f"The MD5 file is for {q(posixpath.basename(md5.name))}, but the model link "
                f"points to {q(weights_name)}.",
                "Check that the MD5 file belongs to these weights.",
            )
        )
    verified = ctx.checksums.get(weights_url.strip())
    if verified is None or not verified.ok:
        return findings  # not asked, or the weights link's own problem is reported elsewhere
    if verified.digest is None:
        findings.append(
            _finding(
                section,
                row,
                "notice",
                f"The weights' MD5 was not verified: {q(verified.reason or 'no digest')}.",
                "A maintainer can verify it by hand, or raise network.checksum_max_bytes.",
            )
        )
    elif verified.digest != md5.digest:
        findings.append(
            _finding(
                section,
                row,
                "error",
                f"The weights file's MD5 is {verified.digest}, but the MD5 file says {md5.digest}.",
                "Upload the weights that match the MD5 file, or update the MD5 file.",
            )
        )
    return findings


def _finding(
    section: MethodSection, row: TableRow, severity: Severity, message: str, hint: str | None
) -> Finding:
    return Finding(severity, RULE, section.path, row.line, message, hint)
