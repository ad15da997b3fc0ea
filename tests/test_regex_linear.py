"""Every regular expression of `bot/` runs in linear time on adversarial text of 10^5 characters,
and so does mistune's parse on the strings that make mistune's own patterns slow."""

from __future__ import annotations

import importlib
import re
import signal
import time

import pytest

from bot.net import zipdir
from bot.parse.markdown import _MARKDOWN, Document
from tests.regexlint import (
    LENGTH,
    TooSlow,
    adversarial,
    module_patterns,
    slow_indices,
    slowest,
    source_patterns,
)

# CPU seconds for one pattern on one string of 10^5 characters: a linear pattern needs a few
# milliseconds, a quadratic one minutes, so the bound is generous and still catches it.
BOUND = 0.5
# CPU seconds for mistune to parse one such string (about 10 microseconds a character at worst).
PARSE_BOUND = 5.0
# Screening mistune's patterns: length of the strings and CPU seconds that mark one as slow.
SCREEN = 10_000
SCREEN_BOUND = 0.02
# Calls of `re.*` whose pattern is not in the source, and why that is safe.
DYNAMIC = {
    ("bot/net/remap.py", "parts[0]"): "the operator's --remap patterns, never a PR's",
    ("bot/parse/markdown.py", "'<' + _HTML_TAGNAME"): "module attributes, linted as such",
    ("bot/parse/markdown.py", "'(?<!\\\\s)' + _HTML"): "module attributes, linted as such",
    (
        "bot/parse/markdown.py",
        "'\\\\[(?P<label>' + _PLAIN_TEXT",
    ): "a module attribute, linted as such",
    ("bot/net/zipdir.py", "b'"): "bytes patterns, linted as their Latin-1 text below",
}
_MISTUNE_MODULES = (
    "mistune.block_parser",
    "mistune.inline_parser",
    "mistune.list_parser",
    "mistune.helpers",
    "mistune.util",
    "mistune.plugins.task_lists",
    "mistune.plugins.formatting",
)


def _bot_patterns() -> dict[str, re.Pattern[str]]:
    found: dict[str, re.Pattern[str]] = {}
    seen: set[tuple[str, int]] = set()
    literal, _dynamic = source_patterns()
    for item in [*module_patterns(), *literal]:
        key = (item.pattern.pattern, item.pattern.flags)
        if key not in seen:
            seen.add(key)
            found[item.where] = item.pattern
    # Rules registered with mistune are strings, compiled into mistune's scanner.
    block = _MARKDOWN.block
    for name in ("zoo_table",):
        found[f"mistune rule {name}"] = re.compile(block.specification[name], block.sc_flag)
    return found


BOT_PATTERNS = _bot_patterns()


def _mistune_patterns() -> dict[str, re.Pattern[str]]:
    found: dict[str, re.Pattern[str]] = {}
    for parser in (_MARKDOWN.block, _MARKDOWN.inline):
        kind = type(parser).__name__
        for name, spec in parser.specification.items():
            found[f"{kind}.{name}"] = re.compile(spec, parser.sc_flag)
    for module_name in _MISTUNE_MODULES:
        module = importlib.import_module(module_name)
        for name, value in vars(module).items():
            if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                found[f"{module_name}.{name}"] = value
    return found


def test_the_lint_sees_the_patterns_that_were_slow() -> None:
    wheres = set(BOT_PATTERNS)
    assert "bot.rules.venue._SEPARATORS" in wheres
    assert any(where.startswith("bot.parse.markdown.") for where in wheres)
    assert "mistune rule zoo_table" in wheres
    # Patterns inside functions count too.
    assert any(where.startswith("bot/parse/sections.py:") for where in wheres)


def test_every_computed_pattern_is_known() -> None:
    _literal, dynamic = source_patterns()
    known = [(path, start) for path, start in DYNAMIC]
    unknown = [
        d
        for d in dynamic
        if not any(d.where.startswith(f"{p}:") and d.source.startswith(s) for p, s in known)
    ]
    assert not unknown, f"review these for linear time, then list them in DYNAMIC: {unknown}"


@pytest.mark.parametrize(
    "old",
    [
        r"\s+[/|&]\s+|\s*[;,]\s*",  # the venue separators that took 80 s
        r"^ {0,3}[^\n]*\|[^\n]*\n {0,3}\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*(?:\n|$)",
        r"<[^>]*>",
    ],
)
def test_the_lint_catches_a_quadratic_pattern(old: str) -> None:
    pattern = re.compile(old, re.MULTILINE)
    seconds, text = slowest(pattern, adversarial(pattern), 0.2)
    assert seconds == float("inf"), "the adversarial strings no longer find this known case"
    assert len(text) >= LENGTH


@pytest.mark.parametrize("where", sorted(BOT_PATTERNS))
def test_pattern_is_linear(where: str) -> None:
    pattern = BOT_PATTERNS[where]
    seconds, text = slowest(pattern, adversarial(pattern), BOUND)
    assert seconds < BOUND, f"{where} {pattern.pattern!r} is superlinear on {text[:40]!r}…"


def test_bytes_patterns_are_linear() -> None:
    """A bytes pattern matches bytes as its Latin-1 text matches characters: lint that text."""
    patterns = [zipdir._EXTENSION]
    for pattern in patterns:
        text = re.compile(pattern.pattern.decode("latin-1"), pattern.flags & ~re.ASCII)
        seconds, worst = slowest(text, adversarial(text), BOUND)
        assert seconds < BOUND, f"{pattern.pattern!r} is superlinear on {worst[:40]!r}…"


def _parse_seconds(text: str) -> float:
    """CPU seconds for mistune (with the zoo's rules) to parse `text`; inf past PARSE_BOUND."""
    previous = signal.signal(signal.SIGVTALRM, _stop)
    start = time.process_time()
    try:
        signal.setitimer(signal.ITIMER_VIRTUAL, PARSE_BOUND)
        Document.parse(text)
    except TooSlow:
        return float("inf")
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)
    return time.process_time() - start


def _stop(signum: int, frame: object) -> None:
    raise TooSlow


def test_mistune_parses_what_slows_its_own_patterns() -> None:
    """mistune matches its patterns at one position at a time; where one of them would be
    slow when tried at every position, the whole parse of that string (at the start of a block
    and inside a paragraph) must still be linear."""
    checked = 0
    slow: list[str] = []
    for where, pattern in _mistune_patterns().items():
        # Found on short strings (a quadratic pattern shows at 10^4 characters already), then
        # parsed at full length.
        found = slow_indices(pattern, adversarial(pattern, SCREEN), SCREEN_BOUND, limit=3)
        texts = adversarial(pattern) if found else []
        for index in found:
            for document in (texts[index], f"x {texts[index]}"):
                checked += 1
                if _parse_seconds(document) >= PARSE_BOUND:
                    slow.append(f"{where}: {document[:30]!r}…")
    assert checked, "no mistune pattern was slow by itself: the check checked nothing"
    assert not slow, f"mistune is superlinear on {slow}"


@pytest.mark.parametrize("space", ["\t", "\u00a0", "\n"])
@pytest.mark.parametrize("before", ["", "x "])
def test_html_attributes_are_linear(before: str, space: str) -> None:
    """mistune's own HTML attribute pattern took 42 s on `<A A=` and 2,000 tabs (cubic)."""
    assert _parse_seconds(before + "<A A=" + space * LENGTH) < 1.0
