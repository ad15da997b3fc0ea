"""Checks the weights, preds and visuals files of each row: there, public, and of the right kind."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.config import LinkSpec
from bot.model import Finding, Link, Severity, TableRow
from bot.net.types import FetchResult
from bot.quote import q
from bot.report.links import size_text
from bot.rules.context import Context, EntryScope
from bot.rules.fetched import Unchecked, describe_failure
from bot.rules.layout import row_label
from bot.urls import extension

RULE = "artifacts"
# A checkpoint is megabytes; a few hundred bytes is an error page or a placeholder.
MIN_WEIGHTS_BYTES = 1024
_KINDS = ("weights", "preds", "visuals")
# json.loads builds an object for every value: a 16 MiB file of `[[],[],…]` takes 380 MB. A
# preds file with more values than this (counted as commas and brackets) is not inspected; the
# real ones are larger than `network.max_preds_bytes` anyway.
MAX_PREDS_VALUES = 500_000


@dataclass(frozen=True)
class _Link:
    """One artifact link of a row, with the words that name it in messages."""

    path: str
    row: TableRow
    spec: LinkSpec
    link: Link
    name: str

    def finding(self, severity: Severity, message: str, hint: str | None) -> Finding:
        return Finding(severity, RULE, self.path, self.row.line, message, hint)


def check(entry: EntryScope, ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    unchecked = Unchecked(RULE, entry.section.path)
    for layout, row in entry.reviewed_rows():
        label = row_label(layout, row)
        for kind in _KINDS:
            for column, spec, link in layout.links(row, kind):
                name = f"The [{link.label}] link of {q(label)} ({column.name})"
                item = _Link(entry.section.path, row, spec, link, name)
                findings += _check_link(item, ctx, unchecked)
    return findings + unchecked.findings("linked file")


def _check_link(item: _Link, ctx: Context, unchecked: Unchecked) -> list[Finding]:
    url = item.link.url.strip()
    kind = extension(url)
    if item.spec.kind == "weights":
        result = ctx.probed.get(url)
    elif kind == "zip":
        result = ctx.archives.get(url)
    elif kind == "json":
        result = ctx.fetched.get(url)
    else:
        result = ctx.probed.get(url)
    if result is None:
        return []  # offline, or not a web link (the links rule reports that)
    if result.verdict == "inconclusive":
        unchecked.add(result, item.row.line)
        return []
    if result.verdict == "too_large" and kind == "json" and item.spec.kind == "preds":
        size = f" ({size_text(result.size)})" if result.size else ""
        return [
            item.finding(
                "notice",
                f"{item.name}: the file is larger than the review reads{size}, so its "
                "contents were not inspected.",
                "Nothing to fix: a maintainer may check the file by hand.",
            )
        ]
    failure = describe_failure(result, item.name)
    if failure is not None:
        return [item.finding(failure.severity, failure.message, failure.hint)]
    if item.spec.kind == "weights":
        return _weights(item, result)
    if kind == "zip":
        return _archive(item, result)
    if kind == "json":
        return _json(item, result)
    return []


def _weights(item: _Link, result: FetchResult) -> list[Finding]:
    if result.size is not None and result.size < MIN_WEIGHTS_BYTES:
        return [
            item.finding(
                "warning",
                f"{item.name} leads to a file of only {size_text(result.size)}, too small for "
                "model weights.",
                "Check that the link downloads the checkpoint itself.",
            )
        ]
    return []


def _archive(item: _Link, result: FetchResult) -> list[Finding]:
    archive = result.archive
    if archive is None:  # a server that ignores Range requests: said by the verdict already
        return []
    files = archive.entries - archive.folders
    if files == 0:
        return [
            item.finding(
                "error",
                f"{item.name} is an empty zip file.",
                "Zip the files themselves and upload the archive again.",
            )
        ]
    findings: list[Finding] = []
    wanted = item.spec.contains
    held = {extension.lstrip(".") for extension, _count in archive.extensions}
    if wanted and "*" not in held and not held & set(wanted):  # "*": too many kinds to tell
        kinds = ", ".join(f".{extension}" for extension in wanted)
        most = ", ".join(
            f"{count:,} {extension or 'without extension'}"
            for extension, count in archive.extensions[:3]
        )
        findings.append(
            item.finding(
                "warning",
                f"{item.name} holds no {kinds} files; it holds {q(most)}.",
                "Check that the link points to the right archive.",
            )
        )
    expected = item.spec.expect_files
    if expected is not None and files != expected:
        findings.append(
            item.finding(
                "warning",
                f"{item.name} holds {files:,} files; {expected:,} are expected (one per "
                "validation image).",
                "Include a file for every image of the validation set.",
            )
        )
    if archive.encrypted:
        findings.append(
            item.finding(
                "error",
                f"{item.name} holds {archive.encrypted:,} password-protected files.",
                "Upload the archive without a password: the zoo's files are public.",
            )
        )
    return findings


def _json(item: _Link, result: FetchResult) -> list[Finding]:
    if item.spec.kind != "preds":
        return []
    body = result.body or b""
    if body.count(b",") + body.count(b"[") + body.count(b"{") > MAX_PREDS_VALUES:
        return [
            item.finding(
                "notice",
                f"{item.name}: the file holds more than {MAX_PREDS_VALUES:,} values, so its "
                "contents were not inspected.",
                "Nothing to fix: a maintainer may check the file by hand.",
            )
        ]
    try:
        value = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError:
        problem = "it is not UTF-8 text"
    except RecursionError:
        problem = "it nests arrays and objects too deeply"
    except ValueError as exc:  # JSONDecodeError, and integers too long to convert
        problem = str(exc).split(":")[0] if isinstance(exc, json.JSONDecodeError) else str(exc)
    else:
        if isinstance(value, (list, dict)):
            return []
        problem = f"it holds a single {type(value).__name__} instead of a list of frames"
    return [
        item.finding(
            "error",
            f"{item.name} is not a predictions file: {q(problem)}.",
            "Link the JSON file your model wrote for the validation set (Scalabel format).",
        )
    ]
