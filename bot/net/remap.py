"""Rewrites URLs before they are fetched (`--remap 'REGEX REPLACEMENT'`, like lychee's)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.errors import UsageError

_DOLLAR_GROUP = re.compile(r"\$(?:\{(\w+)\}|(\d+))")
_GROUP_REFERENCE = re.compile(r"\\g<(\w+)>|\\(\d+)")


@dataclass(frozen=True)
class Remap:
    pattern: re.Pattern[str]
    replacement: str

    def apply(self, url: str) -> str | None:
        """The rewritten URL, or None when the pattern does not match."""
        if not self.pattern.search(url):
            return None
        return self.pattern.sub(self.replacement, url, count=1)


def parse_remap(text: str) -> Remap:
    """`'https://dl\\.example\\.org/(.*) http://127.0.0.1:8000/$1'`: a regex, space, replacement."""
    parts = text.strip().split(None, 1)
    if len(parts) != 2:
        raise UsageError(
            f"--remap {text!r}: expected 'REGEX REPLACEMENT', e.g. "
            "'https://dl.example.org/(.*) http://127.0.0.1:8000/$1'"
        )
    try:
        pattern = re.compile(parts[0])
    except re.error as exc:
        raise UsageError(f"--remap {text!r}: {parts[0]!r} is not a valid regex ({exc})") from exc
    replacement = _DOLLAR_GROUP.sub(lambda m: rf"\g<{m.group(1) or m.group(2)}>", parts[1])
    for match in _GROUP_REFERENCE.finditer(replacement):
        group = match.group(1) or match.group(2)
        known = int(group) <= pattern.groups if group.isdigit() else group in pattern.groupindex
        if not known:
            raise UsageError(
                f"--remap {text!r}: the replacement uses group {group}, which the regex lacks"
            )
    return Remap(pattern=pattern, replacement=replacement)


def remap_url(remaps: Sequence[Remap], url: str) -> str:
    """The first matching remap rewrites the URL; without a match it stays as written."""
    for remap in remaps:
        rewritten = remap.apply(url)
        if rewritten is not None:
            return rewritten
    return url
