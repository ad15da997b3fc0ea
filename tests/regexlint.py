"""Finds the regular expressions of `bot/` and the adversarial strings that would make one slow.

A backtracking regex is slow (quadratic or worse) when two unbounded quantifiers can split the
same run of characters between them and the match then fails. The strings built here pump each
unbounded quantifier with characters and 2-3 character pieces it accepts, after a prefix that
reaches it and before a character that makes the match fail; plus plain repetitions of single
characters and of pieces of the pattern's own literals. A linear pattern goes through each of
them in milliseconds, a superlinear one in minutes: the test needs only a generous bound.
"""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import signal
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from re import _compiler, _constants, _parser  # type: ignore[attr-defined]
from types import FrameType, ModuleType
from typing import Any

import bot

LENGTH = 100_000
# Characters worth pumping besides the pattern's own literals: the kinds a README is made of.
UNIVERSE = " \t\n\r\x0ba0Z_-|:;,./&'\"\\[](){}<>#*!@`~=+%$^?\u00a0\u00e9\u4e00\U0001f600"
# Modules whose import runs a program.
_SKIP_MODULES = {"bot.__main__", "bot.action.__main__"}


@dataclass(frozen=True)
class Found:
    """A pattern of `bot/` and where it is defined."""

    where: str
    pattern: re.Pattern[str]


def bot_modules() -> Iterator[ModuleType]:
    for info in pkgutil.walk_packages(bot.__path__, "bot."):
        if info.name not in _SKIP_MODULES:
            yield importlib.import_module(info.name)


def _patterns_in(value: object, depth: int = 0) -> Iterator[re.Pattern[str]]:
    if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
        yield value
    elif depth < 3 and isinstance(value, tuple | list | frozenset | set):
        for item in value:
            yield from _patterns_in(item, depth + 1)
    elif depth < 3 and isinstance(value, dict):
        for item in value.values():
            yield from _patterns_in(item, depth + 1)


def module_patterns() -> list[Found]:
    """Every compiled pattern held by a module of `bot/` or a class defined in one."""
    found: dict[tuple[str, int], Found] = {}
    for module in bot_modules():
        holders: list[tuple[str, object]] = [(module.__name__, module)]
        for name, value in vars(module).items():
            if isinstance(value, type) and value.__module__ == module.__name__:
                holders.append((f"{module.__name__}.{name}", value))
        for prefix, holder in holders:
            for name, value in vars(holder).items():
                for pattern in _patterns_in(value):
                    key = (pattern.pattern, pattern.flags)
                    found.setdefault(key, Found(f"{prefix}.{name}", pattern))
    return list(found.values())


_RE_FUNCTIONS = {"compile", "match", "search", "fullmatch", "sub", "subn", "split", "findall"}
_RE_FUNCTIONS |= {"finditer"}


@dataclass(frozen=True)
class Dynamic:
    """A call of `re.*` whose pattern is not a literal: it must be on the list of exceptions."""

    where: str
    source: str


def source_patterns() -> tuple[list[Found], list[Dynamic]]:
    """Patterns written literally in calls of `re.*` anywhere in `bot/` (functions included)."""
    found: list[Found] = []
    dynamic: list[Dynamic] = []
    root = Path(bot.__file__).parent
    for path in sorted(root.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "re"
                and node.func.attr in _RE_FUNCTIONS
                and node.args
            ):
                continue
            where = f"{path.relative_to(root.parent)}:{node.lineno}"
            first = node.args[0]
            if not (isinstance(first, ast.Constant) and isinstance(first.value, str)):
                dynamic.append(Dynamic(where, ast.unparse(first)))
                continue
            flags = _flags(node)
            found.append(Found(where, re.compile(first.value, flags)))
    return found, dynamic


def _flags(call: ast.Call) -> int:
    """The `flags` of a call of `re.*`: positional (compile: 2nd; others: last) or keyword."""
    expr: ast.expr | None = None
    for keyword in call.keywords:
        if keyword.arg == "flags":
            expr = keyword.value
    func = call.func
    assert isinstance(func, ast.Attribute)
    position = {"compile": 1, "match": 2, "search": 2, "fullmatch": 2, "findall": 2}
    position |= {"finditer": 2, "split": 3, "sub": 4, "subn": 4}
    if expr is None and len(call.args) > position[func.attr]:
        expr = call.args[position[func.attr]]
    if expr is None:
        return 0
    return _flag_value(expr)


def _flag_value(expr: ast.expr) -> int:
    """`re.I`, `re.I | re.M`, or a literal number."""
    if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
        return int(getattr(re, expr.attr))
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        return _flag_value(expr.left) | _flag_value(expr.right)
    if isinstance(expr, ast.Constant) and isinstance(expr.value, int):
        return expr.value
    raise ValueError(f"flags the lint cannot read: {ast.unparse(expr)}")


# --- adversarial strings -------------------------------------------------------------------


def _literals(tree: Any) -> list[str]:
    """The characters the pattern names, in order (literals and ends of ranges)."""
    chars: list[str] = []

    def walk(items: Any) -> None:
        for op, av in items:
            if op in (_constants.LITERAL, _constants.NOT_LITERAL):
                chars.append(chr(av))
            elif op == _constants.RANGE:
                chars.extend((chr(av[0]), chr(av[1])))
            elif op == _constants.IN:
                walk(av)
            elif op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
                walk(av[2])
            elif op == _constants.SUBPATTERN:
                walk(av[3])
            elif op == _constants.ATOMIC_GROUP:
                walk(av)
            elif op == _constants.BRANCH:
                for alternative in av[1]:
                    walk(alternative)
            elif op in (_constants.ASSERT, _constants.ASSERT_NOT):
                walk(av[1])

    walk(tree)
    return chars


def _leaves(tree: Any) -> list[Any]:
    """The items of a parsed pattern that match one character."""
    leaves: list[Any] = []

    def walk(items: Any) -> None:
        for item in items:
            op, av = item
            if op in (_constants.LITERAL, _constants.NOT_LITERAL, _constants.IN, _constants.ANY):
                leaves.append(item)
            elif op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
                walk(av[2])
            elif op == _constants.SUBPATTERN:
                walk(av[3])
            elif op == _constants.ATOMIC_GROUP:
                walk(av)
            elif op == _constants.BRANCH:
                for alternative in av[1]:
                    walk(alternative)
            elif op in (_constants.ASSERT, _constants.ASSERT_NOT):
                walk(av[1])

    walk(tree)
    return leaves


class _Builder:
    """Examples of parts of one parsed pattern, found by trying candidate strings."""

    def __init__(self, pattern: re.Pattern[str], length: int) -> None:
        self.length = length
        self.flags = pattern.flags
        self.tree = _parser.parse(pattern.pattern, pattern.flags & ~re.UNICODE)
        literals = _literals(self.tree)
        leaves = [self._matcher([leaf]) for leaf in _leaves(self.tree)]
        leaves += [re.compile(r"\w"), re.compile(r"\s"), re.compile(r"\d"), re.compile("\n")]
        self.leaves = [leaf for leaf in leaves if leaf is not None]
        # One character per class of characters the pattern cannot tell apart.
        chars: dict[tuple[bool, ...], str] = {}
        for char in literals + list(UNIVERSE):
            chars.setdefault(self._signature(char), char)
        self.chars = list(chars.values())
        runs = "".join(literals)
        pieces: dict[tuple[tuple[bool, ...], ...], str] = {}
        for size in (2, 3):
            for i in range(len(runs) - size + 1):
                piece = runs[i : i + size]
                pieces.setdefault(tuple(self._signature(c) for c in piece), piece)
        self.pieces = list(pieces.values())

    def _signature(self, char: str) -> tuple[bool, ...]:
        return tuple(leaf.fullmatch(char) is not None for leaf in self.leaves)

    def _matcher(self, items: list[Any]) -> re.Pattern[str] | None:
        sub = _parser.SubPattern(self.tree.state, items)
        try:
            return _compiler.compile(sub, self.flags)  # type: ignore[no-any-return]
        except (re.error, RecursionError, TypeError, IndexError):
            return None

    def accepted(self, items: list[Any], limit: int) -> list[str]:
        """Up to `limit` single characters, then 2-3 character pieces, that `items` match."""
        matcher = self._matcher(items)
        if matcher is None:
            return []
        out = [c for c in self.chars if matcher.fullmatch(c)][:limit]
        out += [p for p in self.pieces if matcher.fullmatch(p)][: max(1, limit // 2)]
        return out

    def example(self, items: list[Any]) -> str:
        """A short string that `items` match ("" when none is found quickly)."""
        out = ""
        for item in items:
            out += self._example_one(item)
        return out

    def _example_one(self, item: Any) -> str:
        op, av = item
        if op in (_constants.AT, _constants.ASSERT, _constants.ASSERT_NOT, _constants.GROUPREF):
            return ""
        if op == _constants.SUBPATTERN:
            return self.example(list(av[3]))
        if op == _constants.ATOMIC_GROUP:
            return self.example(list(av))
        if op == _constants.BRANCH:
            return self.example(list(av[1][0]))
        if op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
            return self.example(list(av[2])) * av[0]
        found = self.accepted([item], 1)
        return found[0] if found else ""

    def attacks(self) -> Iterator[str]:
        """Prefix + pumped unbounded quantifier + a failing end, for every such quantifier."""
        yield from self._walk(list(self.tree), "")

    def _walk(self, items: list[Any], prefix: str) -> Iterator[str]:
        for index, (op, av) in enumerate(items):
            before = prefix + self.example(items[:index])
            if op in (_constants.MAX_REPEAT, _constants.MIN_REPEAT, _constants.POSSESSIVE_REPEAT):
                if av[1] == _constants.MAXREPEAT:
                    for pump in self.accepted(list(av[2]), 4):
                        body = pump * (self.length // len(pump))
                        yield before + body + "\x00"
                        yield before + body + "\n"
                yield from self._walk(list(av[2]), before)
            elif op == _constants.SUBPATTERN:
                yield from self._walk(list(av[3]), before)
            elif op == _constants.ATOMIC_GROUP:
                yield from self._walk(list(av), before)
            elif op == _constants.BRANCH:
                for alternative in av[1]:
                    yield from self._walk(list(alternative), before)

    def plain(self) -> Iterator[str]:
        """Repetitions of single characters and of pieces of the pattern's literals."""
        for text in self.chars + self.pieces:
            yield text * (self.length // len(text))
            yield text * (self.length // len(text)) + "\x00"


def adversarial(pattern: re.Pattern[str], length: int = LENGTH) -> list[str]:
    """The strings to try `pattern` on, each about `length` characters long."""
    builder = _Builder(pattern, length)
    return list(dict.fromkeys([*builder.attacks(), *builder.plain()]))


class TooSlow(Exception):
    pass


def _raise(signum: int, frame: FrameType | None) -> None:
    raise TooSlow


def slowest(pattern: re.Pattern[str], texts: list[str], bound: float) -> tuple[float, str]:
    """The slowest of `texts` for `pattern.finditer` in CPU seconds; stops past `bound`."""
    previous = signal.signal(signal.SIGVTALRM, _raise)
    worst = (0.0, "")
    try:
        for text in texts:
            start = time.process_time()
            try:
                signal.setitimer(signal.ITIMER_VIRTUAL, bound)
                for _ in pattern.finditer(text):
                    pass
            except TooSlow:
                return (float("inf"), text)
            finally:
                signal.setitimer(signal.ITIMER_VIRTUAL, 0)
            spent = time.process_time() - start
            if spent > worst[0]:
                worst = (spent, text)
    finally:
        signal.signal(signal.SIGVTALRM, previous)
    return worst


def slow_indices(pattern: re.Pattern[str], texts: list[str], bound: float, limit: int) -> list[int]:
    """Up to `limit` indices of `texts` on which `pattern.finditer` takes over `bound` seconds."""
    slow: list[int] = []
    for index, text in enumerate(texts):
        if len(slow) >= limit:
            break
        if slowest(pattern, [text], bound)[0] >= bound:
            slow.append(index)
    return slow
