"""The quick scores check says "valid" exactly when jsonschema does, on every shipped schema."""

from __future__ import annotations

import copy
import math
import subprocess
import sys
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.example.scores import dumps_scores, make_scores
from bot.scores import quick, validate
from bot.scores.load import parse_json

REPLACEMENTS: list[Any] = [
    math.nan, math.inf, -math.inf, -1, -0.5, 0, 0.0, 5, 5.0, 5.5, 100, 100.5, 101, 2**70,
    1e300, True, False, None, "x", "", [], {}, [1.0, {}], {"OVERALL": 1.0},
]  # fmt: skip


def oracle(schema_name: str) -> jsonschema.Draft202012Validator:
    return validate._validator(schema_name)


def document(schema_name: str, seed: int) -> Any:
    """A valid file as the bot reads it: written like the evaluator, parsed back."""
    return parse_json(dumps_scores(make_scores(schema_name, {}, seed)).encode("utf-8"))


def mutate(doc: Any, steps: list[int], what: int, how: int) -> Any:
    """Walk `steps` into `doc` (each an index into the keys or items) and change what is there:
    replace it, delete it, add a key or an item beside it."""
    doc = copy.deepcopy(doc)
    parent: Any = None
    key: Any = None
    node = doc
    for step in steps:
        if isinstance(node, dict) and node:
            parent, key = node, list(node)[step % len(node)]
        elif isinstance(node, list) and node:
            parent, key = node, step % len(node)
        else:
            break
        node = parent[key]
    if parent is None:
        return REPLACEMENTS[what % len(REPLACEMENTS)]
    if how == 0:
        parent[key] = REPLACEMENTS[what % len(REPLACEMENTS)]
    elif how == 1:
        del parent[key]
    elif isinstance(parent, dict):
        parent[f"extra{what}"] = REPLACEMENTS[what % len(REPLACEMENTS)]
    else:
        parent.append(REPLACEMENTS[what % len(REPLACEMENTS)])
    return doc


@pytest.mark.parametrize("schema_name", validate.SCHEMA_NAMES)
def test_every_shipped_schema_has_a_quick_check(schema_name: str) -> None:
    check = validate._quick(schema_name)
    assert check is not None, f"{schema_name}: a keyword the quick check does not cover"
    for seed in range(5):
        assert check(document(schema_name, seed))
        assert oracle(schema_name).is_valid(document(schema_name, seed))


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    schema_name=st.sampled_from(validate.SCHEMA_NAMES),
    seed=st.integers(0, 3),
    mutations=st.lists(
        st.tuples(st.lists(st.integers(0, 40), max_size=4), st.integers(0, 99), st.integers(0, 3)),
        min_size=1,
        max_size=3,
    ),
)
def test_quick_check_agrees_with_jsonschema(
    schema_name: str, seed: int, mutations: list[tuple[list[int], int, int]]
) -> None:
    doc = document(schema_name, seed)
    for steps, what, how in mutations:
        doc = mutate(doc, steps, what, how)
    check = validate._quick(schema_name)
    assert check is not None
    assert check(doc) == oracle(schema_name).is_valid(doc)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "integer"},
        {"type": ["number", "null"]},
        {"type": "object", "required": ["a"], "additionalProperties": {"type": "boolean"}},
        {"type": "array", "prefixItems": [{"type": "string"}], "items": False},
        {"type": "array", "prefixItems": [{"type": "string"}], "items": {"minimum": 3}},
        {"exclusiveMinimum": 0, "exclusiveMaximum": 1},
        {"anyOf": [{"required": ["a"]}, {"required": ["b"]}]},
        {"allOf": [{"type": "number"}, {"format": "finite"}]},
        # Three checks and more, of one schema and of allOf, anyOf and a list of types.
        {"type": "number", "minimum": 0, "format": "finite"},
        {"allOf": [{"type": "number"}, {"minimum": 0}, {"maximum": 1}]},
        {"anyOf": [{"type": "string"}, {"type": "boolean"}, {"minimum": 3}]},
        {"type": ["string", "boolean", "null"]},
        {"format": "date"},  # not checked by the bot's jsonschema either
        {"minItems": 1, "maxItems": 2},
        True,
        False,
    ],
)
@pytest.mark.parametrize("value", [*REPLACEMENTS, {"a": True}, {"b": 1}, ["s"], ["s", 4], 0.5])
def test_each_keyword_as_jsonschema(schema: Any, value: Any) -> None:
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("finite")(validate._is_finite)
    check = quick.compile_schema(schema, {"finite": validate._is_finite})
    assert check is not None
    expected = jsonschema.Draft202012Validator(schema, format_checker=checker).is_valid(value)
    assert check(value) == expected


@pytest.mark.parametrize(
    "schema",
    [
        {"enum": [1, 2]},
        {"type": "object", "patternProperties": {"^a": {}}},
        {"properties": {"a": {"$ref": "#/$defs/x"}}},
        {"type": "whatever"},
        {"anyOf": []},
    ],
)
def test_other_keywords_have_no_quick_check(schema: Any) -> None:
    assert quick.compile_schema(schema, {}) is None


def test_an_invalid_file_is_still_explained_by_jsonschema() -> None:
    doc = document("det", 0)
    doc["AP"][1]["OVERALL"] = 120.0
    problems = validate.check_scores(doc, "det")
    assert [(p.kind, p.json_path) for p in problems] == [("schema", "$.AP[1].OVERALL")]


def test_an_outcome_lets_its_document_go_and_reads_it_again() -> None:
    body = dumps_scores(make_scores("det", {"AP": 31.5}, 2)).encode("utf-8")
    outcome = validate.read_scores(body, "det")
    slim = outcome.without_document()
    assert (slim.document, slim.error, slim.problems, slim.dropped) == (None, None, [], True)
    assert dumps_scores(slim.document_of(body)) == dumps_scores(outcome.document)
    assert outcome.document_of(b"not read") is outcome.document
    broken = validate.read_scores(b"{", "det")
    assert broken.without_document() is broken  # nothing to let go: the error stays


def test_reading_quickly_says_what_it_can_and_leaves_the_rest_to_jsonschema() -> None:
    valid = dumps_scores(make_scores("det", {"AP": 31.5}, 2)).encode("utf-8")
    read = validate.read_scores_quickly(valid, "det")
    assert read is not None and read.problems == [] and read.error is None
    not_json = validate.read_scores_quickly(b"{", "det")
    assert not_json is not None and not_json.error is not None
    flat = validate.read_scores_quickly(b'{"AP_50": 0.61, "AR_max_1": 0.4}', "det")
    assert flat is not None and [p.kind for p in flat.problems] == ["obsolete_format"]
    assert validate.read_scores_quickly(b'{"AP": "high"}', "det") is None
    assert validate.read_scores(b'{"AP": "high"}', "det").problems  # jsonschema explains it
    unchecked = validate.read_scores_quickly(b'{"AP": "high"}', None)
    assert unchecked is not None and unchecked.problems == []
    with pytest.raises(ValueError, match="unknown scores schema"):
        validate.read_scores_quickly(valid, "nope")


def test_valid_files_are_checked_without_importing_jsonschema() -> None:
    """Importing jsonschema and building a validator took about 0.2 s of a 3-row review."""
    program = (
        "import sys\n"
        "from bot.example.scores import dumps_scores, make_scores\n"
        "from bot.scores import validate\n"
        "validate.prepare(['det', 'nope'])\n"
        "assert validate.prepared('det') and not validate.prepared('nope')\n"
        "body = dumps_scores(make_scores('det', {'AP': 31.5}, 2)).encode()\n"
        "assert validate.read_scores(body, 'det').problems == []\n"
        "assert 'jsonschema' not in sys.modules, 'imported for a valid file'\n"
        "assert validate.read_scores(b'{\"AP\": \"high\"}', 'det').problems\n"
        "assert 'jsonschema' in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", program], check=True, timeout=60)


def test_an_outcome_keeps_the_numbers_asked_for_and_reads_others_again() -> None:
    body = dumps_scores(make_scores("det", {"AP": 31.5}, 2)).encode("utf-8")
    outcome = validate.read_scores(body, "det")
    headline = ("AP", -1, "OVERALL")
    slim = outcome.without_document([list(headline), ["nope"]])
    assert slim.dropped and slim.document is None and slim.readable()
    # What the file lacks is kept as missing: the body need not be read again for it.
    assert slim.numbers == {headline: 31.5, ("nope",): None}
    assert slim.number(headline, b"not parsed: kept") == 31.5
    assert slim.number(["nope"], b"not parsed: kept") is None
    assert slim.number(["AP", 0, "OVERALL"], body) == outcome.number(["AP", 0, "OVERALL"], b"")
    assert outcome.number(headline, b"") == 31.5  # the document itself
    broken = validate.read_scores(b"null", "det")
    assert not broken.readable() and broken.number(headline, b"null") is None
