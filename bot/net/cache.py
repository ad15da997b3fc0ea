"""Remembers good link results on disk between audits, with their age (like lychee's cache)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

from bot.net.types import Fetcher, FetchResult, OnResult, Request
from bot.net.zipdir import ZipSummary

CACHE_FILE = "zoo-review-links.json"
_VERSION = 1


class CachedFetcher:
    """Answers from the cache what was fine less than `max_age_hours` ago; fetches the rest.

    Whole files (scores, MD5 files) are always fetched: the review reads their content.
    """

    def __init__(self, inner: Fetcher, folder: Path, max_age_hours: float) -> None:
        self.inner = inner
        self.path = folder / CACHE_FILE
        self.max_age = max_age_hours * 3600
        self.hits = 0

    async def fetch(
        self, requests: Sequence[Request], on_result: OnResult | None = None
    ) -> dict[Request, FetchResult]:
        entries = self._load()
        now = time.time()
        answered: dict[Request, FetchResult] = {}
        missing: list[Request] = []
        for request in dict.fromkeys(requests):
            entry = entries.get(_key(request)) if request.purpose != "body" else None
            result = _result(request, entry, now, self.max_age) if entry else None
            if result is None:
                missing.append(request)
            else:
                answered[request] = result
        self.hits = len(answered)
        if on_result is not None:
            for request, result in answered.items():
                on_result(request, result)
        fresh = await self.inner.fetch(missing, on_result)
        for request, result in fresh.items():
            if result.ok and request.purpose != "body":
                entries[_key(request)] = _entry(result, now)
        try:
            self._save(entries)
        except OSError as exc:  # the review stands without a cache; say why it was not kept
            print(f"zoo-review: could not save the cache {self.path} ({exc})", file=sys.stderr)
        return {**answered, **fresh}

    def _load(self) -> dict[str, dict[str, Any]]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            print(f"zoo-review: ignoring the unreadable cache {self.path} ({exc})", file=sys.stderr)
            return {}
        if not isinstance(data, dict) or data.get("version") != _VERSION:
            return {}
        entries = data.get("entries")
        return entries if isinstance(entries, dict) else {}

    def _save(self, entries: dict[str, dict[str, Any]]) -> None:
        """Write to a temporary file, then rename: a crash never leaves half a cache."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps({"version": _VERSION, "entries": entries}, indent=1, sort_keys=True)
        handle, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".zoo-review-")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as stream:
                stream.write(text)
            os.replace(temporary, self.path)
        except OSError:
            Path(temporary).unlink(missing_ok=True)
            raise


def _archive(saved: dict[str, Any]) -> ZipSummary:
    """A ZipSummary from its JSON form (tuples came back as lists)."""
    return ZipSummary(
        **{
            **saved,
            "top_level": tuple(saved.get("top_level", ())),
            "extensions": tuple((str(e), int(n)) for e, n in saved.get("extensions", ())),
        }
    )


def _key(request: Request) -> str:
    return f"{request.purpose} {request.url}"


def _entry(result: FetchResult, now: float) -> dict[str, Any]:
    return {
        "checked_at": now,
        "status": result.status,
        "size": result.size,
        "content_type": result.content_type,
        "digest": result.digest,
        "reason": result.reason,
        "archive": asdict(result.archive) if result.archive else None,
    }


def _result(
    request: Request, entry: dict[str, Any], now: float, max_age: float
) -> FetchResult | None:
    """The cached result, or None when it is too old or does not fit this version."""
    try:
        age = now - float(entry["checked_at"])
        if not 0 <= age <= max_age:
            return None
        archive = entry.get("archive")
        return FetchResult(
            url=request.url,
            verdict="ok",
            status=entry.get("status"),
            size=entry.get("size"),
            content_type=entry.get("content_type"),
            digest=entry.get("digest"),
            reason=entry.get("reason"),
            archive=_archive(archive) if archive else None,
            cached_hours=age / 3600,
        )
    except (KeyError, TypeError, ValueError):
        return None
