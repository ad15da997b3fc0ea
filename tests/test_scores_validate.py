"""Tests for the scores schemas, bot.scores.validate and bot.example.scores."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from bot.example.scores import dumps_scores, make_scores
from bot.quote import plain
from bot.resources import load_schema, schemas_dir
from bot.scores.load import ScoresProblem, parse_json
from bot.scores.validate import MAX_PROBLEMS, SCHEMA_NAMES, check_scores, lookup
from tests.conftest import SCORES_SAMPLES

NAN = float("nan")
INF = float("inf")

# Per schema: a headline to place with make_scores, and where the README reads it.
HEADLINES: dict[str, tuple[dict[str, float], list[list[str | int]]]] = {
    "tagging": ({"accuracy_top-1": 81.35}, [["accuracy_top-1"]]),
    "det": ({"AP": 34.03}, [["AP", -1, "OVERALL"]]),
    "ins_seg": ({"AP": 20.57}, [["AP", -1, "OVERALL"]]),
    "sem_seg": ({"IoU": 62.15}, [["IoU", -1, "AVERAGE"]]),
    "drivable": ({"IoU": 85.47}, [["IoU", -1, "AVERAGE"]]),
    "pan_seg": ({"PQ": 18.62}, [["PQ", -1, "OVERALL"]]),
    "box_track": (
        {"mMOTA": 36.6, "mIDF1": 51.6, "IDSw": 6193},
        [["mMOTA"], ["mIDF1"], ["IDSw", -1, "OVERALL"]],
    ),
    "seg_track": (
        {"mMOTA": 26.6, "mIDF1": 44.0, "IDSw": 970},
        [["mMOTA"], ["mIDF1"], ["IDSw", -1, "OVERALL"]],
    ),
    "pose": ({"AP": 44.53}, [["AP", 0, "OVERALL"]]),
}

SAMPLES = SCORES_SAMPLES
SAMPLE_SCHEMAS = {"det": "det", "sem_seg_bm": "sem_seg", "box_track": "box_track", "pose": "pose"}
SAMPLE_HEADLINES: dict[str, list[list[str | int]]] = {
    "det": [["AP", -1, "OVERALL"]],
    "sem_seg": [["IoU", -1, "AVERAGE"]],
    "box_track": [["mMOTA"], ["mIDF1"], ["IDSw", -1, "OVERALL"]],
    "pose": [["AP", 0, "OVERALL"]],
}


def roundtrip(doc: object) -> object:
    """What the bot sees: the document written like the evaluator, then parsed."""
    return parse_json(dumps_scores(doc).encode("utf-8"))


def example(schema_name: str, seed: int = 0) -> dict[str, Any]:
    return make_scores(schema_name, HEADLINES[schema_name][0], seed)


def only_problem(doc: object, schema_name: str) -> ScoresProblem:
    problems = check_scores(doc, schema_name)
    assert len(problems) == 1, problems
    return problems[0]


# --- the schema files -------------------------------------------------------------------------


def test_schema_names_match_the_schema_files() -> None:
    files = {path.stem for path in (schemas_dir() / "scores").glob("*.json")}
    assert files == set(SCHEMA_NAMES)


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_is_a_valid_draft_2020_12_schema(name: str) -> None:
    schema = load_schema(f"scores/{name}.json")
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == f"https://github.com/zoo-review/zoo-review/schemas/scores/{name}.json"
    assert schema["title"]
    assert schema["description"]


def test_seg_track_has_the_content_of_box_track() -> None:
    def content(name: str) -> dict[str, Any]:
        schema = dict(load_schema(f"scores/{name}.json"))
        for key in ("$id", "title", "description"):
            schema.pop(key)
        return schema

    assert content("seg_track") == content("box_track")


# --- make_scores ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", SCHEMA_NAMES)
@pytest.mark.parametrize("seed", [0, 1, 7])
def test_schema_accepts_a_make_scores_document(name: str, seed: int) -> None:
    assert check_scores(roundtrip(example(name, seed)), name) == []


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_make_scores_places_the_headline_where_lookup_finds_it(name: str) -> None:
    headline, paths = HEADLINES[name]
    doc = roundtrip(example(name))
    assert [lookup(doc, path) for path in paths] == list(headline.values())


def test_make_scores_is_deterministic_per_seed() -> None:
    assert dumps_scores(example("det", 3)) == dumps_scores(example("det", 3))
    assert dumps_scores(example("det", 3)) != dumps_scores(example("det", 4))


def test_make_scores_writes_nan_per_class_values_like_the_evaluator() -> None:
    text = dumps_scores(example("det"))
    assert ": NaN" in text
    assert text.startswith('{\n  "AP": [\n    {\n')


def test_make_scores_spreads_a_count_headline_over_the_classes() -> None:
    leaves, groups, summary = example("box_track")["IDSw"]
    assert sum(leaves.values()) == sum(groups.values()) == summary["OVERALL"] == 6193
    assert summary["AVERAGE"] == 6193


def test_make_scores_rejects_unknown_names() -> None:
    with pytest.raises(ValueError, match="unknown scores schema"):
        make_scores("mot", {})
    with pytest.raises(ValueError, match="'mAP'"):
        make_scores("det", {"mAP": 30.0})


# --- rejections -------------------------------------------------------------------------------


def test_rejects_a_missing_metric() -> None:
    doc = example("det")
    del doc["AP50"]
    problem = only_problem(roundtrip(doc), "det")
    assert problem.kind == "schema"
    assert problem.message == "missing key 'AP50'"
    assert problem.json_path == "$"
    assert problem.hint


def test_rejects_a_missing_class_with_its_json_path() -> None:
    doc = example("det")
    del doc["APm"][0]["traffic light"]
    problem = only_problem(roundtrip(doc), "det")
    assert problem.message == "missing key 'traffic light'"
    assert problem.json_path == "$.APm[0]"


def test_requires_the_lowercase_super_classes() -> None:
    doc = example("box_track")
    groups = doc["MOTA"][1]
    groups["Human"] = groups.pop("human")
    problem = only_problem(roundtrip(doc), "box_track")
    assert problem.message == "missing key 'human'"
    assert problem.json_path == "$.MOTA[1]"


def test_rejects_a_number_written_as_a_string() -> None:
    doc = example("det")
    doc["AP"][1]["OVERALL"] = "34.0"
    problem = only_problem(roundtrip(doc), "det")
    assert plain(problem.message) == "expected a number, found a string (`34.0`)"
    assert problem.json_path == "$.AP[1].OVERALL"


def test_a_boolean_is_not_a_number() -> None:
    doc = example("tagging")
    doc["recall"] = True
    assert only_problem(roundtrip(doc), "tagging").message == (
        "expected a number, found a boolean (true)"
    )


@pytest.mark.parametrize(
    ("name", "headline", "path"),
    [
        ("det", {"AP": NAN}, "$.AP[1].OVERALL"),
        ("ins_seg", {"AP": NAN}, "$.AP[1].OVERALL"),
        ("sem_seg", {"IoU": NAN}, "$.IoU[1].AVERAGE"),
        ("drivable", {"IoU": NAN}, "$.IoU[1].AVERAGE"),
        ("pan_seg", {"PQ": NAN}, "$.PQ[2].OVERALL"),
        ("box_track", {"mMOTA": NAN}, "$.mMOTA"),
        ("seg_track", {"mIDF1": NAN}, "$.mIDF1"),
        ("box_track", {"IDSw": NAN}, "$.IDSw[2].OVERALL"),
        ("pose", {"AP": NAN}, "$.AP[0].OVERALL"),
        ("tagging", {"accuracy_top-1": NAN}, "$['accuracy_top-1']"),
        ("sem_seg", {"fIoU": NAN}, "$.fIoU"),
        ("tagging", {"f1_score": NAN}, "$.f1_score"),
    ],
)
def test_rejects_a_nan_headline(name: str, headline: dict[str, float], path: str) -> None:
    problem = only_problem(roundtrip(make_scores(name, headline)), name)
    assert problem.message.startswith("headline value is NaN; the evaluator writes a finite")
    assert "looks broken" in problem.message
    assert problem.json_path == path


@pytest.mark.parametrize(
    ("name", "headline"),
    [("det", {"AP": -INF}), ("tagging", {"accuracy_top-1": -INF}), ("box_track", {"mMOTA": -INF})],
)
def test_rejects_minus_infinity_in_a_headline_with_one_message(
    name: str, headline: dict[str, float]
) -> None:
    problem = only_problem(roundtrip(make_scores(name, headline)), name)
    assert problem.message.startswith("headline value is -Infinity")


def test_rejects_infinity_in_a_per_class_percentage() -> None:
    doc = example("det")
    doc["AP"][0]["car"] = -INF
    doc["AR1"][0]["car"] = INF
    problems = check_scores(roundtrip(doc), "det")
    assert [(p.json_path, p.message) for p in problems] == [
        ("$.AP[0].car", "value -Infinity is below 0"),
        ("$.AR1[0].car", "value Infinity is above 100"),
    ]


def test_rejects_percentages_out_of_range() -> None:
    doc = example("sem_seg")
    doc["Acc"][0]["road"] = -3.0
    doc["pAcc"] = 100.5
    problems = check_scores(roundtrip(doc), "sem_seg")
    assert [(p.json_path, p.message) for p in problems] == [
        ("$.Acc[0].road", "value -3.0 is below 0"),
        ("$.pAcc", "value 100.5 is above 100"),
    ]


def test_rejects_mota_above_100() -> None:
    doc = example("box_track")
    doc["MOTA"][0]["car"] = 100.5
    assert only_problem(roundtrip(doc), "box_track").message == "value 100.5 is above 100"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "value -1 is below 0"),
        (3.5, "expected a whole number, found a number (3.5)"),
        (NAN, "expected a whole number, found NaN"),
    ],
)
def test_counts_are_non_negative_integers(value: float, message: str) -> None:
    doc = example("box_track")
    doc["FP"][0]["car"] = value
    problem = only_problem(roundtrip(doc), "box_track")
    assert (problem.json_path, problem.message) == ("$.FP[0].car", message)


def test_rejects_a_list_of_the_wrong_length() -> None:
    doc = example("det")
    doc["AR10"].append({"OVERALL": 1.0})
    problem = only_problem(roundtrip(doc), "det")
    assert problem.message == "expected a list of exactly 2 dicts, found 3"
    assert problem.json_path == "$.AR10"


def test_summary_dicts_are_closed() -> None:
    doc = example("det")
    doc["AP"][1]["AVERAGE"] = 30.0
    problem = only_problem(roundtrip(doc), "det")
    assert plain(problem.message) == "unexpected key `AVERAGE`"
    assert problem.json_path == "$.AP[1]"


def test_rejects_an_unexpected_metric() -> None:
    doc = example("pose")
    doc["APs"] = doc["APm"]
    problem = only_problem(roundtrip(doc), "pose")
    assert (problem.json_path, plain(problem.message)) == ("$", "unexpected key `APs`")


def test_rejects_a_top_level_list() -> None:
    problem = only_problem([], "det")
    assert problem.message == "expected an object, found a list of 0 entries"


def test_rejects_the_double_encoded_string_form() -> None:
    text = dumps_scores(json.dumps(example("det"), allow_nan=True))
    problem = only_problem(parse_json(text.encode()), "det")
    assert problem.kind == "double_encoded"
    assert "double-encoded" in problem.message
    assert "JSON string containing JSON" in problem.message
    assert problem.hint is not None
    assert "json.dump(result, f)" in problem.hint


def test_a_plain_top_level_string_is_a_schema_error() -> None:
    problem = only_problem("34.03", "det")
    assert problem.kind == "schema"
    assert plain(problem.message) == "expected an object, found a string (`34.03`)"


def test_rejects_the_obsolete_format_with_ap_50_keys() -> None:
    doc = {"AP": [{"car": 0.4}, {"OVERALL": 0.34}], "AP_50": 0.55, "AR_max_1": 0.23}
    problem = only_problem(roundtrip(doc), "det")
    assert problem.kind == "obsolete_format"
    assert "obsolete flat 0-1 format written by BDD100K's toolkit before Aug 2021" in (
        problem.message
    )
    assert problem.hint is not None
    assert "python -m bdd100k.eval.run" in problem.hint
    assert "--out-file" in problem.hint


def test_rejects_a_flat_det_dict_as_the_obsolete_format() -> None:
    flat = {"AP": 0.3403, "AP50": 0.5532, "AP75": 0.3494, "APs": 0.2092}
    assert only_problem(roundtrip(flat), "det").kind == "obsolete_format"


def test_rejects_tagging_fractions() -> None:
    doc = {name: value / 100 for name, value in example("tagging").items()}
    problem = only_problem(roundtrip(doc), "tagging")
    assert problem.kind == "obsolete_format"
    assert "0-1 fractions" in problem.message
    assert "percent" in problem.message


def test_pan_seg_accepts_num_instead_of_n_but_needs_one() -> None:
    doc = example("pan_seg")
    doc["NUM"] = doc.pop("N")
    assert check_scores(roundtrip(doc), "pan_seg") == []
    del doc["NUM"]
    assert only_problem(roundtrip(doc), "pan_seg").message == "missing key 'N' or 'NUM'"


def test_pan_seg_needs_stuff_and_thing() -> None:
    doc = example("pan_seg")
    del doc["SQ"][1]["THING"]
    problem = only_problem(roundtrip(doc), "pan_seg")
    assert (problem.json_path, problem.message) == ("$.SQ[1]", "missing key 'THING'")


def test_problems_are_sorted_by_path_and_capped() -> None:
    doc = example("det")
    for metric in ("ARl", "AP", "AR1", "APs"):
        for name in ("car", "bus", "truck"):
            doc[metric][0][name] = "x"
    problems = check_scores(roundtrip(doc), "det")
    assert len(problems) == MAX_PROBLEMS
    assert [problem.json_path for problem in problems[:-1]] == [
        "$.AP[0].bus",
        "$.AP[0].car",
        "$.AP[0].truck",
        "$.APs[0].bus",
        "$.APs[0].car",
        "$.APs[0].truck",
        "$.AR1[0].bus",
    ][: MAX_PROBLEMS - 1]
    assert problems[-1].message == f"… and {12 - (MAX_PROBLEMS - 1)} more problems in the file."


def test_unknown_schema_name() -> None:
    with pytest.raises(ValueError, match="unknown scores schema"):
        check_scores({}, "mot")
    with pytest.raises(ValueError, match="invalid"):
        check_scores({}, "../config.schema")


# --- acceptance of real evaluator quirks ------------------------------------------------------


@pytest.mark.parametrize("value", [NAN, -INF, -420.0])
@pytest.mark.parametrize("name", ["box_track", "seg_track"])
def test_accepts_odd_per_class_mota(name: str, value: float) -> None:
    doc = example(name)
    doc["MOTA"][0]["motorcycle"] = value
    doc["MOTA"][1]["bike"] = value
    assert check_scores(roundtrip(doc), name) == []


def test_accepts_nan_in_pose_apl_overall() -> None:
    doc = make_scores("pose", {"AP": 14.06, "APl": NAN, "ARl": NAN})
    assert check_scores(roundtrip(doc), "pose") == []


def test_accepts_nan_in_a_summary_that_is_not_a_headline() -> None:
    doc = example("det")
    doc["APl"][1]["OVERALL"] = NAN
    assert check_scores(roundtrip(doc), "det") == []


def test_accepts_nan_per_class_values() -> None:
    doc = example("sem_seg")
    doc["IoU"][0]["train"] = NAN
    assert check_scores(roundtrip(doc), "sem_seg") == []


# --- lookup -----------------------------------------------------------------------------------


def test_lookup() -> None:
    doc = {"AP": [{"car": 1}, {"OVERALL": 34.03}], "flag": True, "name": "x", "top-1": 81}
    assert lookup(doc, ["AP", -1, "OVERALL"]) == 34.03
    assert lookup(doc, ["AP", 0, "car"]) == 1
    assert lookup(doc, ["top-1"]) == 81
    assert lookup(doc, ["AP", -3]) is None
    assert lookup(doc, ["AP", 2]) is None
    assert lookup(doc, ["AP", "0"]) is None
    assert lookup(doc, ["AP", True]) is None
    assert lookup(doc, ["AP"]) is None
    assert lookup(doc, ["flag"]) is None
    assert lookup(doc, ["name"]) is None
    assert lookup(doc, ["missing", 0]) is None
    assert lookup([1.5], [0]) == 1.5
    assert lookup("AP", [0]) is None
    nan = lookup({"a": NAN}, ["a"])
    assert nan is not None
    assert math.isnan(nan)


# --- real evaluator output --------------------------------------------------------------------


@pytest.mark.parametrize("stem", sorted(SAMPLE_SCHEMAS))
def test_real_evaluator_output_is_accepted(stem: str) -> None:
    path = SAMPLES / f"{stem}.json"
    if not path.is_file():
        pytest.skip(f"{path} is not available")
    schema_name = SAMPLE_SCHEMAS[stem]
    doc = parse_json(path.read_bytes())
    assert check_scores(doc, schema_name) == []
    for key in SAMPLE_HEADLINES[schema_name]:
        value = lookup(doc, key)
        assert value is not None
        assert math.isfinite(value)
