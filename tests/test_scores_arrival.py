"""Scores files read as they arrive: the fetch keeps no body the arrival read, only those a rule
still needs."""

from __future__ import annotations

import asyncio

from bot.budget import CpuBudget
from bot.example.scores import dumps_scores, make_scores
from bot.net.types import FetchResult, Request
from bot.plan import PlannedLink
from bot.scores.arrival import ScoresKey, ScoresOnArrival
from bot.scores.validate import ScoresOutcome

URL = "https://files.example.org/det/scores-val/a.json"
HEADLINE = ("AP", -1, "OVERALL")
BODY = dumps_scores(make_scores("det", {"AP": 31.5})).encode()


def planned(request: Request, *, also_preds: bool) -> list[PlannedLink]:
    links = [PlannedLink(request, URL, "Scores-val", "det/README.md", 7, True, "det")]
    if also_preds:  # the same file linked as another kind of file: its rule reads the body
        links.append(PlannedLink(request, URL, "Preds", "det/README.md", 9))
    return links


Heard = tuple[FetchResult | None, dict[ScoresKey, ScoresOutcome], dict[Request, bytes]]


def hear(links: list[PlannedLink], request: Request) -> Heard:
    """What the fetch keeps of the file's result, what the arrival read, what it gives back."""

    async def scenario() -> Heard:
        arrival = ScoresOnArrival(links, CpuBudget(60), {"det": [HEADLINE]})
        try:
            kept = arrival.heard(request, FetchResult(URL, "ok", 200, BODY))
            return kept, await arrival.outcomes(), arrival.unread()
        finally:
            arrival.close()

    return asyncio.run(scenario())


def test_a_scores_file_read_on_arrival_is_not_kept_by_the_fetch() -> None:
    request = Request("body", URL, 8 * 1024 * 1024)
    kept, outcomes, unread = hear(planned(request, also_preds=False), request)
    assert kept is not None and kept.body is None and kept.verdict == "ok" and kept.status == 200
    outcome = outcomes[(URL, "det")]
    assert outcome.dropped and outcome.number(HEADLINE, b"") == 31.5
    assert unread == {}


def test_a_body_another_rule_reads_is_kept() -> None:
    request = Request("body", URL, 8 * 1024 * 1024)
    kept, outcomes, _unread = hear(planned(request, also_preds=True), request)
    assert kept is None  # the fetch keeps its own result, body and all
    assert (URL, "det") in outcomes
