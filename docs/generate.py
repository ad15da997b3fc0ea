#!/usr/bin/env python3
"""Writes the generated parts of the docs from their sources, so that they cannot drift.

    python docs/generate.py            # rewrite every generated part of docs/*.md
    python docs/generate.py --check    # exit 1, naming the pages, if one is not current

A generated part of a page lies between two HTML comments that name what it is made of:

    <!-- generated: config-reference (python docs/generate.py; do not edit by hand) -->
    ...
    <!-- end of generated: config-reference -->

- `config-reference`: every key of schemas/config.schema.json, with its type, its default (the
  value bot/default-config.yml sets, else the schema's `default`: what a config that leaves the
  key out gets) and its description;
- `report-fields`: every field of schemas/report.schema.json, with its type and description;
- `include PATH`: the file PATH of this repository, verbatim, in a fenced block.

tests/test_docs.py fails when a page is not what this script writes.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
CONFIG_SCHEMA = ROOT / "schemas" / "config.schema.json"
REPORT_SCHEMA = ROOT / "schemas" / "report.schema.json"
DEFAULT_CONFIG = ROOT / "bot" / "default-config.yml"

_PART = re.compile(
    r"(?P<begin><!-- generated: (?P<name>[^()\n]+?) \(python docs/generate\.py; do not edit "
    r"by hand\) -->\n)(?P<body>.*?)(?P<end><!-- end of generated: (?P=name) -->)",
    re.DOTALL,
)
# Defaults longer than this are described ("15 items") rather than written out.
_SHORT = 100
_FENCES = {".yml": "yaml", ".yaml": "yaml", ".json": "json", ".py": "python", ".toml": "toml"}


@dataclass(frozen=True)
class Key:
    """One key of a schema, flattened: its dotted path, its schema and whether it is required."""

    path: str
    schema: Mapping[str, Any]
    required: bool


def keys(schema: Mapping[str, Any], root: Mapping[str, Any], prefix: str = "") -> Iterator[Key]:
    """Every key below `schema` in document order, `$ref`s followed, lists as `name[]` and
    mappings of names as `name.<name>`."""
    schema = resolve(schema, root)
    required = set(schema.get("required", ()))
    for name, sub in schema.get("properties", {}).items():
        path = f"{prefix}.{name}" if prefix else name
        yield Key(path, resolve(sub, root), name in required)
        yield from children(resolve(sub, root), root, path)


def children(schema: Mapping[str, Any], root: Mapping[str, Any], path: str) -> Iterator[Key]:
    if "properties" in schema:
        yield from keys(schema, root, path)
    items = schema.get("items")
    if isinstance(items, Mapping) and "properties" in resolve(items, root):
        yield from keys(items, root, f"{path}[]")
    extra = schema.get("additionalProperties")
    if isinstance(extra, Mapping):
        yield Key(f"{path}.<name>", resolve(extra, root), False)
        yield from keys(extra, root, f"{path}.<name>")
    for option in schema.get("oneOf", ()):
        if "properties" in resolve(option, root):
            yield from keys(option, root, path)


def resolve(schema: Mapping[str, Any], root: Mapping[str, Any]) -> Mapping[str, Any]:
    """The schema a local `$ref` points to (its own keywords, e.g. a description, win)."""
    ref = schema.get("$ref")
    if not isinstance(ref, str):
        return schema
    target: Any = root
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    merged = {**resolve(target, root), **schema}
    del merged["$ref"]
    return merged


def type_of(schema: Mapping[str, Any], root: Mapping[str, Any]) -> str:
    """A short human reading of a schema's type and bounds, e.g. `integer, 1 to 256`."""
    schema = resolve(schema, root)
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    if "enum" in schema:
        return "one of " + ", ".join(f"`{value}`" for value in schema["enum"])
    if "oneOf" in schema:
        return " or ".join(type_of(option, root) for option in schema["oneOf"])
    kinds = schema.get("type", "any")
    if isinstance(kinds, list):
        return " or ".join(_type_name(kind, schema, root) for kind in kinds)
    return _type_name(kinds, schema, root)


def _type_name(kind: str, schema: Mapping[str, Any], root: Mapping[str, Any]) -> str:
    if kind == "array":
        items = schema.get("items")
        if not isinstance(items, Mapping):
            return "list"
        inner = resolve(items, root)
        if "properties" in inner:
            return "list of mappings"
        return f"list of {_plural(type_of(inner, root))}"
    if kind == "object":
        return (
            "mapping of names"
            if "additionalProperties" in schema and not (schema.get("properties"))
            else "mapping"
        )
    if kind in ("integer", "number"):
        return kind + _bounds(schema)
    if kind == "string":
        pattern = schema.get("pattern")
        return "string" if pattern is None else f"string matching `{pattern}`"
    return kind


def _plural(text: str) -> str:
    return re.sub(r"\b(string|integer|number|boolean)\b", r"\1s", text)


def _bounds(schema: Mapping[str, Any]) -> str:
    low = schema.get("minimum")
    above = schema.get("exclusiveMinimum")
    high = schema.get("maximum")
    if low is not None and high is not None:
        return f" from {low:,} to {high:,}"
    parts = []
    if low is not None:
        parts.append(f"≥ {low:,}")
    if above is not None:
        parts.append(f"> {above:,}")
    if high is not None:
        parts.append(f"≤ {high:,}")
    return " " + ", ".join(parts) if parts else ""


def default_of(path: str, schema: Mapping[str, Any], bundled: Mapping[str, Any]) -> str:
    """The default of a key: what bot/default-config.yml sets (for keys outside lists and name
    mappings), else the schema's `default`, else a dash."""
    if "[]" not in path and "<name>" not in path:
        value: Any = bundled
        for part in path.split("."):
            if not isinstance(value, Mapping) or part not in value:
                break
            value = value[part]
        else:
            return _show(value)
    if "default" in schema:
        return _show(schema["default"])
    return "–"


def _show(value: Any) -> str:
    if isinstance(value, Mapping):
        names = ", ".join(f"`{name}`" for name in value)
        return f"{len(value)}: {names}" if len(names) <= 120 else f"{len(value)} entries"
    text = json.dumps(value, ensure_ascii=False)
    if len(text) <= _SHORT:
        return f"`{text}`"
    if isinstance(value, list):
        return f"{len(value)} items (bot/default-config.yml)"
    return f"`{text[: _SHORT - 1]}…`"


def cell(text: str) -> str:
    """Text for a Markdown table cell: pipes escaped, on one line."""
    return " ".join(text.split()).replace("|", "\\|")


def config_reference() -> str:
    """The configuration's keys, one table per top-level key, with defaults."""
    schema = json.loads(CONFIG_SCHEMA.read_text(encoding="utf-8"))
    bundled = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    out: list[str] = []
    for name, sub in schema["properties"].items():
        top = resolve(sub, schema)
        about = cell(top.get("description", ""))
        if "properties" not in top:  # a list or a mapping of names: say its type and default
            default = default_of(name, top, bundled)
            about += f" Type: {type_of(top, schema)}; default: {default.replace('–', 'none')}."
        out += [f"### `{name}`", "", about, ""]
        rows = list(children(top, schema, name))
        if rows:
            out += ["| key | type | default | meaning |", "| --- | --- | --- | --- |"]
        for key in rows:
            meaning = cell(key.schema.get("description", ""))
            if key.required and ("[]" in key.path or "<name>" in key.path):
                meaning += " Required."
            out.append(
                f"| `{key.path}` | {cell(type_of(key.schema, schema))} | "
                f"{cell(default_of(key.path, key.schema, bundled))} | {meaning} |"
            )
        if rows:
            out.append("")
    return "\n".join(out)


def report_fields() -> str:
    """The JSON report's fields, one table, with their types and meaning."""
    schema = json.loads(REPORT_SCHEMA.read_text(encoding="utf-8"))
    out = ["| field | type | always there | meaning |", "| --- | --- | --- | --- |"]
    for key in keys(schema, schema):
        meaning = cell(key.schema.get("description", ""))
        always = "yes" if key.required else "no"
        out.append(f"| `{key.path}` | {cell(type_of(key.schema, schema))} | {always} | {meaning} |")
    return "\n".join(out) + "\n"


def include(relative: str) -> str:
    """A file of this repository, verbatim, in a fenced block of its language."""
    path = ROOT / relative
    text = path.read_text(encoding="utf-8")
    fence = "````" if "```" in text else "```"
    return f"{fence}{_FENCES.get(path.suffix, 'text')}\n{text}{fence}\n"


GENERATORS: dict[str, Callable[[str], str]] = {
    "config-reference": lambda _argument: config_reference(),
    "report-fields": lambda _argument: report_fields(),
    "include": include,
}


def render(page: str) -> str:
    """The page with every generated part written anew."""

    def write(match: re.Match[str]) -> str:
        command, _, argument = match.group("name").partition(" ")
        generator = GENERATORS.get(command)
        if generator is None:
            raise SystemExit(f"unknown generated part {match.group('name')!r}")
        return match.group("begin") + generator(argument) + match.group("end")

    return _PART.sub(write, page)


def pages() -> list[Path]:
    return sorted(DOCS.glob("*.md"))


def stale() -> list[Path]:
    """The pages whose generated parts are not what this script writes."""
    return [page for page in pages() if render(read(page)) != read(page)]


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="only say which pages are stale")
    args = parser.parse_args(argv)
    if args.check:
        old = stale()
        for page in old:
            print(f"{page.relative_to(ROOT)} is not current: run python docs/generate.py")
        return 1 if old else 0
    for page in pages():
        text = read(page)
        new = render(text)
        if new != text:
            page.write_text(new, encoding="utf-8")
            print(f"wrote {page.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
