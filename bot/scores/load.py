"""Parses the bytes of a scores file as JSON, safely, with messages a contributor can act on."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass

from bot.quote import q

MAX_DEPTH = 64
"""Deepest nesting of arrays and objects accepted; a scores file nests three levels."""

MAX_NUMBER_CHARS = 100
"""Longest number literal accepted; the evaluator writes at most about 25 characters."""

MAX_VALUES = 20_000
"""Most values (and brackets) accepted; the evaluator writes a few hundred. This bounds the
time the schema validation takes."""

# A whole JSON string; the closing quote is optional, so an unterminated string runs to the end.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_BRACKET = re.compile(r"[\[\]{}]")
_PLAIN_KEY = re.compile(r"^[a-zA-Z][a-zA-Z0-9_]*$")
_STRUCTURE_HINT = (
    "A scores file nests three levels: an object whose values are numbers or lists of "
    "objects. Link the file the evaluator wrote (`--out-file`), unchanged."
)


@dataclass(frozen=True)
class ScoresProblem:
    """One thing wrong with a scores file, written for the contributor who linked it."""

    kind: str
    message: str
    hint: str | None = None
    json_path: str | None = None


class ScoresError(Exception):
    """A scores file cannot be read as JSON; `problem` says why."""

    def __init__(self, problem: ScoresProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class _DuplicateKeyError(Exception):
    """Raised from the object hook; carries the repeated key."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


class _HugeNumberError(Exception):
    """Raised from the number hooks; carries the literal."""

    def __init__(self, literal: str) -> None:
        super().__init__(literal)
        self.literal = literal


def parse_json(data: bytes) -> object:
    """Parse a scores file. Bare NaN, Infinity and -Infinity are accepted, as the evaluator writes
    them; anything else that is not plain JSON raises ScoresError.

    The caller caps the size of `data` before calling this.
    """
    if not data.strip():
        raise ScoresError(
            ScoresProblem(
                kind="empty",
                message="The scores file is empty.",
                hint="Link the JSON file the evaluator wrote with `--out-file`; it must not be "
                "empty.",
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ScoresError(
            ScoresProblem(
                kind="not_utf8",
                message=f"The scores file is not UTF-8 text (byte {error.start} cannot be "
                "decoded); it may be a binary file or use another encoding.",
                hint="Link the JSON file the evaluator wrote with `--out-file`, saved as UTF-8.",
            )
        ) from None
    _check_shape(text)

    try:
        return json.loads(
            text,
            object_pairs_hook=_reject_duplicates,
            parse_int=_parse_int,
            parse_float=_parse_float,
        )
    except _DuplicateKeyError as error:
        raise ScoresError(
            ScoresProblem(
                kind="duplicate_key",
                message=f"The key {q(error.key)} appears twice in the same object; JSON readers "
                "disagree on which value counts, so the file cannot be trusted.",
                hint="Link the file exactly as the evaluator wrote it; the evaluator never "
                "repeats a key.",
                json_path=_locate_duplicate(text, error.key),
            )
        ) from None
    except _HugeNumberError as error:
        raise ScoresError(_huge_number(error.literal)) from None
    except json.JSONDecodeError as error:
        raise ScoresError(
            ScoresProblem(
                kind="invalid_json",
                message=f"The scores file is not valid JSON: {error.msg} at line {error.lineno}, "
                f"column {error.colno}.",
                hint="Link the file exactly as the evaluator wrote it (`--out-file`); an edited "
                "or truncated copy does not parse.",
            )
        ) from None
    except RecursionError:
        raise ScoresError(_too_deep(None)) from None
    except ValueError:
        # Python refuses to convert integers of more than 4300 digits; _parse_int stops
        # long literals before that, this is the second line of defence.
        raise ScoresError(_huge_number(None)) from None


def _reject_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(key)
        result[key] = value
    return result


def _parse_int(literal: str) -> int:
    if len(literal) > MAX_NUMBER_CHARS:
        raise _HugeNumberError(literal)
    return int(literal)


def _parse_float(literal: str) -> float:
    if len(literal) > MAX_NUMBER_CHARS:
        raise _HugeNumberError(literal)
    value = float(literal)
    if math.isinf(value):
        raise _HugeNumberError(literal)
    return value


def _huge_number(literal: str | None) -> ScoresProblem:
    if literal is None:
        shown = ""
    elif len(literal) <= 40:
        shown = f": {q(literal)}"
    else:
        shown = f": {q(literal[:20])}… ({len(literal)} characters)"
    return ScoresProblem(
        kind="huge_number",
        message=f"The scores file holds a number too large to be a score{shown}.",
        hint="Scores are percentages or counts; link the file exactly as the evaluator wrote it.",
    )


def _too_deep(line: int | None) -> ScoresProblem:
    where = "" if line is None else f" (at line {line})"
    return ScoresProblem(
        kind="too_deep",
        message=f"The scores file nests arrays and objects deeper than {MAX_DEPTH} levels{where}.",
        hint=_STRUCTURE_HINT,
    )


def _check_shape(text: str) -> None:
    """Reject deep nesting and too many values before the parser recurses into them.

    Strings are blanked out first, so brackets and commas inside them do not count; JSON strings
    hold no raw newline, so line numbers stay those of the file.
    """
    skeleton = _STRING.sub('""', text)
    if skeleton.count(",") >= MAX_VALUES:
        raise ScoresError(_too_many_values())
    depth = 0
    for count, match in enumerate(_BRACKET.finditer(skeleton)):
        if count >= 2 * MAX_VALUES:
            raise ScoresError(_too_many_values())
        if match.group() in ("[", "{"):
            depth += 1
            if depth > MAX_DEPTH:
                raise ScoresError(_too_deep(skeleton.count("\n", 0, match.start()) + 1))
        else:
            depth -= 1


def _too_many_values() -> ScoresProblem:
    return ScoresProblem(
        kind="too_many_values",
        message=f"The scores file holds more than {MAX_VALUES:,} values; the evaluator writes a "
        "few hundred.",
        hint="Link the scores file `python -m bdd100k.eval.run ... --out-file` wrote, not the "
        "predictions or per-image results.",
    )


def _locate_duplicate(text: str, key: str) -> str | None:
    """The JSON path of the repeated key, found by parsing again with duplicates kept.

    The second parse keeps the last value of a repeated key and remembers the object that
    repeated it, so the path can be found by walking the result. Returns None if it cannot.
    """
    marked: list[dict[str, object]] = []

    def keep_last(found: list[tuple[str, object]]) -> dict[str, object]:
        result = dict(found)
        if not marked and len(result) < len(found):
            marked.append(result)
        return result

    try:
        root = json.loads(text, object_pairs_hook=keep_last, parse_int=_parse_int)
    except (ValueError, RecursionError, _HugeNumberError):
        return None
    if not marked:
        return None
    path = _path_to(root, marked[0], "$")
    return None if path is None else _join(path, key)


def _path_to(node: object, target: object, path: str) -> str | None:
    if node is target:
        return path
    if isinstance(node, dict):
        children = [(_join(path, key), value) for key, value in node.items()]
    elif isinstance(node, list):
        children = [(f"{path}[{index}]", value) for index, value in enumerate(node)]
    else:
        return None
    for child_path, child in children:
        found = _path_to(child, target, child_path)
        if found is not None:
            return found
    return None


def _join(path: str, key: str) -> str:
    """Append a key the way jsonschema writes JSON paths: `$.AP` or `$['traffic light']`."""
    if _PLAIN_KEY.match(key):
        return f"{path}.{key}"
    escaped = key.replace("\\", "\\\\").replace("'", "\\'")
    return f"{path}['{escaped}']"
