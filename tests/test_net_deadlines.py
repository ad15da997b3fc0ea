"""Deadlines that mean what they say: a link's clock starts when it is sent; the budget cuts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import pytest

from bot.config import Config, load_config
from bot.engine import ReviewOptions, review
from bot.model import Review
from bot.net.fetcher import GuardedFetcher, NetworkSettings
from bot.net.guard import AddressPolicy
from bot.net.types import Request
from bot.quote import plain
from tests.httpserver import Reply, ScriptedServer
from tests.latencyserver import LatencyServer
from tests.ruleinput import TODAY, make_submission

OPEN = AddressPolicy(allow_private=True)
# A task whose rows hold one predictions link each: an audit of it is one GET per row.
TOY = """
tasks:
  toy:
    readme: toy/README.md
    columns:
      - {name: Name}
      - {name: Preds, links: [{kind: preds, label: preds, ext: [json]}]}
"""
README = "toy/README.md"


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as running:
        yield running


def fetcher(**settings: Any) -> GuardedFetcher:
    return GuardedFetcher(OPEN, NetworkSettings(**{"backoff": 0.01, **settings}), seed=3)


def toy_zoo(base: str, rows: int, per_section: int = 50, paper: bool = False) -> str:
    """A toy README: sections of `per_section` rows, each row's preds at `base/p/N.json`."""
    parts = ["# Toy", "## Model Zoo"]
    for first in range(0, rows, per_section):
        parts.append(f"### Method {first // per_section}")
        if paper:
            parts.append(f"[A Paper]({base}/paper/{first}) [CVPR 2023]")
        table = ["| Name | Preds |", "| :-: | :-: |"]
        table += [
            f"| m{n} | [preds]({base}/p/{n}.json) |"
            for n in range(first, min(rows, first + per_section))
        ]
        parts.append("\n".join(table))
    return "\n\n".join(parts) + "\n"


def audit(text: str, config: Config, **settings: Any) -> Review:
    submission = make_submission({README: text}, body=None)
    options = ReviewOptions(audit_all=True, today=TODAY)
    return review(submission, config, options, fetcher(**settings))


def test_a_link_waiting_for_a_slot_keeps_its_whole_deadline(server: ScriptedServer) -> None:
    """Three 0.3 s answers one at a time: the third is sent at 0.6 s, past a 0.5 s deadline
    counted from the start; counted from when it is sent, it has all of it."""
    requests = [
        Request("body", server.on(f"/q{n}", Reply(200, b"x", delay=0.3)), 10) for n in range(3)
    ]
    results = asyncio.run(fetcher(timeout=0.5, per_host=1).fetch(requests))
    assert [r.verdict for r in results.values()] == ["ok", "ok", "ok"]
    assert all(r.seconds < 0.5 for r in results.values()), "time in the queue is not counted"


def test_a_2000_row_audit_requests_every_link() -> None:
    """2,000 links, 8 in flight, 20 ms each: the last ones wait at least 5 s in the queue,
    2.5 times a link's 2 s deadline, so a deadline started before the queue would cut more
    than half of them; started when each is sent, every link is requested and answers.
    (At 50 ms the queue is 12.5 s: the same property, two and a half times slower.)"""
    with LatencyServer(0.02) as server:
        asyncio.run(fetcher().fetch([Request("body", server.url("/warm-up"), 10)]))
        start = time.monotonic()
        result = audit(
            toy_zoo(server.url(""), 2000),
            load_config(TOY),
            timeout=2.0,
            per_host=8,
            total=8,
            retries=0,
        )
        elapsed = time.monotonic() - start
        requested = server.requests()[1:]
    assert elapsed >= 2000 / 8 * 0.02 >= 2.5 * 2.0
    assert len(set(requested)) == len(requested) == 2000
    assert len(result.links) == 2000
    assert {link.verdict for link in result.links} == {"ok"}
    assert result.unchecked == []


def test_links_cut_by_the_budget_are_one_incomplete_finding(server: ScriptedServer) -> None:
    """Budget 1 s, one request at a time, 0.25 s each: at most four of the 15 links are
    checked, the rest (pages too) are cut, listed in the link table, and said once; nothing is
    sent once the budget has run out."""
    for n in range(12):
        server.on(f"/p/{n}.json", Reply(200, b"[]", delay=0.25))
        server.on(f"/paper/{n}", Reply(200, b"<html>paper</html>", delay=0.25))
    config = load_config(TOY + "network: {budget_seconds: 1}\n")
    text = toy_zoo(server.url(""), 12, per_section=4, paper=True)
    start = time.monotonic()
    result = audit(text, config, timeout=5, budget=1.0, per_host=1, total=1)
    assert time.monotonic() - start < 4
    assert len(result.links) == 15
    cut = [link for link in result.links if link.reason and "budget" in link.reason]
    assert len(cut) >= 11, [link.reason for link in result.links]
    assert {link.verdict for link in result.links if link not in cut} <= {"ok"}
    assert len(server.script.requests) <= 5, "nothing is sent once the budget has run out"
    [finding] = [f for f in result.findings if f.incomplete]
    assert (finding.rule, finding.severity) == ("network", "warning")
    assert plain(finding.message).startswith(
        f"The review's time budget of 1 s ran out before {len(cut)} links could be checked: "
        f"`{README}` lines "
    )
    assert f"(and {len(cut) - 8} more links)" in finding.message
    assert not [f for f in result.findings if f.rule in ("pages", "artifacts")]
    assert result.verdict in ("incomplete", "fail")
