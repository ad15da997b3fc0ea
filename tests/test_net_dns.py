"""Host names that do not resolve: a typo is a broken link; no name resolving means no network."""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from collections.abc import Iterator

import pytest

from bot.engine import ReviewOptions, review
from bot.model import Review
from bot.net.fetcher import NO_NETWORK, GuardedFetcher, NetworkSettings
from bot.net.guard import AddressPolicy, IPAddress, NoSuchHost, UnresolvedHost, system_resolve
from bot.net.remap import parse_remap
from bot.net.types import FetchResult, Request
from bot.quote import plain
from bot.rules.fetched import CutLink, cut_findings
from tests.httpserver import Reply, ScriptedServer
from tests.ruleinput import TODAY, config, make_row, make_submission, method_section, task_readme

OPEN = AddressPolicy(allow_private=True)
TYPO = "data.mylab.exmaple.edu"
DET = "det/README.md"


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


class Resolver:
    """Names in `known` resolve to 127.0.0.1; `flaky` gets no answer; the rest do not exist."""

    def __init__(self, known: set[str], flaky: set[str] | None = None) -> None:
        self.known = known
        self.flaky = flaky or set()
        self.asked: list[str] = []

    async def __call__(self, host: str, port: int) -> list[IPAddress]:
        self.asked.append(host)
        if host in self.known:
            return [ipaddress.ip_address("127.0.0.1")]
        if host in self.flaky:
            raise UnresolvedHost(host, f"the host {host} does not resolve (no answer)")
        raise NoSuchHost(host, f"the host {host} does not exist")


def fetch_all(urls: list[str], resolver: Resolver) -> dict[str, FetchResult]:
    fetcher = GuardedFetcher(OPEN, NetworkSettings(timeout=5, backoff=0.01), resolver=resolver)
    requests = [Request("body", url, 1000) for url in urls]
    results = asyncio.run(fetcher.fetch(requests))
    return {request.url: result for request, result in results.items()}


def test_a_name_that_does_not_exist_is_a_broken_link(server: ScriptedServer) -> None:
    server.on("/s.json", Reply(200, b"{}"))
    good = f"http://zoo.test:{server.port}/s.json"
    typo = f"http://{TYPO}:{server.port}/s.json"
    resolver = Resolver({"zoo.test"})
    results = fetch_all([good, typo], resolver)
    assert results[good].verdict == "ok"
    broken = results[typo]
    assert (broken.verdict, broken.unresolved, broken.cut) == ("broken", TYPO, None)
    assert broken.reason == f"the host {TYPO} does not exist"
    assert resolver.asked.count(TYPO) == 1, "a name that does not exist is not asked again"


def test_a_name_without_an_answer_stays_transient(server: ScriptedServer) -> None:
    server.on("/s.json", Reply(200, b"{}"))
    good = f"http://zoo.test:{server.port}/s.json"
    slow = f"http://slow-dns.test:{server.port}/s.json"
    results = fetch_all([good, slow], Resolver({"zoo.test"}, flaky={"slow-dns.test"}))
    assert (results[slow].verdict, results[slow].cut) == ("inconclusive", None)


def test_no_name_resolving_at_all_means_no_network() -> None:
    urls = [f"https://{host}/file.json" for host in ("github.com", "arxiv.org", TYPO)]
    results = fetch_all(urls, Resolver(set()))
    for result in results.values():
        assert (result.verdict, result.cut, result.reason) == (
            "inconclusive",
            "no_network",
            NO_NETWORK,
        )


def test_a_name_that_resolves_to_a_refused_address_still_proves_the_network() -> None:
    fetcher = GuardedFetcher(AddressPolicy(), NetworkSettings(timeout=5), resolver=Resolver({"a"}))
    requests = [Request("body", "https://a/x", 10), Request("body", f"https://{TYPO}/x", 10)]
    results = asyncio.run(fetcher.fetch(requests))
    assert [r.verdict for r in results.values()] == ["refused", "broken"]


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), NoSuchHost),
        (socket.gaierror(socket.EAI_AGAIN, "Temporary failure in name resolution"), None),
        (UnicodeError("label too long"), NoSuchHost),
    ],
)
def test_the_system_resolver_tells_nxdomain_from_no_answer(
    monkeypatch: pytest.MonkeyPatch, error: Exception, kind: type[Exception] | None
) -> None:
    async def failing(*args: object, **kwargs: object) -> object:
        raise error

    async def resolve() -> None:
        monkeypatch.setattr(asyncio.get_running_loop(), "getaddrinfo", failing)
        await system_resolve("example.test", 443)

    with pytest.raises(UnresolvedHost) as raised:
        asyncio.run(resolve())
    assert isinstance(raised.value, NoSuchHost) == (kind is NoSuchHost)
    assert raised.value.host == "example.test"


# --- the review: one error for the typo, one plain sentence for no network ---------------------


def run(server: ScriptedServer, resolver: Resolver, row_overrides: dict[str, str]) -> Review:
    head = task_readme("det", method_section(rows=[make_row(overrides=row_overrides)]))
    submission = make_submission({DET: head}, body=None)
    everything = parse_remap(
        rf"^https://(?!{re.escape(TYPO)})(.*)$ http://zoo.test:{server.port}/$1"
    )
    fetcher = GuardedFetcher(OPEN, NetworkSettings(timeout=5, backoff=0.01), resolver=resolver)
    options = ReviewOptions(today=TODAY, remaps=(everything,))
    return review(submission, config(), options, fetcher)


def test_a_typo_in_a_host_name_is_an_error_at_the_row(server: ScriptedServer) -> None:
    result = run(server, Resolver({"zoo.test"}), {"Weights": f"[model](https://{TYPO}/w.pth)"})
    messages = [plain(f.message) for f in result.findings if f.severity == "error"]
    assert (
        f"The [model] link of `R-50-FPN` (Weights) is broken: the host `{TYPO}` does not exist."
        in (messages)
    )
    assert result.verdict == "fail"


def test_no_network_is_said_once_and_the_review_is_incomplete(server: ScriptedServer) -> None:
    result = run(server, Resolver(set()), {})
    assert server.script.requests == []
    [finding] = [
        f for f in result.findings if f.rule in ("network", "scores", "artifacts", "pages")
    ]
    assert (finding.rule, finding.severity, finding.incomplete) == ("network", "warning", True)
    assert plain(finding.message).startswith(
        "No host could be resolved: this machine seems to have no network; nothing linked was "
        "checked ("
    )
    assert result.verdict == "incomplete"
    assert {link.verdict for link in result.links} == {"inconclusive"}


def test_links_reached_by_address_are_not_said_unchecked() -> None:
    cut = [CutLink("no_network", DET, 40), CutLink("no_network", DET, 41)]
    [finding] = cut_findings(cut, checked=5, budget_seconds=600)
    assert plain(finding.message) == (
        "No host could be resolved: this machine seems to have no network; 2 links with a host "
        "name were not checked."
    )
    assert finding.incomplete
