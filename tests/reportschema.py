"""Every JSON report the tests produce is checked against schemas/report.schema.json."""

from __future__ import annotations

from typing import Any

import jsonschema

from bot.resources import load_schema


def check_report(data: Any) -> None:
    """Raise with the JSON path of the first mismatch if `data` is not a valid report."""
    schema = load_schema("report.schema.json")
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(schema).iter_errors(data)
    )
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(top)"
        raise AssertionError(
            f"the JSON report does not match schemas/report.schema.json at {where}: "
            f"{error.message}. If the report gained a key on purpose, document it in the schema."
        )
