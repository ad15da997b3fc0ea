"""The floor of a Python link checker: start Python, import httpx, send one HEAD per URL.

With the same limits as zoo-review (8 per host, 32 in all), no retries, no bodies, no parsing,
no rules: what any Python tool built on asyncio and httpx pays before doing its own work. The
runner times it beside zoo-review (`python bench/floor.py URLS_FILE`).
"""

from __future__ import annotations

import asyncio
import sys

import httpx

AGENT = "python-floor/1"


async def check(urls: list[str], per_host: int = 8, total: int = 32) -> int:
    """HEAD every URL (redirects followed); the number that answered 2xx."""
    limits = httpx.Limits(max_connections=total, max_keepalive_connections=total)
    hosts: dict[str, asyncio.Semaphore] = {}
    async with httpx.AsyncClient(limits=limits, headers={"User-Agent": AGENT}) as client:

        async def one(url: str) -> bool:
            host = httpx.URL(url).host
            async with hosts.setdefault(host, asyncio.Semaphore(per_host)):
                try:
                    response = await client.head(url, follow_redirects=True)
                except httpx.HTTPError:
                    return False
                return response.is_success

        return sum(await asyncio.gather(*(one(url) for url in urls)))


def main() -> int:
    with open(sys.argv[1], encoding="utf-8") as handle:
        urls = [line.strip() for line in handle if line.strip()]
    good = asyncio.run(check(urls))
    print(f"{good}/{len(urls)} answered 2xx")
    return 0


if __name__ == "__main__":
    sys.exit(main())
