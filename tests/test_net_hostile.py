"""The fetcher under hostile servers: bounded memory, no work after a deadline, every failure
one link's verdict, and the address guard's embedded and cloud-host addresses."""

from __future__ import annotations

import asyncio
import ipaddress
import struct
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bot.config import NetworkPolicy
from bot.net import zipdir
from bot.net.fetcher import GuardedFetcher, NetworkSettings
from bot.net.guard import AddressPolicy, embedded, is_public, port_problem, url_problem
from bot.net.held import HeldBytes, HeldBytesFull
from bot.net.setup import address_policy
from bot.net.types import FetchResult, Purpose, Request
from bot.net.zippool import ParsePool
from tests.httpserver import Reply, ScriptedServer

OPEN = AddressPolicy(allow_private=True)
CLOSED = AddressPolicy()
MiB = 1024 * 1024


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


def make(policy: AddressPolicy = OPEN, **settings: Any) -> GuardedFetcher:
    values: dict[str, Any] = {"timeout": 5.0, "backoff": 0.01, **settings}
    return GuardedFetcher(policy, NetworkSettings(**values), seed=5)


def fetch(
    url: str, purpose: Purpose = "body", max_bytes: int = 1000, **settings: Any
) -> FetchResult:
    request = Request(purpose, url, max_bytes)
    return asyncio.run(make(**settings).fetch([request]))[request]


# --- the guard: embedded IPv4 addresses, translated and site-local ranges, the cloud host -------


@pytest.mark.parametrize(
    ("address", "carried"),
    [
        ("::ffff:127.0.0.1", "127.0.0.1"),  # mapped
        ("::ffff:0:7f00:1", "127.0.0.1"),  # IPv4-translated
        ("64:ff9b::a9fe:a9fe", "169.254.169.254"),  # NAT64
        ("64:ff9b:1:a9fe:a9:fe00::", "169.254.169.254"),  # local-use NAT64 (RFC 6052 /48)
        ("2002:a00:1::", "10.0.0.1"),  # 6to4
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "10.0.0.1"),  # Teredo, client inverted
    ],
)
def test_embedded_ipv4_addresses_are_found(address: str, carried: str) -> None:
    assert ipaddress.ip_address(carried) in embedded(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    [
        "fec0::1",  # site-local
        "::ffff:0:7f00:1",  # IPv4-translated loopback
        "::ffff:0:808:808",  # IPv4-translated, even of a public address
        "168.63.129.16",  # Azure's WireServer
        "::ffff:168.63.129.16",
        "64:ff9b::a83f:8110",  # the WireServer through NAT64
    ],
)
def test_addresses_the_guard_refuses(address: str) -> None:
    ip = ipaddress.ip_address(address)
    assert not is_public(ip)
    assert CLOSED.refusal(ip) is not None


def test_the_wireserver_says_why() -> None:
    reason = CLOSED.refusal(ipaddress.ip_address("168.63.129.16")) or ""
    assert "WireServer" in reason


def test_an_allowed_translation_prefix_still_checks_the_address_inside() -> None:
    """An IPv6-only runner reaches IPv4 hosts through NAT64: the operator opens the prefix,
    and the IPv4 address each answer carries is checked as if it were connected to."""
    nat64 = AddressPolicy(allowed_networks=(ipaddress.ip_network("64:ff9b::/96"),))
    assert nat64.refusal(ipaddress.ip_address("64:ff9b::808:808")) is None  # 8.8.8.8
    for inner in ("127.0.0.1", "169.254.169.254", "10.1.2.3", "168.63.129.16"):
        address = ipaddress.ip_address(f"64:ff9b::{inner}")
        reason = nat64.refusal(address) or ""
        assert f"carries {inner}" in reason, (inner, reason)


def test_an_allowed_network_is_allowed_in_every_spelling() -> None:
    mirror = AddressPolicy(allowed_networks=(ipaddress.ip_network("10.0.0.0/8"),))
    assert mirror.refusal(ipaddress.ip_address("10.1.2.3")) is None
    assert mirror.refusal(ipaddress.ip_address("::ffff:10.1.2.3")) is None
    assert mirror.refusal(ipaddress.ip_address("10.1.2.3")) is None
    assert mirror.refusal(ipaddress.ip_address("192.168.1.1")) is not None
    assert mirror.refusal(ipaddress.ip_address("2002:a01:203::")) is not None  # 6to4: a relay


def test_allowed_networks_open_the_default_ports_only() -> None:
    mirror = address_policy(NetworkPolicy(allowed_networks=("10.0.0.0/8",)), False)
    assert port_problem("https://files.example.org:8443/x", mirror) is not None
    assert port_problem("http://10.1.2.3:8080/x", mirror) is not None
    assert port_problem("http://10.1.2.3/x", mirror) is None
    assert port_problem("http://10.1.2.3:8080/x", OPEN) is None


@pytest.mark.parametrize(
    "url", ["http://[::ffff:0:7f00:1]/x", "http://[fec0::1]/x", "http://168.63.129.16/machine"]
)
def test_refused_addresses_are_never_connected(url: str) -> None:
    fetcher = make(CLOSED)
    request = Request("body", url, 100)
    result = asyncio.run(fetcher.fetch([request]))[request]
    assert result.verdict == "refused", result.reason
    assert fetcher.log.connections == []


def test_a_url_with_a_lone_surrogate_is_invalid() -> None:
    assert "cannot be sent" in (url_problem("https://files.example.org/\ud800.json") or "")
    assert fetch("https://files.example.org/\ud800.json").verdict == "invalid"


# --- header values that str.isdigit accepts and int() refuses ----------------------------------


def test_a_retry_after_in_unicode_digits_is_ignored(server: ScriptedServer) -> None:
    url = server.on("/busy", Reply(429, headers=(("Retry-After", "²"),)), Reply(200, b"{}"))
    result = fetch(url)
    assert (result.verdict, result.attempts) == ("ok", 2)


def test_a_content_range_in_unicode_digits_is_no_size(server: ScriptedServer) -> None:
    server.on("/w.pth", Reply(405), method="HEAD")
    odd = (("Content-Range", "bytes 0-0/²³"),)
    url = server.on("/w.pth", Reply(206, b"\x80", headers=odd), method="GET")
    probe = fetch(url, "probe")
    assert (probe.verdict, probe.size) == ("ok", 1)  # the Content-Length, not `²³`
    archive = fetch(server.on("/v.zip", Reply(206, b"PK", headers=odd)), "archive")
    assert archive.verdict == "unverifiable"


@pytest.mark.parametrize(
    "value", ["²", "1" * 5000, "-5", "12 34", "0x10", "99999999999999999999999"]
)
def test_odd_content_lengths_never_crash(server: ScriptedServer, value: str) -> None:
    url = server.on("/s.json", Reply(200, b"{}", headers=(("Content-Length", value),)))
    result = fetch(url, retries=0)
    assert result.verdict in ("ok", "inconclusive", "too_large"), result.reason


def test_an_unexpected_failure_is_that_links_verdict(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> zipdir.ZipSummary:
        raise IndexError("index out of range")

    monkeypatch.setattr(zipdir, "summarise", broken)
    archive = server.file("/v.zip", make_zip(3))
    scores = server.on("/s.json", Reply(200, b"{}"))
    requests = [Request("archive", archive), Request("body", scores, 100)]
    results = asyncio.run(make().fetch(requests))
    failed, fine = results.values()
    assert (failed.verdict, failed.attempts) == ("inconclusive", 1)
    assert failed.reason == "zoo-review could not read the answer (IndexError: index out of range)"
    assert fine.verdict == "ok"


# --- zip central directories: capped, and never parsed past a deadline -------------------------


def make_zip(entries: int, name_bytes: int = 20) -> bytes:
    """A zip of empty stored files whose central directory is `entries` records (at most
    65,535, no ZIP64): the fetcher reads no local data, so the local headers are zeros."""
    local = bytes(30 * entries)
    records = bytearray()
    for index in range(entries):
        name = f"{index:0{name_bytes - 4}d}.png".encode()
        records += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            20,
            20,
            0,
            0,
            0,
            0,
            0,
            0,
            0,
            len(name),
            0,
            0,
            0,
            0,
            0,
            30 * index,
        )
        records += name
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, entries, entries, len(records), len(local), 0
    )
    return local + bytes(records) + end


def test_a_huge_central_directory_is_refused_unread(server: ScriptedServer) -> None:
    """A 300 MiB archive whose end record claims a 256 MiB directory: refused from the tail."""
    size, directory = 300 * MiB, 256 * MiB
    end = struct.pack(
        "<4s4H2LH", b"PK\x05\x06", 0, 0, 50_000, 50_000, directory, size - 22 - directory, 0
    )
    tail = bytes(zipdir.TAIL_BYTES - len(end)) + end
    served = f"bytes {size - len(tail)}-{size - 1}/{size}"
    url = server.on("/bomb.zip", Reply(206, tail, headers=(("Content-Range", served),)))
    result = fetch(url, "archive")
    assert result.verdict == "broken"
    assert "central directory is 256.0 MiB" in (result.reason or ""), result.reason
    assert "at most 8.0 MiB" in (result.reason or ""), result.reason
    assert len(server.script.requests) == 1, "only the tail was read"


def test_a_parse_stops_at_its_deadline() -> None:
    archive = make_zip(65_000, name_bytes=9)
    directory = zipdir.find_directory(archive[-zipdir.TAIL_BYTES :], len(archive))
    listing = archive[directory.offset : directory.offset + directory.size]
    start = time.monotonic()
    full = zipdir.summarise(listing, directory, zipdir.Limits())
    whole = time.monotonic() - start
    assert full.entries == 65_000
    # The best of three: a loaded machine (the suite runs on every core) only adds to a time.
    stopped = []
    for _ in range(3):
        start = time.monotonic()
        with pytest.raises(zipdir.ZipProblem, match="not read within the link's deadline"):
            zipdir.summarise(listing, directory, zipdir.Limits(), deadline=start + whole / 10)
        stopped.append(time.monotonic() - start)
    assert min(stopped) < whole / 2, (stopped, whole)


@pytest.mark.parametrize("workers", [0, 2])
def test_no_parse_outlives_its_deadline(workers: int) -> None:
    """Eight directories of 65,000 entries: 2 s of parsing together on an idle machine, in
    threads (workers=0) or worker processes. Their callers stop waiting at a 0.4 s deadline,
    as the fetcher's links do; the parses stop there too, so asyncio.run (which waits for its
    threads) returns right after it, not seconds later."""
    archive = make_zip(65_000, name_bytes=9)
    directory = zipdir.find_directory(archive[-zipdir.TAIL_BYTES :], len(archive))
    listing = archive[directory.offset :]

    async def parse_all() -> None:
        pool = ParsePool(workers)
        deadline = time.monotonic() + 0.4
        jobs = [
            pool.summarise(listing[:-22], directory, zipdir.Limits(), deadline) for _ in range(8)
        ]
        try:
            async with asyncio.timeout_at(deadline):
                await asyncio.gather(*jobs, return_exceptions=True)
        except TimeoutError:
            pass
        finally:
            await pool.close()

    start = time.monotonic()
    asyncio.run(parse_all())
    elapsed = time.monotonic() - start
    assert elapsed < 0.4 + 0.6, f"{elapsed:.1f} s: a parse ran on after its deadline"


def test_the_fetcher_gives_each_parse_its_links_deadline(
    server: ScriptedServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    deadlines: list[float | None] = []
    parse = ParsePool.summarise

    async def recorded(pool: ParsePool, *args: Any) -> zipdir.ZipSummary:
        deadlines.append(args[-1])
        return await parse(pool, *args)

    monkeypatch.setattr(ParsePool, "summarise", recorded)
    start = time.monotonic()
    result = fetch(server.file("/v.zip", make_zip(100)), "archive", timeout=3.0)
    assert result.verdict == "ok"
    [deadline] = deadlines
    assert deadline is not None and start < deadline <= time.monotonic() + 3.0


# --- the bytes a review holds at once ------------------------------------------------------------


def test_held_bytes_wait_for_what_comes_back_and_fail_when_nothing_will() -> None:
    async def scenario() -> list[str]:
        held = HeldBytes(100)
        events: list[str] = []
        first = await held.reserve(60)

        async def second() -> None:
            await held.reserve(80)  # waits: the first read is in flight
            events.append(f"second reserved, {held.held} held")

        waiting = asyncio.create_task(second())
        await asyncio.sleep(0)
        events.append("first read ends, 30 bytes kept until released")
        held.settle(first, 30)
        await asyncio.sleep(0)
        assert not waiting.done(), "80 fits only once the 30 are released"
        held.release(30)
        await waiting
        held.settle(80, 80)
        held.keep(80)  # a body kept for the rules
        try:
            await held.reserve(50)  # 80 kept for good: 50 more can never fit
        except HeldBytesFull:
            events.append("no room, and none will come")
        events.append(f"peak {held.peak}")
        return events

    assert asyncio.run(scenario()) == [
        "first read ends, 30 bytes kept until released",
        "second reserved, 80 held",
        "no room, and none will come",
        "peak 80",
    ]


def test_bodies_beyond_what_a_review_holds_are_cut_once(server: ScriptedServer) -> None:
    """Ten 250 kB bodies, 1 MiB held at most: four are read, six are cut (not a crash, not a
    wait), and the memory the fetch used stays near the 1 MiB."""
    urls = [server.on(f"/s{n}.json", Reply(200, b"x" * 250_000)) for n in range(10)]
    requests = [Request("body", url, 300_000) for url in urls]
    fetcher = make(held_bytes=MiB)
    tracemalloc.start()
    try:
        results = asyncio.run(fetcher.fetch(requests))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    verdicts = [(r.verdict, r.cut) for r in results.values()]
    assert verdicts.count(("ok", None)) == 4
    assert verdicts.count(("inconclusive", "memory")) == 6
    assert fetcher._held.peak <= MiB
    assert peak < 4 * MiB, f"{peak / MiB:.1f} MiB traced"


def test_bodies_the_caller_takes_are_not_kept_and_still_count(server: ScriptedServer) -> None:
    """The same ten bodies, heard as they come by a caller that takes them (as the scores files
    are read on arrival): the fetch keeps the results it gives back, without the bodies, and
    counts the bodies as held all the same (the caller may hold them until the fetch ends), so
    the bound on memory is the same: four are read, six cut."""
    urls = [server.on(f"/t{n}.json", Reply(200, b"x" * 250_000)) for n in range(10)]
    requests = [Request("body", url, 300_000) for url in urls]
    fetcher = make(held_bytes=MiB)
    taken: list[int] = []

    def take(request: Request, result: FetchResult) -> FetchResult | None:
        if result.body is None:
            return None
        taken.append(len(result.body))
        return replace(result, body=None)

    results = asyncio.run(fetcher.fetch(requests, take))
    verdicts = [(r.verdict, r.cut) for r in results.values()]
    assert verdicts.count(("ok", None)) == 4 and verdicts.count(("inconclusive", "memory")) == 6
    assert taken == [250_000] * 4
    assert all(result.body is None for result in results.values())
    assert fetcher._held.peak <= MiB


# --- a whole review against links that serve the worst they can, in its own process -------------

_REVIEW = """
import sys
from bot.engine import ReviewOptions, review
from bot.net.fetcher import GuardedFetcher
from bot.net.guard import AddressPolicy
from bot.net.remap import parse_remap
from bot.net.setup import settings
from tests.ruleinput import TODAY, config, make_row, make_submission, method_section, task_readme

base, rows = sys.argv[1], int(sys.argv[2])
section = method_section(rows=[make_row(slug=f"r{n}") for n in range(rows)])
submission = make_submission({"det/README.md": task_readme("det", section)}, body=None)
remap = parse_remap(r"^https://[^/]+/(.*)$ " + base + "/$1")
fetcher = GuardedFetcher(AddressPolicy(allow_private=True), settings(config().network))
result = review(submission, config(), ReviewOptions(today=TODAY, remaps=(remap,)), fetcher)
peak = next(line for line in open("/proc/self/status") if line.startswith("VmHWM:"))
cut = sum(1 for link in result.links if "already holds" in (link.reason or ""))
print(result.verdict, len(result.links), cut, int(peak.split()[1]) // 1024)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="VmHWM is Linux's")
def test_a_review_stays_under_300_mb_whatever_the_links_serve(server: ScriptedServer) -> None:
    """Four rows whose scores files are 8 MiB each (the cap), predictions 16 MiB of `[[],…]`
    (380 MB once parsed), visuals with 65,000-entry directories: 128 MiB of bodies that a
    review would keep. It holds at most 64 MiB of them (the rest is cut, said once), parses
    none of the predictions, and its peak resident memory stays under 300 MB."""
    scores = b"[" + b"1," * (4 * MiB - 1) + b"1"  # 8 MiB - 1 byte, within the cap
    preds = b"[" + b"[]," * (16 * MiB // 3 - 1) + b"[]]"
    archive = make_zip(65_000, name_bytes=9)
    for n in range(4):
        for split in ("val", "test"):
            server.on(f"/zoo/det/scores-{split}/r{n}.json", Reply(200, scores))
        server.on(f"/zoo/det/preds/r{n}.json", Reply(200, preds))
        server.file(f"/zoo/det/visuals/r{n}.zip", archive)
    child = subprocess.run(
        [sys.executable, "-c", _REVIEW, server.url(""), "4"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=120,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-3000:]
    verdict, links, cut, peak_mb = child.stdout.split()
    assert verdict in ("fail", "incomplete")
    assert int(links) == 3 + 4 * 6
    assert int(cut) > 0, "the bodies on offer exceed what a review holds"
    assert int(peak_mb) < 300, f"peak RSS {peak_mb} MB"
