"""Checks a parsed scores file against its task's JSON Schema and explains what is wrong."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from typing import TYPE_CHECKING, Any

from bot.quote import q
from bot.resources import load_schema, schemas_dir
from bot.scores import quick
from bot.scores.load import ScoresError, ScoresProblem, parse_json

if TYPE_CHECKING:
    import jsonschema  # type: ignore[import-untyped, unused-ignore]

SCHEMA_NAMES: tuple[str, ...] = (
    "tagging",
    "det",
    "ins_seg",
    "sem_seg",
    "drivable",
    "pan_seg",
    "box_track",
    "seg_track",
    "pose",
)
"""The scores formats shipped in schemas/scores/; mot uses box_track and mots seg_track."""

MAX_PROBLEMS = 8
"""check_scores returns at most this many problems; the last one then counts the rest."""

_MAX_ERRORS = 1000
"""Schema errors collected before giving up counting (a broken file can hold millions)."""

_SCHEMA_NAME = re.compile(r"^[A-Za-z0-9_-]+$")
_OBSOLETE_KEY = re.compile(r"^A[PR]_")
_TYPE_NAMES = {
    "object": "an object",
    "array": "a list",
    "number": "a number",
    "integer": "a whole number",
    "string": "a string",
    "boolean": "true or false",
    "null": "null",
}
_RERUN = (
    "Re-run the evaluation with a current BDD100K toolkit, `python -m bdd100k.eval.run "
    "-t {task} -g <ground truth> -r <results> --out-file scores.json`, and link that file."
)
_UNEDITED = "Link the file exactly as `python -m bdd100k.eval.run ... --out-file` wrote it."

_SortablePath = tuple[tuple[int, int | str], ...]
"""A JSON path as sortable pairs: (0, list index) or (1, object key)."""


def _is_finite(instance: object) -> bool:
    """The "finite" format: a float must not be NaN or infinite; other values pass."""
    return not isinstance(instance, float) or math.isfinite(instance)


ScoresKey = tuple[str | int, ...]
"""Where a number is in a scores file, e.g. `("AP", -1, "OVERALL")` (see `lookup`)."""


@dataclass(frozen=True)
class ScoresOutcome:
    """A scores file read: the parsed document (None when it is not JSON: `error` says why) and
    what does not match its schema (empty when it does, or when no schema was asked for).
    `dropped`: the document was let go to save memory, keeping only the `numbers` at the keys
    asked for; `number` reads another from the body again."""

    document: object | None
    error: ScoresProblem | None = None
    problems: list[ScoresProblem] = field(default_factory=list)
    dropped: bool = False
    numbers: Mapping[ScoresKey, float | int | None] = field(default_factory=dict)

    def without_document(self, keys: Iterable[Sequence[str | int]] = ()) -> ScoresOutcome:
        """The outcome holding, of its document, only the numbers at `keys`: a parsed det
        file takes ~20 KB, and an audit keeps thousands of them until the rules run."""
        document = self.document
        if document is None:
            return self
        # A number the file lacks is kept as None: asked for, it is not looked for again (the
        # file's body may be gone by then, see bot/scores/arrival.py).
        numbers = {tuple(key): lookup(document, key) for key in keys}
        return ScoresOutcome(None, self.error, self.problems, dropped=True, numbers=numbers)

    def readable(self) -> bool:
        """Whether there is a document to read numbers from (kept or dropped)."""
        return self.dropped or self.document is not None

    def number(self, key: Sequence[str | int], body: bytes) -> float | int | None:
        """The number at `key` (see `lookup`): kept, or read from the document, parsed again
        from `body` (the file this outcome read) when it was dropped."""
        if self.dropped and tuple(key) in self.numbers:
            return self.numbers[tuple(key)]
        document = self.document_of(body)
        return None if document is None else lookup(document, key)

    def document_of(self, body: bytes) -> object | None:
        """The parsed document, from `body` (the file this outcome read) when it was dropped;
        None when that body is no longer held (the rules ask only for the numbers kept)."""
        if not self.dropped:
            return self.document
        try:
            return parse_json(body)
        except ScoresError:
            return None


def read_scores(body: bytes, schema_name: str | None) -> ScoresOutcome:
    """Parse a scores file's bytes and check them against `schema_name` (when given): what
    the scores rule reads of a file."""
    outcome = _read(body, schema_name, check_scores)
    assert outcome is not None  # check_scores always says
    return outcome


def read_scores_quickly(body: bytes, schema_name: str | None) -> ScoresOutcome | None:
    """`read_scores(body, schema_name)` when it needs no jsonschema (importing it and building
    a validator take a few hundred ms): the file is not JSON, is a known wrong format or passes
    the quick check. None for a file only jsonschema can explain: read it with `read_scores`."""
    return _read(body, schema_name, _quick_problems)


def _read(
    body: bytes,
    schema_name: str | None,
    check: Callable[[object, str], list[ScoresProblem] | None],
) -> ScoresOutcome | None:
    try:
        document = parse_json(body)
    except ScoresError as exc:
        return ScoresOutcome(None, exc.problem)
    if schema_name is None:
        return ScoresOutcome(document)
    problems = check(document, schema_name)
    return None if problems is None else ScoresOutcome(document, problems=problems)


def check_scores(doc: object, schema_name: str) -> list[ScoresProblem]:
    """Check a parsed scores file (see parse_json) against `schemas/scores/<schema_name>.json`.

    Returns the problems sorted by JSON path, at most MAX_PROBLEMS of them; an empty list
    means the file is valid. Raises ValueError for an unknown schema name.
    """
    known = _quick_problems(doc, schema_name)
    if known is not None:
        return known
    validator = _validator(schema_name)
    errors = list(islice(validator.iter_errors(doc), _MAX_ERRORS + 1))
    problems = _explain(errors[:_MAX_ERRORS])
    at_least = len(errors) > _MAX_ERRORS
    if len(problems) <= MAX_PROBLEMS and not at_least:
        return problems
    shown = problems[: MAX_PROBLEMS - 1]
    rest = len(problems) - len(shown)
    count = f"at least {rest}" if at_least else str(rest)
    shown.append(
        ScoresProblem(
            kind="schema",
            message=f"… and {count} more problems in the file.",
            hint=_UNEDITED,
        )
    )
    return shown


def _quick_problems(doc: object, schema_name: str) -> list[ScoresProblem] | None:
    """The problems of `doc` when telling them needs no jsonschema: a known wrong format, or
    none when the quick check passes it; None when only jsonschema can explain the file."""
    recognised = _recognise(doc, schema_name, _expects_lists(_schema(schema_name)))
    if recognised is not None:
        return [recognised]
    check = _quick(schema_name)
    if check is not None and check(doc):
        return []
    return None


def lookup(doc: object, key: Sequence[str | int]) -> float | int | None:
    """The number at `key` in `doc`, e.g. `["AP", -1, "OVERALL"]`; negative indexes count from
    the end of a list. None when the path does not exist or does not end at a number."""
    node = doc
    for part in key:
        if isinstance(node, Mapping) and isinstance(part, str):
            if part not in node:
                return None
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and not isinstance(part, bool):
            if not -len(node) <= part < len(node):
                return None
            node = node[part]
        else:
            return None
    if isinstance(node, bool) or not isinstance(node, int | float):
        return None
    return node


def prepare(schema_names: Iterable[str]) -> None:
    """Build the quick checks ahead of use (the engine does it while the files are fetched);
    an unknown name is left for check_scores to raise."""
    for name in schema_names:
        try:
            _quick(name)
        except ValueError:
            continue
        _PREPARED.add(name)


def prepared(schema_name: str | None) -> bool:
    """Whether `read_scores_quickly` of a file against `schema_name` (None: no schema) is
    only the check: its quick check is built."""
    return schema_name is None or schema_name in _PREPARED


_PREPARED: set[str] = set()


def prepare_explainer(schema_name: str) -> None:
    """Build the jsonschema validator that explains the files of `schema_name` the quick
    check does not pass (importing jsonschema: a few hundred ms), ahead of use; an unknown
    name is left for check_scores to raise."""
    with suppress(ValueError):  # an unknown name: check_scores raises it for each file
        _validator(schema_name)
    _EXPLAINERS.add(schema_name)


def explainer_ready(schema_name: str | None) -> bool:
    """Whether `read_scores` of a file against `schema_name` needs no validator built:
    `prepare_explainer` was called (or there is no schema)."""
    return schema_name is None or schema_name in _EXPLAINERS


_EXPLAINERS: set[str] = set()


@cache
def _schema(schema_name: str) -> Any:
    """The scores schema `schema_name`, its local references inlined; ValueError for a name
    that is not a shipped schema."""
    if not _SCHEMA_NAME.match(schema_name):
        raise ValueError(f"invalid scores schema name {schema_name!r}")
    if not (schemas_dir() / "scores" / f"{schema_name}.json").is_file():
        raise ValueError(f"unknown scores schema {schema_name!r}; known: {', '.join(SCHEMA_NAMES)}")
    return _inline_refs(load_schema(f"scores/{schema_name}.json"))


@cache
def _validator(schema_name: str) -> jsonschema.Draft202012Validator:
    # jsonschema is imported by the first file the quick check cannot pass: most reviews need
    # none.
    import jsonschema  # noqa: PLC0415

    format_checker = jsonschema.FormatChecker(formats=())
    format_checker.checks("finite")(_is_finite)
    return jsonschema.Draft202012Validator(_schema(schema_name), format_checker=format_checker)


@cache
def _quick(schema_name: str) -> quick.Check | None:
    """The quick check of a schema (bot/scores/quick.py); None when it uses a keyword the
    quick check does not know."""
    return quick.compile_schema(_schema(schema_name), {"finite": _is_finite})


def _inline_refs(schema: Any) -> Any:
    """The schema with its local `#/$defs/...` references replaced by what they point to.

    Resolving a reference costs jsonschema a registry lookup on every use, which dominated the
    validation of a scores file; errors still carry the same instance paths. A recursive
    reference is left as it is.
    """

    def resolve(pointer: str) -> Any:
        node = schema
        for part in pointer.removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def inline(node: Any, seen: tuple[str, ...]) -> Any:
        if isinstance(node, list):
            return [inline(item, seen) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/") and ref not in seen:
            target = inline(resolve(ref), (*seen, ref))
            rest = {key: inline(value, seen) for key, value in node.items() if key != "$ref"}
            return {"allOf": [target], **rest} if rest else target
        return {key: inline(value, seen) for key, value in node.items()}

    return inline(schema, ())


def _recognise(doc: object, schema_name: str, expects_lists: bool) -> ScoresProblem | None:
    """Known wrong formats, explained as a whole instead of as a pile of schema errors."""
    if isinstance(doc, str) and _holds_json(doc):
        return ScoresProblem(
            kind="double_encoded",
            message="The scores file is double-encoded output of an older CLI: a JSON string "
            "containing JSON, instead of the JSON object itself.",
            hint="Write the dict itself, `json.dump(result, f)`, not "
            "`json.dump(json.dumps(result), f)`; or re-run `python -m bdd100k.eval.run ... "
            "--out-file` with a current BDD100K toolkit, and link that file.",
            json_path="$",
        )
    if not isinstance(doc, dict) or not doc:
        return None
    if expects_lists:
        values = list(doc.values())
        flat = not any(isinstance(value, list | dict) for value in values) and any(
            _is_number(value) for value in values
        )
        if flat or any(_OBSOLETE_KEY.match(key) for key in doc):
            return ScoresProblem(
                kind="obsolete_format",
                message="The scores file is in the obsolete flat 0-1 format written by BDD100K's "
                "toolkit before Aug 2021 (a flat object of fractions, keys such as AP_50 or "
                "AR_max_1). The current evaluator writes each metric as a list of per-class "
                "dicts in percent.",
                hint=_RERUN.format(task=schema_name),
                json_path="$",
            )
        return None
    values = list(doc.values())
    if all(_is_number(value) and 0 <= value <= 1 for value in values) and any(
        value > 0 for value in values
    ):
        return ScoresProblem(
            kind="obsolete_format",
            message="The values look like 0-1 fractions (e.g. 0.8135), as obsolete toolkits wrote "
            "them, while the evaluator writes percent (81.35).",
            hint="Re-run the evaluation with a current toolkit and link the file it writes; do "
            "not rescale the numbers by hand.",
            json_path="$",
        )
    return None


def _holds_json(text: str) -> bool:
    if not text.lstrip().startswith(("{", "[")):
        return False
    try:
        inner = parse_json(text.encode("utf-8"))
    except (ScoresError, UnicodeError):
        return False
    return isinstance(inner, dict | list)


def _expects_lists(schema: object) -> bool:
    """Whether any top-level metric of the schema is a list (every task but tagging)."""
    if not isinstance(schema, Mapping):
        return False
    definitions: Mapping[str, Any] = schema.get("$defs", {})
    for subschema in schema.get("properties", {}).values():
        reference = str(subschema.get("$ref", ""))
        target = subschema
        if reference.startswith("#/$defs/"):
            target = definitions.get(reference.removeprefix("#/$defs/"), {})
        if target.get("type") == "array":
            return True
    return False


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _explain(errors: Iterable[jsonschema.ValidationError]) -> list[ScoresProblem]:
    """Rewrite jsonschema errors for a contributor, one problem per distinct message and path."""
    found: dict[tuple[_SortablePath, str], tuple[str, ScoresProblem]] = {}
    headline_paths: set[_SortablePath] = set()
    for error in errors:
        path = tuple(
            (0, part) if isinstance(part, int) else (1, part) for part in error.absolute_path
        )
        keyword = str(error.validator)
        if keyword == "format":
            headline_paths.add(path)
        problem = _describe(error)
        found.setdefault((path, problem.message), (keyword, problem))
    # A NaN or infinite headline also trips type or range checks; its own message says it all.
    kept = [
        (key, problem)
        for key, (keyword, problem) in found.items()
        if key[0] not in headline_paths or keyword == "format"
    ]
    kept.sort(key=lambda item: item[0])
    return [problem for _, problem in kept]


def _describe(error: jsonschema.ValidationError) -> ScoresProblem:
    keyword = str(error.validator)
    instance: object = error.instance
    expected: Any = error.validator_value
    schema: Any = error.schema
    message: str = error.message
    hint = _UNEDITED
    if keyword == "required" and isinstance(instance, dict):
        missing = [key for key in expected if key not in instance]
        message = f"missing {_keys(missing)}"
        hint = f"The evaluator writes every one of these keys. {_UNEDITED}"
    elif keyword in ("anyOf", "oneOf") and all(
        isinstance(option, dict) and set(option) == {"required"} for option in expected
    ):
        alternatives = [repr(key) for option in expected for key in option["required"]]
        message = f"missing key {' or '.join(alternatives)}"
        hint = f"The evaluator writes one of these keys. {_UNEDITED}"
    elif keyword == "type":
        wanted = [expected] if isinstance(expected, str) else list(expected)
        names = " or ".join(_TYPE_NAMES.get(name, name) for name in wanted)
        message = f"expected {names}, found {_kind_of(instance)}"
        if not error.path:
            hint = f"A scores file is a JSON object with one key per metric. {_UNEDITED}"
        elif isinstance(instance, str) and {"number", "integer"} & set(wanted):
            hint = f"Scores are numbers written without quotes. {_UNEDITED}"
    elif keyword == "format":
        message = (
            f"headline value is {_number(instance)}; the evaluator writes a finite number "
            "here — the file looks broken"
        )
        hint = (
            "Re-run the evaluation on the full validation set and link the file it writes; a "
            "headline that is NaN or infinite means the evaluation found nothing to score."
        )
    elif keyword == "minimum":
        message = f"value {_number(instance)} is below {expected}"
        hint = f"Percentages lie between 0 and 100 and counts are never negative. {_UNEDITED}"
    elif keyword == "maximum":
        message = f"value {_number(instance)} is above {expected}"
        hint = (
            "Scores are percentages between 0 and 100; a larger value means the file was "
            f"rescaled or edited. {_UNEDITED}"
        )
    elif keyword in ("minItems", "maxItems") and isinstance(instance, list):
        low, high = schema.get("minItems", 0), schema.get("maxItems")
        size = f"exactly {low}" if low == high else f"{low} to {high}"
        message = f"expected a list of {size} dicts, found {len(instance)}"
        hint = (
            "Each metric is a list: the per-class dict, then the summary dict(s) "
            f"(OVERALL or AVERAGE). {_UNEDITED}"
        )
    elif keyword == "additionalProperties" and isinstance(instance, dict):
        known = set(schema.get("properties", {}))
        extra = [key for key in instance if key not in known]
        message = f"unexpected {_keys(extra, untrusted=True)}"
        hint = (
            "The evaluator does not write this; check that the file belongs to this task. "
            f"{_UNEDITED}"
        )
    # A NaN or infinite headline is its own kind: the scores rule tells it apart.
    kind = "non_finite" if keyword == "format" else "schema"
    return ScoresProblem(kind=kind, message=message, hint=hint, json_path=error.json_path)


def _keys(keys: Sequence[str], untrusted: bool = False) -> str:
    """Key names for a message; names from the contributor's file are marked untrusted."""
    listed = ", ".join(q(key) if untrusted else repr(key) for key in keys)
    return f"key {listed}" if len(keys) == 1 else f"keys {listed}"


def _number(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
    return repr(value)


def _kind_of(value: object) -> str:
    """A JSON value described for a message, e.g. "a string ('34.0')"."""
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if value is None:
        return "null"
    if isinstance(value, str):
        return f"a string ({q(value, limit=40)})"
    if isinstance(value, int):
        return f"a whole number ({value})"
    if isinstance(value, float):
        if not math.isfinite(value):
            return _number(value)
        return f"a number ({value!r})"
    if isinstance(value, list):
        return f"a list of {len(value)} entries"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__
