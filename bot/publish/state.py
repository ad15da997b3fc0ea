"""The hidden markers of the sticky comment: which comment is ours, and what it last reported."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from dataclasses import dataclass

from bot.model import Finding, Review
from bot.quote import clean, plain

STICKY_MARKER = "<!-- zoo-review:sticky -->"
# The scheduled audit's issue.
AUDIT_MARKER = "<!-- zoo-review:audit -->"
_STATE = re.compile(r"<!-- zoo-review:state ([A-Za-z0-9+/=]{1,60000}) -->")
_SHA = re.compile(r"[0-9a-f]{7,64}")
_FINGERPRINT = re.compile(r"[0-9a-f]{16}")
_RULE = re.compile(r"[a-z][a-z0-9_-]{0,31}")
VERSION = 1
# The most findings remembered: enough for any real review, and the marker stays small.
MAX_STORED = 300
MAX_PATH = 300


@dataclass(frozen=True)
class StoredFinding:
    """A finding of an earlier review, as remembered in the marker."""

    fingerprint: str
    rule: str
    path: str
    line: int | None


def has_marker(text: str, marker: str) -> bool:
    """Whether `text` holds `marker` once normalised the way the bot normalises what it quotes
    (control and zero-width characters removed, white space folded): a command that hides a
    marker behind such characters is not echoed back as one."""
    return marker in clean(text, len(text) + 1)


def starts_with_marker(text: str | None, marker: str) -> bool:
    """Whether `text` begins with `marker`: the bot writes its markers first, and quotes what
    others wrote only after them."""
    return (text or "").startswith(marker)


def body_digest(body: str | None) -> str:
    """A short digest of a PR description: the review depends on it (the checklist)."""
    return hashlib.sha256((body or "").encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Stored:
    """What the previous review reported, at which head commit (and, since they were stored,
    at which base commit and for which description)."""

    head: str
    findings: tuple[StoredFinding, ...]
    base: str | None = None
    body: str | None = None

    def fingerprints(self) -> frozenset[str]:
        return frozenset(item.fingerprint for item in self.findings)


def fingerprint(finding: Finding) -> str:
    """Identifies a finding across pushes: the line may move, the rule, file and text do not."""
    text = f"{finding.severity}\0{finding.rule}\0{finding.path}\0{plain(finding.message)}"
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def encode_state(review: Review, body: str | None = None) -> str:
    """The state marker for a review: base64 of a small JSON document in an HTML comment;
    `body`, the reviewed PR description, is stored as a digest."""
    items = [
        [fingerprint(finding), finding.rule, finding.path[:MAX_PATH], finding.line]
        for finding in review.findings[:MAX_STORED]
        if finding.severity != "notice"
    ]
    data: dict[str, object] = {"v": VERSION, "head": review.head, "findings": items}
    if body is not None:
        data.update(base=review.base, body=body_digest(body))
    raw = json.dumps(data, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    return f"<!-- zoo-review:state {base64.b64encode(raw).decode('ascii')} -->"


def decode_state(body: str) -> Stored | None:
    """The state in a comment body, or None when it is absent, garbled or not ours to trust:
    anyone with write access can edit the comment, so every field is checked."""
    match = _STATE.search(body)
    if match is None:
        return None
    try:
        data = json.loads(base64.b64decode(match.group(1), validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(data, dict) or data.get("v") != VERSION:
        return None
    head, items = data.get("head"), data.get("findings")
    if not isinstance(head, str) or not _SHA.fullmatch(head) or not isinstance(items, list):
        return None
    findings: list[StoredFinding] = []
    for item in items[:MAX_STORED]:
        parsed = _stored_finding(item)
        if parsed is None:
            return None
        findings.append(parsed)
    base, digest = data.get("base"), data.get("body")
    return Stored(
        head=head,
        findings=tuple(findings),
        base=base if isinstance(base, str) and _SHA.fullmatch(base) else None,
        body=digest if isinstance(digest, str) and _FINGERPRINT.fullmatch(digest) else None,
    )


def _stored_finding(item: object) -> StoredFinding | None:
    if not isinstance(item, list) or len(item) != 4:
        return None
    fp, rule, path, line = item
    if not isinstance(fp, str) or not _FINGERPRINT.fullmatch(fp):
        return None
    if not isinstance(rule, str) or not _RULE.fullmatch(rule):
        return None
    if not isinstance(path, str) or not path or len(path) > MAX_PATH:
        return None
    if line is not None and (isinstance(line, bool) or not isinstance(line, int) or line < 1):
        return None
    return StoredFinding(fp, rule, path, line)
