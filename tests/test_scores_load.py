"""Tests for bot.scores.load: parsing a scores file's bytes safely."""

from __future__ import annotations

import json
import math
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.quote import plain
from bot.scores.load import MAX_DEPTH, MAX_VALUES, ScoresError, ScoresProblem, parse_json


def problem_of(data: bytes) -> ScoresProblem:
    with pytest.raises(ScoresError) as caught:
        parse_json(data)
    return caught.value.problem


def test_parses_a_scores_object() -> None:
    assert parse_json(b'{"AP": [{"car": 41.5}, {"OVERALL": 34.0}]}') == {
        "AP": [{"car": 41.5}, {"OVERALL": 34.0}]
    }


def test_accepts_bare_nan_and_infinity_tokens() -> None:
    doc = parse_json(b'{"a": NaN, "b": -Infinity, "c": Infinity}')
    assert isinstance(doc, dict)
    assert math.isnan(doc["a"])
    assert doc["b"] == -math.inf
    assert doc["c"] == math.inf


def test_accepts_a_utf8_byte_order_mark() -> None:
    assert parse_json(b'\xef\xbb\xbf{"a": 1}') == {"a": 1}


@pytest.mark.parametrize("data", [b"", b"  \n\t "])
def test_rejects_an_empty_file(data: bytes) -> None:
    assert problem_of(data).kind == "empty"


def test_rejects_invalid_utf8() -> None:
    problem = problem_of(b'{"a": "caf\xe9"}')
    assert problem.kind == "not_utf8"
    assert "UTF-8" in problem.message
    assert problem.hint


def test_rejects_invalid_json_with_line_and_column() -> None:
    problem = problem_of(b'{\n  "AP": 1,\n  "AP50": \n}')
    assert problem.kind == "invalid_json"
    assert "line 4, column 1" in problem.message
    assert problem.hint


def test_rejects_a_duplicate_key_at_the_top_level() -> None:
    problem = problem_of(b'{"AP": 1, "AP": 2}')
    assert problem.kind == "duplicate_key"
    assert "`AP`" in plain(problem.message)
    assert problem.json_path == "$.AP"


def test_names_the_path_of_a_nested_duplicate_key() -> None:
    data = b'{"AP": [{"car": 1, "traffic light": 2, "traffic light": 3}, {"OVERALL": 2}]}'
    problem = problem_of(data)
    assert problem.kind == "duplicate_key"
    assert "`traffic light`" in plain(problem.message)
    assert problem.json_path == "$.AP[0]['traffic light']"


@pytest.mark.parametrize("opening", [b"[", b'{"a":'])
def test_rejects_100000_nested_brackets_quickly(opening: bytes) -> None:
    start = time.process_time()
    problem = problem_of(opening * 100_000)
    assert time.process_time() - start < 1.0  # CPU: unaffected by a loaded machine
    assert problem.kind == "too_deep"
    assert "line 1" in problem.message


def test_accepts_nesting_up_to_the_limit_and_rejects_one_more() -> None:
    assert parse_json(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) is not None
    assert problem_of(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1)).kind == "too_deep"


def test_names_the_line_of_deep_nesting() -> None:
    problem = problem_of(b'{\n  "AP": [\n' + b"[" * 80 + b"]" * 80 + b"]}")
    assert problem.kind == "too_deep"
    assert "line 3" in problem.message


@pytest.mark.parametrize(
    "data",
    [
        b"[" + b"0," * MAX_VALUES + b"0]",
        b"[" + b"[]" * 3_000_000 + b"]",
    ],
)
def test_rejects_too_many_values_quickly(data: bytes) -> None:
    start = time.process_time()
    problem = problem_of(data)
    assert time.process_time() - start < 1.0
    assert problem.kind == "too_many_values"
    assert problem.hint


def test_commas_inside_strings_do_not_count_as_values() -> None:
    text = json.dumps({"note": "," * (2 * MAX_VALUES), "AP": 1})
    assert parse_json(text.encode()) == json.loads(text)


def test_brackets_inside_strings_do_not_count_as_nesting() -> None:
    text = json.dumps({"note": "[" * 1000 + '\\" {{{', "AP": 1})
    assert parse_json(text.encode()) == json.loads(text)


def test_rejects_a_5000_digit_integer() -> None:
    problem = problem_of(b'{"AP": ' + b"7" * 5000 + b"}")
    assert problem.kind == "huge_number"
    assert "5000 characters" in problem.message


@pytest.mark.parametrize("literal", [b"1e400", b"-1e400", b"1" * 400 + b".5"])
def test_rejects_a_finite_literal_that_overflows(literal: bytes) -> None:
    assert problem_of(b'{"AP": ' + literal + b"}").kind == "huge_number"


def test_scores_error_carries_the_problem_as_its_message() -> None:
    with pytest.raises(ScoresError) as caught:
        parse_json(b"{")
    assert isinstance(caught.value, Exception)
    assert str(caught.value) == caught.value.problem.message


@settings(max_examples=300)
@given(st.binary(max_size=200))
def test_any_bytes_either_parse_or_raise_scores_error(data: bytes) -> None:
    try:
        parse_json(data)
    except ScoresError as error:
        assert error.problem.kind in {
            "empty",
            "too_many_values",
            "not_utf8",
            "invalid_json",
            "duplicate_key",
            "too_deep",
            "huge_number",
        }


_JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


@settings(max_examples=150)
@given(_JSON_VALUES)
def test_round_trips_what_json_dumps_writes(value: object) -> None:
    assert parse_json(json.dumps(value).encode()) == value
