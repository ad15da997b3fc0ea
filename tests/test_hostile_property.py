"""Generated hostile contributions (README sections, scores files, PR descriptions): every review
ends in bounded CPU time and memory, without an exception, with a verdict, and its reports can
be written."""

from __future__ import annotations

import json
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine import ReviewOptions, review
from bot.model import Review
from bot.net.types import FetchResult, OnResult, Request
from bot.report.jsonout import render_json
from bot.report.markdown import render_markdown
from bot.report.text import render_text
from tests.ruleinput import (
    HOST,
    TODAY,
    config,
    header_names,
    make_row,
    method_section,
    row_cells,
    scores_url,
    table_line,
    task_readme,
)

T = TypeVar("T")
# CPU seconds and bytes (traced Python allocations, tracemalloc's overhead included) that one
# generated review may take: the inputs are small, so a bound this generous only fails when
# something is superlinear or keeps what it should not.
CPU_BOUND = 5.0
MEMORY_BOUND = 64 * 1024 * 1024
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=True,
)

# Characters that mean something to Markdown, to the table splitter, to HTML and to the
# venue and number parsers, and some that mean nothing to any of them.
MARKUP = "|\\[]()*_`<>!&~#-:;,./'\"=\t \n"
TEXT = st.text(
    alphabet=st.sampled_from(MARKUP)
    | st.characters(codec="utf-8", exclude_categories=("Cs",))
    | st.sampled_from("aZ09 "),
    max_size=300,
)
REPEATED = st.builds(
    lambda piece, count: piece * count,
    st.text(alphabet=st.sampled_from(MARKUP + "aA0"), min_size=1, max_size=3),
    st.integers(1, 3000),
)
HOSTILE = TEXT | REPEATED


@dataclass(frozen=True)
class Cost:
    cpu: float
    peak: int


def bounded(run: Callable[[], T]) -> tuple[T, Cost]:
    """`run()`, with the CPU seconds and the peak of traced memory it took."""
    tracemalloc.start()
    start = time.process_time()
    try:
        result = run()
    finally:
        cpu = time.process_time() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return result, Cost(cpu, peak)


class Served:
    """A fetcher that answers scores URLs with the generated files and anything else with a
    small file, without a network."""

    def __init__(self, scores: dict[str, bytes]) -> None:
        self.scores = scores

    async def fetch(
        self, requests: Sequence[Request], on_result: OnResult | None = None
    ) -> dict[Request, FetchResult]:
        answers: dict[Request, FetchResult] = {}
        for request in requests:
            body = self.scores.get(request.url, b"weights")
            answers[request] = FetchResult(request.url, "ok", status=200, body=body, size=len(body))
        return answers


def _check_review(readme: str, body: str | None, scores: dict[str, bytes]) -> Review:
    from tests.ruleinput import make_submission

    submission = make_submission({"det/README.md": readme}, body=body)
    found, cost = bounded(
        lambda: review(submission, config(), ReviewOptions(today=TODAY), Served(scores))
    )
    assert cost.cpu < CPU_BOUND, cost
    assert cost.peak < MEMORY_BOUND, cost
    assert found.verdict in ("pass", "fail", "incomplete")
    for text in (render_json(found), render_text(found), render_markdown(found)):
        text.encode("utf-8")  # writable as UTF-8: no lone surrogate, nothing unencodable
    json.loads(render_json(found))
    return found


@st.composite
def sections(draw: st.DrawFn) -> str:
    """A method section whose parts are each either the template's or hostile text."""

    def part(template: str | None) -> str | None:
        choice = draw(st.sampled_from(["template", "hostile", "none"]))
        return (
            template if choice == "template" else (draw(HOSTILE) if choice == "hostile" else None)
        )

    names = header_names("det")
    rows: list[str] = []
    for index in range(draw(st.integers(0, 6))):
        cells = row_cells("det", slug=f"m{index}")
        for _ in range(draw(st.integers(0, 3))):
            cells[draw(st.integers(0, len(cells) - 1))] = draw(HOSTILE).replace("\n", " ")
        rows.append(table_line(cells) if draw(st.booleans()) else draw(HOSTILE))
    return method_section(
        draw(HOSTILE).replace("\n", " ") or "Name",
        venue=part("CVPR 2023"),
        authors=part("Authors: Ada Lovelace"),
        abstract=part("We detect road users."),
        rows=rows or [make_row("det")],
        extra=draw(HOSTILE),
        after_table=draw(st.none() | HOSTILE.map(lambda t: t.replace("\n", " "))),
        header=draw(st.sampled_from([names, names[:5], [*names, "Extra"]])),
    )


@given(st.lists(sections(), min_size=1, max_size=3), st.none() | HOSTILE)
@SETTINGS
def test_generated_readme_sections(parts: list[str], body: str | None) -> None:
    _check_review(task_readme("det", *parts), body, {})


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**30), 10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=40,
)


@st.composite
def scores_files(draw: st.DrawFn) -> bytes:
    """Scores files: valid JSON of any shape, with the keys of the real format or not, and
    text that only looks like JSON (deep nesting, lone surrogates, duplicate keys, NaN)."""
    kind = draw(st.sampled_from(["shape", "like-real", "raw"]))
    if kind == "shape":
        return json.dumps(draw(JSON_VALUES)).encode()
    if kind == "like-real":
        value = {"AP": [{"OVERALL": draw(JSON_VALUES)}], draw(st.text(max_size=5)): 1}
        return json.dumps(value).encode()
    raw = draw(
        st.sampled_from(
            [
                "[" * 100_000 + "]" * 100_000,
                '{"\\ud800": 1, "AP": [{"OVERALL": 31.04}]}',
                '{"AP": 1, "AP": 2}',
                '{"AP": NaN}',
                '"' + "\\u0000" * 10_000 + '"',
                "9" * 100_000,
                '{"a": ' * 5_000 + "1" + "}" * 5_000,
            ]
        )
    )
    return raw.encode() + draw(st.binary(max_size=50))


@given(scores_files(), scores_files())
@SETTINGS
def test_generated_scores_files(val: bytes, test: bytes) -> None:
    scores = {
        scores_url("det", "sparse_r50_1x", "val"): val,
        scores_url("det", "sparse_r50_1x", "test"): test,
    }
    assert all(url.startswith(HOST) for url in scores)
    _check_review(task_readme("det", method_section()), None, scores)


@given(HOSTILE, st.lists(st.tuples(st.booleans(), HOSTILE), max_size=30))
@SETTINGS
def test_generated_pr_descriptions(prose: str, items: list[tuple[bool, str]]) -> None:
    body = prose + "\n" + "\n".join(f"- [{'x' if done else ' '}] {text}" for done, text in items)
    _check_review(task_readme("det", method_section()), body, {})
