"""The httpx fetcher against scripted servers on 127.0.0.1: verdicts, caps, guards, remaps."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from bot.errors import UsageError
from bot.net.fetch import HttpFetcher
from bot.net.guard import is_public, port_problem, url_problem
from bot.net.remap import parse_remap, remap_url
from bot.net.types import FetchResult
from tests.httpserver import Reply, ScriptedServer


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


def fetch(
    url: str, *, allow: bool = True, max_bytes: int = 1000, timeout: float = 5.0
) -> FetchResult:
    fetcher = HttpFetcher(timeout=timeout, allow_private_hosts=allow, retry_delay=0.01)
    return asyncio.run(fetcher.fetch_all([url], max_bytes))[url]


def test_ok_returns_the_body(server: ScriptedServer) -> None:
    result = fetch(server.on("/s.json", Reply(200, b'{"AP": 1}')))
    assert (result.verdict, result.status, result.body) == ("ok", 200, b'{"AP": 1}')
    assert result.seconds > 0


@pytest.mark.parametrize(
    ("status", "verdict"),
    [(404, "broken"), (410, "broken"), (403, "not_public"), (401, "not_public")],
)
def test_status_verdicts(server: ScriptedServer, status: int, verdict: str) -> None:
    result = fetch(server.on("/x", Reply(status)))
    assert (result.verdict, result.status, result.body) == (verdict, status, None)


def test_a_server_error_is_retried_once(server: ScriptedServer) -> None:
    url = server.on("/flaky", Reply(503), Reply(200, b"fine"))
    assert fetch(url).verdict == "ok"
    assert server.script.hits["/flaky"] == 2


def test_persistent_server_errors_are_inconclusive(server: ScriptedServer) -> None:
    result = fetch(server.on("/down", Reply(503)))
    assert (result.verdict, result.status) == ("inconclusive", 503)


def test_the_body_cap_counts_bytes_read(server: ScriptedServer) -> None:
    body = b"x" * 5000
    # A Content-Length that understates the body: only the announced bytes are read.
    url = server.on("/big", Reply(200, body, headers=(("Content-Length", "10"),)))
    result = fetch(url, max_bytes=1000)
    assert (result.verdict, result.body) == ("ok", b"x" * 10)
    url = server.on("/big2", Reply(200, body))
    result = fetch(url, max_bytes=1000)
    assert result.verdict == "too_large"
    assert result.body is None


def test_redirects_are_followed_and_bounded(server: ScriptedServer) -> None:
    server.on("/final", Reply(200, b"here"))
    url = server.on("/start", Reply(302, headers=(("Location", "/final"),)))
    assert fetch(url).body == b"here"
    loop = server.on("/loop", Reply(302, headers=(("Location", "/loop"),)))
    result = fetch(loop)
    assert result.verdict == "broken"
    assert "redirects" in (result.reason or "")


def test_a_slow_server_hits_the_deadline(server: ScriptedServer) -> None:
    url = server.on("/slow", Reply(200, b"late", delay=1.5))
    result = fetch(url, timeout=0.3)
    assert result.verdict == "inconclusive"
    assert "0.3 s" in (result.reason or "")


def test_loopback_is_refused_without_the_operators_permission(server: ScriptedServer) -> None:
    url = server.on("/s.json", Reply(200, b"{}"))
    result = fetch(url, allow=False)
    assert result.verdict == "refused"
    assert server.script.requests == [], "nothing may be sent to a refused address"
    assert fetch("http://127.0.0.1/x", allow=False).reason is not None
    assert "private or local" in (fetch("http://localhost/x", allow=False).reason or "")


def test_each_distinct_url_is_fetched_once(server: ScriptedServer) -> None:
    url = server.on("/once", Reply(200, b"1"))
    fetcher = HttpFetcher(timeout=5, allow_private_hosts=True)
    results = asyncio.run(fetcher.fetch_all([url, url, url], 100))
    assert list(results) == [url]
    assert server.script.hits["/once"] == 1


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


def test_invalid_urls_get_the_invalid_verdict() -> None:
    result = fetch("ftp://example.org/scores.json", allow=False)
    assert result.verdict == "invalid"


def test_ports_other_than_80_and_443_need_the_operators_permission() -> None:
    assert port_problem("https://example.org:8443/x", allow_private=False) is not None
    assert port_problem("https://example.org:8443/x", allow_private=True) is None
    assert port_problem("https://example.org/x", allow_private=False) is None


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("8.8.8.8", True),
        ("127.0.0.1", False),
        ("10.1.2.3", False),
        ("169.254.169.254", False),
        ("100.64.0.1", False),
        ("::1", False),
        ("::ffff:127.0.0.1", False),
        ("fd00::1", False),
        ("2606:4700:4700::1111", True),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    import ipaddress

    assert is_public(ipaddress.ip_address(address)) is public


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


def test_a_host_that_does_not_resolve_is_inconclusive_not_an_error() -> None:
    result = fetch("https://no-such-host.invalid/scores.json", allow=False)
    assert result.verdict == "inconclusive"
    assert "does not resolve" in (result.reason or "")
