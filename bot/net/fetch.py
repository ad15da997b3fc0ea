"""Fetches files for the review with httpx: guarded hosts, manual redirects, capped bodies."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from urllib.parse import urljoin

import httpx

from bot import __version__
from bot.net.guard import UnresolvedHost, host_problem, port_problem, url_problem
from bot.net.types import FetchResult, Verdict

MAX_REDIRECTS = 5
_RETRY_STATUSES = (408, 429, 500, 502, 503, 504)


class HttpFetcher:
    """Each distinct URL fetched once, concurrently, within a per-URL deadline."""

    def __init__(
        self,
        *,
        timeout: float,
        allow_private_hosts: bool,
        concurrency: int = 8,
        retry_delay: float = 0.5,
    ) -> None:
        self.timeout = timeout
        self.allow_private_hosts = allow_private_hosts
        self.concurrency = concurrency
        self.retry_delay = retry_delay

    async def fetch_all(self, urls: Sequence[str], max_bytes: int) -> dict[str, FetchResult]:
        unique = list(dict.fromkeys(urls))
        limit = asyncio.Semaphore(self.concurrency)
        headers = {"User-Agent": f"zoo-review/{__version__}", "Accept-Encoding": "identity"}
        async with httpx.AsyncClient(
            headers=headers, follow_redirects=False, timeout=self.timeout, trust_env=False
        ) as client:
            results = await asyncio.gather(
                *(self._one(client, limit, url, max_bytes) for url in unique)
            )
        return dict(zip(unique, results, strict=True))

    async def _one(
        self, client: httpx.AsyncClient, limit: asyncio.Semaphore, url: str, max_bytes: int
    ) -> FetchResult:
        async with limit:
            start = time.monotonic()
            try:
                result = await asyncio.wait_for(
                    self._attempts(client, url, max_bytes), self.timeout
                )
            except TimeoutError:
                result = FetchResult(
                    url, "inconclusive", reason=f"no complete answer within {self.timeout:g} s"
                )
            return FetchResult(
                url=result.url,
                verdict=result.verdict,
                status=result.status,
                body=result.body,
                reason=result.reason,
                seconds=time.monotonic() - start,
            )

    async def _attempts(self, client: httpx.AsyncClient, url: str, max_bytes: int) -> FetchResult:
        result = await self._follow(client, url, max_bytes)
        if result.verdict == "inconclusive":
            await asyncio.sleep(self.retry_delay)
            result = await self._follow(client, url, max_bytes)
        return result

    async def _follow(self, client: httpx.AsyncClient, url: str, max_bytes: int) -> FetchResult:
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            problem = url_problem(current)
            if problem is not None:
                return FetchResult(url, "invalid" if current == url else "refused", reason=problem)
            try:
                refused = port_problem(current, self.allow_private_hosts) or await host_problem(
                    current, self.allow_private_hosts
                )
            except UnresolvedHost as exc:
                return FetchResult(url, "inconclusive", reason=str(exc))
            if refused is not None:
                return FetchResult(url, "refused", reason=refused)
            try:
                async with client.stream("GET", current) as response:
                    if response.is_redirect and "location" in response.headers:
                        current = urljoin(current, response.headers["location"])
                        continue
                    verdict = _verdict(response.status_code)
                    if verdict != "ok":
                        return FetchResult(url, verdict, status=response.status_code)
                    body = bytearray()
                    async for chunk in response.aiter_raw():
                        body.extend(chunk)
                        if len(body) > max_bytes:
                            return FetchResult(
                                url,
                                "too_large",
                                status=response.status_code,
                                reason=f"more than {max_bytes:,} bytes",
                            )
                    return FetchResult(url, "ok", status=response.status_code, body=bytes(body))
            except httpx.TransportError as exc:
                return FetchResult(url, "inconclusive", reason=_transport_reason(exc))
        return FetchResult(url, "broken", reason=f"more than {MAX_REDIRECTS} redirects")


def _verdict(status: int) -> Verdict:
    if 200 <= status < 300:
        return "ok"
    if status in (401, 403):
        return "not_public"
    if status in _RETRY_STATUSES:
        return "inconclusive"
    return "broken"


def _transport_reason(exc: httpx.TransportError) -> str:
    name = type(exc).__name__
    return f"{name}: {exc}" if str(exc) else name
