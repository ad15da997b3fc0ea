"""Locates the files shipped with zoo-review: JSON Schemas and the bundled default config."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

_PACKAGE_DIR = Path(__file__).resolve().parent


def schemas_dir() -> Path:
    """The `schemas/` folder: inside the wheel as `bot/_schemas`, in a checkout at the top level."""
    for candidate in (_PACKAGE_DIR / "_schemas", _PACKAGE_DIR.parent / "schemas"):
        if (candidate / "config.schema.json").is_file():
            return candidate
    raise FileNotFoundError(
        "zoo-review's schemas/ folder is missing from this installation; reinstall with "
        "`pip install --force-reinstall zoo-review`"
    )


@cache
def load_schema(relative: str) -> dict[str, Any]:
    """Load a JSON Schema by its path relative to `schemas/`, e.g. `scores/det.json`."""
    path = schemas_dir() / relative
    with path.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def default_config_path() -> Path:
    """The bundled default catalog of the BDD100K model zoo."""
    return _PACKAGE_DIR / "default-config.yml"


def default_record_path(path: Path) -> Path:
    """Where the test suite records the default config at `path` once it has validated it."""
    return path.with_name(path.stem + ".recorded.json")


def recorded_default_config(path: Path, data: bytes) -> dict[str, Any] | None:
    """The config `data` (read from `path`) holds, as the test suite validated and recorded it
    (`default_record_path`), or None when `data` is not the recorded file (an edited or damaged
    installation), which must then be parsed and validated."""
    try:
        with default_record_path(path).open(encoding="utf-8") as handle:
            record = json.load(handle)
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("sha256") != hashlib.sha256(data).hexdigest():
        return None
    config = record.get("config")
    return config if isinstance(config, dict) else None
