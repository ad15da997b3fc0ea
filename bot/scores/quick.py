"""A quick "valid" for scores files: their schema compiled to plain checks; jsonschema explains
whatever these do not accept.

jsonschema spends about 2.7 ms on a det scores file (its generic walk evolves a validator at
every node); the compiled checks take about 0.12 ms. They cover the keywords the
scores schemas use; a schema with any other keyword gets no quick check. They decide validity
exactly as jsonschema's Draft 2020-12 validator does (tests/test_scores_quick.py compares both
on every shipped schema), and a "no" is never final: the caller then asks jsonschema, whose
errors name what is wrong.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]
"""True when the document is valid; False when jsonschema must look."""

# Keywords that never fail a document, and those compiled below: a schema with any other has
# no quick check.
_ANNOTATIONS = {"$schema", "$id", "$comment", "$defs", "title", "description", "default"}
_OBJECT = {"required", "properties", "additionalProperties"}
_ARRAY = {"prefixItems", "items", "minItems", "maxItems"}
_NUMBER = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"}
_KEYWORDS = frozenset(
    _ANNOTATIONS | _OBJECT | _ARRAY | _NUMBER | {"type", "format", "allOf", "anyOf"}
)


class _Unsupported(Exception):
    """The schema uses a keyword (or a shape) the quick checks do not cover."""


def compile_schema(schema: Any, formats: Mapping[str, Callable[[Any], bool]]) -> Check | None:
    """The quick check of `schema` (its `$ref`s inlined), or None when it cannot have one.
    `formats` are the format checks jsonschema runs; other formats are annotations."""
    try:
        return _compile(schema, formats)
    except _Unsupported:
        return None


def _compile(schema: Any, formats: Mapping[str, Callable[[Any], bool]]) -> Check:
    if schema is True:
        return _always
    if schema is False:
        return _never
    if not isinstance(schema, dict) or not schema.keys() <= _KEYWORDS:
        raise _Unsupported
    checks: list[Check] = []
    if "type" in schema:
        checks.append(_type(schema["type"]))
    if _OBJECT & schema.keys():
        checks.append(_object(schema, formats))
    if _ARRAY & schema.keys():
        checks.append(_array(schema, formats))
    if _NUMBER & schema.keys():
        checks.append(_number(schema))
    fmt = schema.get("format")
    if isinstance(fmt, str) and fmt in formats:
        checks.append(formats[fmt])
    for keyword, combine in (("allOf", _every), ("anyOf", _some)):
        if keyword in schema:
            subschemas = schema[keyword]
            if not isinstance(subschemas, list) or not subschemas:
                raise _Unsupported
            parts = [_compile(sub, formats) for sub in subschemas]
            checks.append(combine(parts))
    return _every(checks)


def _always(instance: Any) -> bool:
    return True


def _never(instance: Any) -> bool:
    return False


# A check runs for every value of every scores file, so its combinations are plain loops:
# `all()` over a generator cost about 40% of a det file's quick check.
def _every(checks: list[Check]) -> Check:
    """True when every check is (True for none)."""
    if not checks:
        return _always
    if len(checks) == 1:
        return checks[0]
    if len(checks) == 2:
        first, second = checks
        return lambda instance: first(instance) and second(instance)

    def every(instance: Any) -> bool:
        for check in checks:  # noqa: SIM110 - a loop, not all() over a generator
            if not check(instance):
                return False
        return True

    return every


def _some(checks: list[Check]) -> Check:
    """True when one check is (False for none)."""
    if len(checks) == 1:
        return checks[0]

    def some(instance: Any) -> bool:
        for check in checks:  # noqa: SIM110 - a loop, not any() over a generator
            if check(instance):
                return True
        return False

    return some


def _is_number(instance: Any) -> bool:
    return isinstance(instance, int | float) and not isinstance(instance, bool)


_TYPES: dict[str, Check] = {
    "object": lambda instance: isinstance(instance, dict),
    "array": lambda instance: isinstance(instance, list),
    "string": lambda instance: isinstance(instance, str),
    "boolean": lambda instance: isinstance(instance, bool),
    "null": lambda instance: instance is None,
    "number": _is_number,
    "integer": lambda instance: (
        (isinstance(instance, int) and not isinstance(instance, bool))
        or (isinstance(instance, float) and instance.is_integer())
    ),
}


def _type(wanted: Any) -> Check:
    names = [wanted] if isinstance(wanted, str) else wanted
    if not isinstance(names, list) or not names or not all(name in _TYPES for name in names):
        raise _Unsupported
    return _some([_TYPES[name] for name in names])


def _object(schema: dict[str, Any], formats: Mapping[str, Callable[[Any], bool]]) -> Check:
    required = schema.get("required", [])
    properties = schema.get("properties", {})
    additional = schema.get("additionalProperties", True)
    if not isinstance(required, list) or not all(isinstance(key, str) for key in required):
        raise _Unsupported
    if not isinstance(properties, dict):
        raise _Unsupported
    known = {key: _compile(sub, formats) for key, sub in properties.items()}
    rest = _compile(additional, formats)
    any_rest = additional is True

    def check(instance: Any) -> bool:
        if not isinstance(instance, dict):
            return True
        for key in required:
            if key not in instance:
                return False
        for key, value in instance.items():
            sub = known.get(key)
            if sub is not None:
                if not sub(value):
                    return False
            elif not any_rest and not rest(value):
                return False
        return True

    return check


def _array(schema: dict[str, Any], formats: Mapping[str, Callable[[Any], bool]]) -> Check:
    prefix = [_compile(sub, formats) for sub in schema.get("prefixItems", [])]
    items = _compile(schema["items"], formats) if "items" in schema else None
    min_items = schema.get("minItems", 0)
    max_items = schema.get("maxItems", math.inf)
    if not all(_is_number(bound) for bound in (min_items, max_items)):
        raise _Unsupported
    count = len(prefix)

    def check(instance: Any) -> bool:
        if not isinstance(instance, list):
            return True
        if not min_items <= len(instance) <= max_items:
            return False
        for part, item in zip(prefix, instance, strict=False):
            if not part(item):
                return False
        if items is not None:
            for item in instance[count:]:
                if not items(item):
                    return False
        return True

    return check


def _number(schema: dict[str, Any]) -> Check:
    bounds = [
        schema.get(key) for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
    ]
    if not all(bound is None or _is_number(bound) for bound in bounds):
        raise _Unsupported
    low, high, low_open, high_open = bounds

    def check(instance: Any) -> bool:
        # As jsonschema: a comparison that is false (NaN) is no error.
        if not _is_number(instance):
            return True
        return not (
            (low is not None and instance < low)
            or (high is not None and instance > high)
            or (low_open is not None and instance <= low_open)
            or (high_open is not None and instance >= high_open)
        )

    return check
