"""Builds scores documents in the exact shape BDD100K's evaluator writes, for tests and examples."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Iterable, Mapping, Sequence
from itertools import pairwise
from typing import Any

NAN = float("nan")

DET_CLASSES = (
    "pedestrian",
    "rider",
    "car",
    "truck",
    "bus",
    "train",
    "motorcycle",
    "bicycle",
    "traffic light",
    "traffic sign",
)
TRACK_CLASSES = DET_CLASSES[:8]
"""The leaf classes of ins_seg, box_track (mot) and seg_track (mots)."""
TRACK_GROUPS = {
    "human": ("pedestrian", "rider"),
    "vehicle": ("car", "truck", "bus", "train"),
    "bike": ("motorcycle", "bicycle"),
}
SEM_SEG_CLASSES = (
    "road",
    "sidewalk",
    "building",
    "wall",
    "fence",
    "pole",
    "traffic light",
    "traffic sign",
    "vegetation",
    "terrain",
    "sky",
    "person",
    "rider",
    "car",
    "truck",
    "bus",
    "train",
    "motorcycle",
    "bicycle",
)
DRIVABLE_CLASSES = ("direct", "alternative")
PAN_SEG_STUFF = (
    "dynamic",
    "ego vehicle",
    "ground",
    "static",
    "parking",
    "rail track",
    "road",
    "sidewalk",
    "bridge",
    "building",
    "fence",
    "garage",
    "guard rail",
    "tunnel",
    "wall",
    "banner",
    "billboard",
    "lane divider",
    "parking sign",
    "pole",
    "polegroup",
    "street light",
    "traffic cone",
    "traffic device",
    "traffic light",
    "traffic sign",
    "traffic sign frame",
    "terrain",
    "vegetation",
    "sky",
)
PAN_SEG_THING = (
    "person",
    "rider",
    "bicycle",
    "bus",
    "car",
    "caravan",
    "motorcycle",
    "trailer",
    "train",
    "truck",
)
COCO_METRICS = (
    "AP",
    "AP50",
    "AP75",
    "APs",
    "APm",
    "APl",
    "AR1",
    "AR10",
    "AR100",
    "ARs",
    "ARm",
    "ARl",
)
POSE_METRICS = ("AP", "AP50", "AP75", "APm", "APl", "AR", "AR50", "AR75", "ARm", "ARl")
TAGGING_METRICS = ("accuracy_top-1", "accuracy_top-5", "precision", "recall", "f1_score")
TRACK_PERCENT_METRICS = ("MOTA", "MOTP", "IDF1")
TRACK_COUNT_METRICS = ("FP", "FN", "IDSw", "MT", "PT", "ML", "FM")


def make_scores(schema_name: str, headline: Mapping[str, float], seed: int = 0) -> dict[str, Any]:
    """A scores document shaped exactly like the evaluator's output for `schema_name`.

    `headline` maps top-level metric names to the value to place where the README reads it:
    `{"AP": 34.03}` puts 34.03 at AP[-1].OVERALL (AVERAGE for sem_seg and drivable); plain
    numbers such as mMOTA or accuracy_top-1 are set directly; for box_track and seg_track
    `{"IDSw": 6193}` sets IDSw[-1].OVERALL and spreads the total over the classes. Every other
    value is pseudo-random from `seed`, with a few NaN per-class values like the real files.
    Raises ValueError for an unknown schema or metric name.
    """
    rng = random.Random(seed)
    builders = {
        "det": lambda: _coco(rng, DET_CLASSES, headline),
        "ins_seg": lambda: _coco(rng, TRACK_CLASSES, headline),
        "sem_seg": lambda: _seg(rng, SEM_SEG_CLASSES, headline),
        "drivable": lambda: _seg(rng, DRIVABLE_CLASSES, headline),
        "pan_seg": lambda: _pan_seg(rng, headline),
        "box_track": lambda: _track(rng, headline),
        "seg_track": lambda: _track(rng, headline),
        "pose": lambda: _pose(rng, headline),
        "tagging": lambda: _tagging(rng, headline),
    }
    if schema_name not in builders:
        raise ValueError(f"unknown scores schema {schema_name!r}; known: {', '.join(builders)}")
    doc = builders[schema_name]()
    unknown = [name for name in headline if name not in doc]
    if unknown:
        raise ValueError(
            f"{schema_name} scores have no metric {', '.join(map(repr, unknown))}; "
            f"known: {', '.join(doc)}"
        )
    return doc


def dumps_scores(doc: object) -> str:
    """The text of a scores file, written the way the evaluator writes it."""
    return json.dumps(doc, indent=2, allow_nan=True)


def _coco(
    rng: random.Random, classes: Sequence[str], headline: Mapping[str, float]
) -> dict[str, Any]:
    """det and ins_seg: [per-class, {OVERALL}]; OVERALL is the mean over classes with values."""
    absent = set(rng.sample(list(classes), 2))
    doc: dict[str, Any] = {}
    for metric in COCO_METRICS:
        wanted = headline.get(metric)
        centre = _centre(rng, wanted)
        leaves = {name: NAN if name in absent else _around(rng, centre) for name in classes}
        overall = _nanmean(leaves.values()) if wanted is None else wanted
        doc[metric] = [leaves, {"OVERALL": overall}]
    return doc


def _seg(
    rng: random.Random, classes: Sequence[str], headline: Mapping[str, float]
) -> dict[str, Any]:
    """sem_seg and drivable: [per-class, {AVERAGE}] plus fIoU and pAcc.

    Like the evaluator, a class missing from the ground truth scores 0.0 and does not count
    towards AVERAGE.
    """
    absent = set(rng.sample(list(classes), len(classes) // 10))
    doc: dict[str, Any] = {}
    for metric in ("IoU", "Acc"):
        wanted = headline.get(metric)
        centre = _centre(rng, wanted)
        leaves = {name: 0.0 if name in absent else _around(rng, centre) for name in classes}
        present = [value for name, value in leaves.items() if name not in absent]
        average = sum(present) / len(present) if wanted is None else wanted
        doc[metric] = [leaves, {"AVERAGE": average}]
    doc["fIoU"] = headline.get("fIoU", rng.uniform(80, 92))
    doc["pAcc"] = headline.get("pAcc", rng.uniform(88, 96))
    return doc


def _pan_seg(rng: random.Random, headline: Mapping[str, float]) -> dict[str, Any]:
    """pan_seg: [per-class, {STUFF, THING}, {OVERALL}] for PQ, SQ, RQ and the class count N.

    Like the evaluator, a class missing from the ground truth scores 0 and is not counted.
    """
    classes = PAN_SEG_STUFF + PAN_SEG_THING
    absent = set(rng.sample(list(classes), 3))
    groups = {"STUFF": PAN_SEG_STUFF, "THING": PAN_SEG_THING}
    doc: dict[str, Any] = {}
    for metric in ("PQ", "SQ", "RQ"):
        wanted = headline.get(metric)
        centre = _centre(rng, wanted)
        leaves = {name: 0.0 if name in absent else _around(rng, centre) for name in classes}
        means = {group: _mean_present(leaves, members, absent) for group, members in groups.items()}
        overall = _mean_present(leaves, classes, absent) if wanted is None else wanted
        doc[metric] = [leaves, means, {"OVERALL": overall}]
    counts = {name: 0 if name in absent else 1 for name in classes}
    doc["N"] = [
        counts,
        {group: sum(counts[name] for name in members) for group, members in groups.items()},
        {"OVERALL": sum(counts.values())},
    ]
    return doc


def _track(rng: random.Random, headline: Mapping[str, float]) -> dict[str, Any]:
    """box_track and seg_track: mMOTA, mMOTP, mIDF1, then lists
    [per-class, {human, vehicle, bike}, {AVERAGE, OVERALL}].

    Like the evaluator, AVERAGE is the per-class sum divided by all eight classes (a class
    without ground truth is NaN and counts as 0), and the m-metrics equal AVERAGE.
    """
    absent = set(rng.sample(["bus", "train", "bicycle"], 2))
    doc: dict[str, Any] = {"mMOTA": 0.0, "mMOTP": 0.0, "mIDF1": 0.0}
    lowest = {"MOTA": -10.0, "MOTP": 60.0, "IDF1": 10.0}
    for metric in TRACK_PERCENT_METRICS:
        mean_name = f"m{metric}"
        wanted = headline.get(mean_name)
        leaves = {
            name: NAN if name in absent else rng.uniform(lowest[metric], 90)
            for name in TRACK_CLASSES
        }
        supers = {
            group: _nanmean(leaves[name] for name in members)
            for group, members in TRACK_GROUPS.items()
        }
        average = _nansum(leaves.values()) / len(leaves) if wanted is None else wanted
        overall = headline.get(metric, rng.uniform(max(lowest[metric], 40), 90))
        doc[mean_name] = average
        doc[metric] = [leaves, supers, {"AVERAGE": average, "OVERALL": overall}]
    for metric in TRACK_COUNT_METRICS:
        present = [name for name in TRACK_CLASSES if name not in absent]
        wanted = headline.get(metric)
        usable = wanted is not None and math.isfinite(wanted) and wanted >= 0
        total = int(wanted) if wanted is not None and usable else rng.randrange(50, 5000)
        counts = dict.fromkeys(TRACK_CLASSES, 0)
        counts.update(zip(present, _split(rng, total, len(present)), strict=True))
        supers_count = {
            group: sum(counts[name] for name in members) for group, members in TRACK_GROUPS.items()
        }
        # A value no evaluator writes (NaN, negative) is placed as given, for tests.
        overall = total if wanted is None or usable else wanted
        doc[metric] = [counts, supers_count, {"AVERAGE": total, "OVERALL": overall}]
    return doc


def _pose(rng: random.Random, headline: Mapping[str, float]) -> dict[str, Any]:
    """pose: one [{OVERALL}] per metric; APl and ARl are NaN, as when no person is large."""
    doc: dict[str, Any] = {}
    for metric in POSE_METRICS:
        default = NAN if metric in ("APl", "ARl") else rng.uniform(10, 60)
        doc[metric] = [{"OVERALL": headline.get(metric, default)}]
    return doc


def _tagging(rng: random.Random, headline: Mapping[str, float]) -> dict[str, Any]:
    """tagging: a flat object of five percentages."""
    top1 = headline.get("accuracy_top-1", rng.uniform(70, 85))
    base = _centre(rng, top1)
    top5 = headline.get("accuracy_top-5", base + (100 - base) * rng.uniform(0.5, 0.95))
    precision = headline.get("precision", rng.uniform(50, 80))
    recall = headline.get("recall", rng.uniform(50, 80))
    f1_score = headline.get("f1_score", 2 * precision * recall / (precision + recall))
    return {
        "accuracy_top-1": top1,
        "accuracy_top-5": top5,
        "precision": precision,
        "recall": recall,
        "f1_score": f1_score,
    }


def _centre(rng: random.Random, wanted: float | None) -> float:
    """Where per-class values cluster: around the headline when it is a usable number."""
    if wanted is not None and math.isfinite(wanted) and 0 <= wanted <= 100:
        return wanted
    return rng.uniform(20, 60)


def _around(rng: random.Random, centre: float) -> float:
    return min(100.0, max(0.0, rng.gauss(centre, 15)))


def _nanmean(values: Iterable[float]) -> float:
    present = [value for value in values if not math.isnan(value)]
    return sum(present) / len(present) if present else NAN


def _nansum(values: Iterable[float]) -> float:
    return sum(value for value in values if not math.isnan(value))


def _mean_present(leaves: Mapping[str, float], members: Sequence[str], absent: set[str]) -> float:
    present = [leaves[name] for name in members if name not in absent]
    return sum(present) / len(present) if present else 0.0


def _split(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` as `parts` non-negative integers that add up to it."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [high - low for low, high in pairwise([0, *cuts, total])]
