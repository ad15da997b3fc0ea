"""The guarded fetcher against hostile and flaky servers on 127.0.0.1: verdicts, caps, guards."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import io
import ipaddress
import struct
import time
import zipfile
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from bot.errors import UsageError
from bot.net.fetcher import GuardedFetcher, NetworkSettings, _read_capped
from bot.net.guard import AddressPolicy, IPAddress, is_public, port_problem, url_problem
from bot.net.remap import parse_remap, remap_url
from bot.net.transport import ConnectionLog
from bot.net.types import FetchResult, Purpose, Request
from tests.httpserver import Reply, ScriptedServer

OPEN = AddressPolicy(allow_private=True)
CLOSED = AddressPolicy()
# Only 127.0.0.2 is allowed (on the test servers' ports): stands in for "the public internet"
# in tests of refusals.
ONLY_2 = AddressPolicy(allowed_networks=(ipaddress.ip_network("127.0.0.2/32"),), other_ports=True)


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


@pytest.fixture
def outside() -> Iterator[ScriptedServer]:
    """A server on 127.0.0.2, the one address ONLY_2 allows."""
    with ScriptedServer("127.0.0.2") as running:
        yield running


def make(policy: AddressPolicy = OPEN, **settings: Any) -> GuardedFetcher:
    values: dict[str, Any] = {"timeout": 5.0, "backoff": 0.01, **settings}
    return GuardedFetcher(policy, NetworkSettings(**values), seed=7)


def fetch(
    url: str,
    purpose: Purpose = "body",
    *,
    policy: AddressPolicy = OPEN,
    max_bytes: int = 1000,
    binary: bool = False,
    **settings: Any,
) -> FetchResult:
    request = Request(purpose, url, max_bytes, binary)
    return asyncio.run(make(policy, **settings).fetch([request]))[request]


# --- verdicts ------------------------------------------------------------------------------


def test_ok_returns_the_body(server: ScriptedServer) -> None:
    result = fetch(server.on("/s.json", Reply(200, b'{"AP": 1}')))
    assert (result.verdict, result.status, result.body) == ("ok", 200, b'{"AP": 1}')
    assert result.seconds > 0
    assert server.script.headers[0]["accept-encoding"] == "identity"


@pytest.mark.parametrize(
    ("status", "verdict", "hits"),
    [(404, "broken", 2), (410, "broken", 2), (403, "not_public", 1), (401, "not_public", 1)],
)
def test_status_verdicts(server: ScriptedServer, status: int, verdict: str, hits: int) -> None:
    result = fetch(server.on("/x", Reply(status)))
    assert (result.verdict, result.status, result.body) == (verdict, status, None)
    assert server.script.hits["/x"] == hits, "404 and 410 are retried once, 401/403 never"


def test_other_client_errors_are_not_retried(server: ScriptedServer) -> None:
    assert fetch(server.on("/teapot", Reply(418))).verdict == "broken"
    assert server.script.hits["/teapot"] == 1


def test_503_503_200_is_ok(server: ScriptedServer) -> None:
    url = server.on("/flaky", Reply(503), Reply(503), Reply(200, b"fine"))
    result = fetch(url)
    assert (result.verdict, result.body, result.attempts) == ("ok", b"fine", 3)


def test_persistent_server_errors_are_inconclusive(server: ScriptedServer) -> None:
    result = fetch(server.on("/down", Reply(503)), retries=2)
    assert (result.verdict, result.status) == ("inconclusive", 503)
    assert server.script.hits["/down"] == 3


def test_429_honours_retry_after(server: ScriptedServer) -> None:
    url = server.on("/busy", Reply(429, headers=(("Retry-After", "1"),)), Reply(200, b"now"))
    start = time.monotonic()
    result = fetch(url, backoff=0.0)
    assert (result.verdict, result.body) == ("ok", b"now")
    assert time.monotonic() - start >= 0.9, "the server asked for a second"


def test_retry_after_beyond_the_budget_is_not_waited(server: ScriptedServer) -> None:
    url = server.on("/later", Reply(429, headers=(("Retry-After", "3600"),)))
    start = time.monotonic()
    result = fetch(url, budget=5.0)
    assert result.verdict == "inconclusive"
    assert "beyond the time budget" in (result.reason or "")
    assert time.monotonic() - start < 2


def test_head_405_falls_back_to_a_ranged_get(server: ScriptedServer) -> None:
    server.on("/w.pth", Reply(405), method="HEAD")
    url = server.on("/w.pth", Reply(200, b"\x80\x02weights"), method="GET")
    result = fetch(url, "probe", binary=True)
    assert (result.verdict, result.status) == ("ok", 200)
    assert server.methods("/w.pth") == ["HEAD", "GET"]
    assert server.script.headers[1]["range"].startswith("bytes=0-")


def test_a_probe_reads_only_the_head_of_a_file(server: ScriptedServer) -> None:
    url = server.file("/w.pth", bytes(5_000_000))
    result = fetch(url, "probe", binary=True)
    assert (result.verdict, result.size) == ("ok", 5_000_000)
    assert server.methods("/w.pth") == ["HEAD"]


def test_drive_virus_scan_page_is_unverifiable(server: ScriptedServer) -> None:
    page = (
        b"<!DOCTYPE html><html><title>Google Drive - Virus scan warning</title><body>"
        b"Google Drive can't scan this file for viruses. <form id='download-form'>"
    )
    url = server.on("/uc", Reply(200, page, headers=(("Content-Type", "text/html"),)))
    for purpose in ("probe", "body"):
        result = fetch(url, purpose, binary=True)  # type: ignore[arg-type]
        assert result.verdict == "unverifiable", purpose
        assert "virus-scan warning" in (result.reason or "")


def test_a_sign_in_page_is_not_public(server: ScriptedServer) -> None:
    page = b"<html><form action='https://accounts.google.com/ServiceLogin'><input type='password'>"
    url = server.on("/private", Reply(200, page, headers=(("Content-Type", "text/html"),)))
    result = fetch(url, "probe", binary=True)
    assert result.verdict == "not_public"


# --- caps and deadlines --------------------------------------------------------------------


def test_a_gzip_bomb_is_never_decompressed(server: ScriptedServer) -> None:
    bomb = gzip.compress(bytes(50_000_000), compresslevel=9)
    assert len(bomb) < 100_000
    headers = (("Content-Encoding", "gzip"), ("Content-Type", "application/json"))
    url = server.on("/scores.json", Reply(200, bomb, headers=headers))
    result = fetch(url, max_bytes=10_000_000)
    assert result.verdict == "unverifiable"
    assert "compressed (gzip)" in (result.reason or "")
    assert result.body is None


def test_an_endless_chunked_body_stops_at_the_cap(server: ScriptedServer) -> None:
    url = server.on("/endless", Reply(200, chunks=(b"x" * 65536,), endless=True))
    start = time.monotonic()
    result = fetch(url, max_bytes=1_000_000)
    assert result.verdict == "too_large"
    assert time.monotonic() - start < 3
    probe = fetch(url, "probe", binary=True)  # a probe reads only its first bytes
    assert probe.verdict == "ok"


def test_a_slow_drip_hits_the_deadline(server: ScriptedServer) -> None:
    url = server.on("/drip", Reply(200, chunks=(b"{",), drip=0.05, endless=True))
    start = time.monotonic()
    result = fetch(url, max_bytes=10_000_000, timeout=0.5)
    elapsed = time.monotonic() - start
    assert result.verdict == "inconclusive"
    assert "0.5 s" in (result.reason or "")
    assert elapsed < 2, "the deadline is for the whole answer, not for each read"


def test_the_review_budget_bounds_everything(server: ScriptedServer) -> None:
    urls = [server.on(f"/slow{i}", Reply(200, b"late", delay=0.6)) for i in range(6)]
    requests = [Request("body", url, 100) for url in urls]
    start = time.monotonic()
    results = asyncio.run(make(budget=0.3, per_host=1).fetch(requests))
    assert time.monotonic() - start < 2.5
    assert all(result.verdict == "inconclusive" for result in results.values())


def test_an_announced_length_over_the_cap_is_refused_unread(server: ScriptedServer) -> None:
    url = server.on("/huge", Reply(200, b"{}", headers=(("Content-Length", "900000000"),)))
    result = fetch(url, max_bytes=1000)
    assert (result.verdict, result.size) == ("too_large", 900_000_000)


def test_an_understated_length_reads_only_the_announced_bytes(server: ScriptedServer) -> None:
    url = server.on("/under", Reply(200, b"x" * 5000, headers=(("Content-Length", "10"),)))
    result = fetch(url, max_bytes=1000)
    assert (result.verdict, result.body) == ("ok", b"x" * 10)


def test_an_overstated_length_is_an_incomplete_answer(server: ScriptedServer) -> None:
    url = server.on("/over", Reply(200, b"x" * 10, headers=(("Content-Length", "5000"),)))
    result = fetch(url, max_bytes=10_000, retries=0)
    assert result.verdict == "inconclusive"
    assert result.body is None


def test_the_body_cap_counts_bytes_read(server: ScriptedServer) -> None:
    url = server.on("/big", Reply(200, chunks=(b"x" * 600, b"y" * 600)))
    result = fetch(url, max_bytes=1000)
    assert (result.verdict, result.body) == ("too_large", None)


@pytest.mark.parametrize(
    ("cap", "truncate", "expected"),
    [
        (100, False, b"abcdefghi"),
        (9, False, b"abcdefghi"),
        (8, False, None),
        (5, True, b"abcde"),
        (2, True, b"ab"),
        (3, True, b"abc"),
        (0, True, b""),
    ],
)
def test_a_capped_read_keeps_the_bytes_in_order_up_to_the_cap(
    cap: int, truncate: bool, expected: bytes | None
) -> None:
    # Narrow: the chunks as httpx hands them over (the network may merge or split them).
    async def chunks() -> AsyncIterator[bytes]:
        for chunk in (b"abc", b"defg", b"hi"):
            yield chunk

    async def read() -> bytes | None:
        response = httpx.Response(200, content=chunks())
        return await _read_capped(response, cap, truncate)

    assert asyncio.run(read()) == expected


# --- redirects and addresses ---------------------------------------------------------------


def test_redirects_are_followed_and_bounded(server: ScriptedServer) -> None:
    server.on("/final", Reply(200, b"here"))
    url = server.on("/start", Reply(302, headers=(("Location", "/final"),)))
    assert fetch(url).body == b"here"
    loop = server.on("/loop", Reply(302, headers=(("Location", "/loop"),)))
    result = fetch(loop)
    assert result.verdict == "broken"
    assert "more than 5 redirects" in (result.reason or "")
    assert server.script.hits["/loop"] == 6  # the first request and five redirects


@pytest.mark.parametrize("target", ["loopback", "http://169.254.169.254/latest/meta-data/"])
def test_a_redirect_to_a_private_address_is_refused(
    outside: ScriptedServer, server: ScriptedServer, target: str
) -> None:
    location = server.url("/secret") if target == "loopback" else target
    server.on("/secret", Reply(200, b"internal"))
    url = outside.on("/go", Reply(302, headers=(("Location", location),)))
    result = fetch(url, policy=ONLY_2)
    assert result.verdict == "refused"
    assert "private, local or reserved" in (result.reason or "")
    assert server.script.requests == [], "nothing may reach a refused address"


def test_loopback_is_refused_without_the_operators_permission(server: ScriptedServer) -> None:
    url = server.on("/s.json", Reply(200, b"{}"))
    result = fetch(url, policy=CLOSED)
    assert result.verdict == "refused"
    assert server.script.requests == []


@pytest.mark.parametrize(
    "url",
    [
        "http://0x7f.1/x",
        "http://2130706433/x",
        "http://127.1/x",
        "http://[::ffff:127.0.0.1]/x",
        "http://[::1]/x",
        "http://localhost/x",
        "http://169.254.169.254/latest/meta-data/",
        "http://100.64.0.1/x",
        "http://10.0.0.1/x",
        "http://[fd00::1]/x",
        "http://[64:ff9b::7f00:1]/x",
        "http://[2002:7f00:1::]/x",
    ],
)
def test_obfuscated_and_private_addresses_are_refused(url: str) -> None:
    result = fetch(url, policy=CLOSED)
    assert result.verdict == "refused", result.reason


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:8.8.8.8", True),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("64:ff9b::808:808", False),
        ("2002:808:808::", False),
        ("2001::1", False),
        ("fe80::1", False),
        ("224.0.0.1", False),
    ],
)
def test_is_public(address: str, public: bool) -> None:
    assert is_public(ipaddress.ip_address(address)) is public


def test_the_checked_address_is_the_connected_one(
    outside: ScriptedServer, server: ScriptedServer
) -> None:
    """DNS rebinding: the second answer for the same name points at a private address."""
    calls: list[str] = []

    async def rebinding(host: str, port: int) -> list[IPAddress]:
        calls.append(host)
        first = len(calls) % 2 == 1
        return [ipaddress.ip_address("127.0.0.2" if first else "127.0.0.1")]

    server.on("/s.json", Reply(200, b"internal"))
    outside.on("/s.json", Reply(200, b'{"ok": 1}'))
    log = ConnectionLog()
    fetcher = GuardedFetcher(ONLY_2, NetworkSettings(timeout=5), resolver=rebinding, log=log)
    request = Request("body", f"http://zoo.test:{outside.port}/s.json", 100)
    result = asyncio.run(fetcher.fetch([request]))[request]
    assert (result.verdict, result.body) == ("ok", b'{"ok": 1}')
    assert log.connections == [("zoo.test", ipaddress.ip_address("127.0.0.2"))]
    assert server.script.requests == []


def test_a_host_with_one_private_address_is_refused(outside: ScriptedServer) -> None:
    async def mixed(host: str, port: int) -> list[IPAddress]:
        return [ipaddress.ip_address("127.0.0.2"), ipaddress.ip_address("10.1.2.3")]

    fetcher = GuardedFetcher(ONLY_2, NetworkSettings(timeout=5), resolver=mixed)
    request = Request("body", f"http://zoo.test:{outside.port}/x", 100)
    assert asyncio.run(fetcher.fetch([request]))[request].verdict == "refused"
    assert outside.script.requests == []


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://example.org/x", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("https://user:secret@example.org/x", "user name or password"),
        ("https:///nohost", "no host"),
        ("https://example.org:99999/x", "malformed"),
    ],
)
def test_url_problems(url: str, words: str) -> None:
    assert words in (url_problem(url) or "")


def test_only_default_ports_unless_the_operator_allows() -> None:
    assert port_problem("https://example.org:8443/x", CLOSED) is not None
    assert port_problem("https://example.org:443/x", CLOSED) is None
    assert port_problem("https://example.org:8443/x", OPEN) is None


def test_invalid_urls_get_the_invalid_verdict() -> None:
    result = fetch("ftp://example.org/scores.json", policy=CLOSED)
    assert result.verdict == "invalid"


# --- concurrency ---------------------------------------------------------------------------


def test_each_distinct_request_is_fetched_once(server: ScriptedServer) -> None:
    url = server.on("/once", Reply(200, b"1"))
    request = Request("body", url, 100)
    results = asyncio.run(make().fetch([request, request, request]))
    assert list(results) == [request]
    assert server.script.hits["/once"] == 1


def test_the_per_host_limit_holds(server: ScriptedServer) -> None:
    requests = [
        Request("body", server.on(f"/p{i}", Reply(200, b"x", delay=0.1)), 10) for i in range(8)
    ]
    results = asyncio.run(make(per_host=2).fetch(requests))
    assert all(result.ok for result in results.values())
    assert server.script.peak == 2


def test_connections_are_reused_after_small_error_pages(server: ScriptedServer) -> None:
    missing = server.on("/gone.json", Reply(404, b"<html>not here</html>"))
    moved = server.on("/old.json", Reply(302, b"moved", headers=(("Location", "/s.json"),)))
    server.on("/s.json", Reply(200, b"{}"))
    requests = [Request("body", missing, 100), Request("body", moved, 100)]
    fetcher = make(per_host=1, total=1)
    results = asyncio.run(fetcher.fetch(requests))
    assert [r.verdict for r in results.values()] == ["broken", "ok"]
    assert len(server.script.requests) == 4  # the 404 twice, the redirect, its target
    assert len(fetcher.log.connections) == 1, "error pages and redirects were read, not dropped"


# --- archives and checksums ----------------------------------------------------------------


def make_zip(count: int, size: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(count):
            archive.writestr(f"masks/{index:04d}.png", bytes([index % 251]) * size)
    return buffer.getvalue()


def test_a_zip_is_read_through_its_central_directory(server: ScriptedServer) -> None:
    data = make_zip(300, 4000)
    url = server.file("/visuals.zip", data)
    result = fetch(url, "archive")
    assert result.verdict == "ok", result.reason
    assert result.archive is not None
    assert (result.archive.entries, result.archive.uncompressed) == (300, 300 * 4000)
    assert result.size == len(data)
    ranges = [headers.get("range") for headers in server.script.headers]
    assert all(ranges), "every request is a Range request, never the whole file"


def test_a_zip_bomb_directory_is_refused(server: ScriptedServer) -> None:
    data = bytearray(make_zip(1, 1000))
    directory = data.rfind(b"PK\x01\x02")
    # Claim that the one entry unpacks to 4 GiB - 1: a bomb by its ratio.
    struct.pack_into("<L", data, directory + 24, 0xFFFFFFFE)
    url = server.file("/bomb.zip", bytes(data))
    result = fetch(url, "archive")
    assert result.verdict == "broken"
    assert "zip bomb" in (result.reason or "")


def big_zip(count: int) -> bytes:
    """An archive whose central directory is large enough to be parsed in a worker process."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for index in range(count):
            archive.writestr(f"visuals/{index:06d}-{'b1c66a42-6f7d68ca' * 2}.png", b"")
    return buffer.getvalue()


def test_a_large_directory_is_parsed_elsewhere_with_the_same_result(
    server: ScriptedServer,
) -> None:
    data = big_zip(5000)
    url = server.file("/big.zip", data)
    result = fetch(url, "archive")
    assert result.verdict == "ok", result.reason
    assert result.archive is not None
    assert result.archive.entries == 5000


def test_a_bomb_in_a_large_directory_is_refused(server: ScriptedServer) -> None:
    data = bytearray(big_zip(5000))
    directory = data.rfind(b"PK\x01\x02")  # the last entry claims 4 GiB from nothing
    struct.pack_into("<L", data, directory + 24, 0xFFFFFFFE)
    result = fetch(server.file("/bomb-big.zip", bytes(data)), "archive")
    assert result.verdict == "broken"
    assert "zip bomb" in (result.reason or "")


def test_a_file_that_is_not_a_zip_is_broken(server: ScriptedServer) -> None:
    url = server.file("/visuals.zip", b"not a zip at all" * 100)
    result = fetch(url, "archive")
    assert result.verdict == "broken"


def test_checksums_stream_the_file(server: ScriptedServer) -> None:
    data = bytes(range(256)) * 20_000
    url = server.file("/w.pth", data)
    result = fetch(url, "checksum", max_bytes=10_000_000)
    assert (result.verdict, result.digest) == ("ok", hashlib.md5(data).hexdigest())
    small = fetch(url, "checksum", max_bytes=1000)
    assert (small.verdict, small.digest) == ("ok", None)
    assert "not verified" in (small.reason or "")


# --- remaps --------------------------------------------------------------------------------


def test_remap_rewrites_the_first_matching_url() -> None:
    remaps = [
        parse_remap(r"^https://dl\.example\.org/(.*)$ http://127.0.0.1:8000/$1"),
        parse_remap(r"^https://example\.com/ http://never/"),
    ]
    assert remap_url(remaps, "https://dl.example.org/a/b.json") == "http://127.0.0.1:8000/a/b.json"
    assert remap_url(remaps, "https://example.com/x") == "http://never/x"
    assert remap_url(remaps, "https://other.org/x") == "https://other.org/x"
    named = parse_remap(r"^https://(?P<host>[^/]+)/(.*)$ http://mirror/${host}/\2")
    assert remap_url([named], "https://a.org/b") == "http://mirror/a.org/b"


@pytest.mark.parametrize("text", ["just-one-part", "([ unclosed x", r"^a$ b\1", "^a$ ${name}"])
def test_bad_remaps_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError, match="--remap"):
        parse_remap(text)


def test_a_busy_host_does_not_hold_back_another(
    server: ScriptedServer, outside: ScriptedServer
) -> None:
    """One slot per host, two in all: six slow links of one host, listed first, and one link of
    another host. The other host's link is answered at once, not after the first slow one."""
    slow = [
        Request("body", server.on(f"/slow{i}", Reply(200, b"x", delay=0.4)), 100, False)
        for i in range(6)
    ]
    quick = Request("body", outside.on("/quick", Reply(200, b"y")), 100, False)
    heard: dict[str, float] = {}
    start = time.monotonic()

    def on_result(request: Request, result: FetchResult) -> None:
        heard[request.url] = time.monotonic() - start

    fetcher = make(per_host=1, total=2)
    results = asyncio.run(fetcher.fetch([*slow, quick], on_result))
    assert all(result.verdict == "ok" for result in results.values())
    assert heard[quick.url] < 0.3, heard
