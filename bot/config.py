"""Reads the zoo catalog: the bundled default merged with a repository's override, validated."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from difflib import get_close_matches
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, cast

from bot.errors import ConfigError
from bot.model import Severity
from bot.resources import (
    default_config_path,
    default_record_path,
    load_schema,
    recorded_default_config,
)

if TYPE_CHECKING:
    import jsonschema

REPO_CONFIG_PATH = ".github/zoo-review.yml"

LinkKind = Literal["scores", "config", "weights", "md5", "preds", "visuals", "other"]
Split = Literal["val", "test"]


@dataclass(frozen=True)
class LinkSpec:
    """A link a cell must (or may) hold: its kind, label and the file types it may point to."""

    kind: LinkKind
    label: str
    split: Split | None = None
    schema: str | None = None
    ext: tuple[str, ...] = ()
    optional: bool = False
    # Files a .zip must hold (e.g. one mask per validation image); a difference is a warning.
    expect_files: int | None = None
    # File types a .zip is for (e.g. images for visuals); an archive with none is a warning.
    contains: tuple[str, ...] = ()


@dataclass(frozen=True)
class MetricSpec:
    """A number the table shows and where it lives in the scores file of `split`."""

    split: Split
    key: tuple[str | int, ...]
    decimals: int
    scores_label: str = "scores"
    unverified: str | None = None


@dataclass(frozen=True)
class ColumnSpec:
    name: str
    aliases: tuple[str, ...] = ()
    metric: MetricSpec | None = None
    links: tuple[LinkSpec, ...] = ()

    @property
    def descriptive(self) -> bool:
        return self.metric is None and not self.links


# A results header read against a task's columns: the column each header cell names (None: a
# descriptive extra) and the indices of cells read as a misspelled column.
HeaderRead = tuple[tuple[ColumnSpec | None, ...], tuple[int, ...]]


@dataclass(frozen=True)
class GroupSpec:
    name: str
    heading: str


@dataclass(frozen=True)
class TaskSpec:
    name: str
    title: str
    readme: str
    columns: tuple[ColumnSpec, ...]
    configs: str | None = None
    scores_schema: str | None = None
    groups: tuple[GroupSpec, ...] = ()

    @property
    def folder(self) -> str:
        return self.readme.rpartition("/")[0]

    def column(self, header: str) -> ColumnSpec | None:
        return self._columns_by_header.get(normalize_header(header))

    @cached_property
    def header_reads(self) -> dict[tuple[str, ...], HeaderRead]:
        """Headers already read against the columns (bot/rules/layout.py): a README repeats
        its header in every section, and each rule reads it again."""
        return {}

    @cached_property
    def _columns_by_header(self) -> dict[str, ColumnSpec]:
        by_header: dict[str, ColumnSpec] = {}
        for column in reversed(self.columns):
            for name in (column.name, *column.aliases):
                by_header[normalize_header(name)] = column
        return by_header


@dataclass(frozen=True)
class ChecklistSpec:
    text: str
    required: bool = True


@dataclass(frozen=True)
class VenueSpec:
    name: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class VenuePolicy:
    accepted: tuple[VenueSpec, ...]
    not_venues: tuple[str, ...] = ()
    qualifiers: tuple[str, ...] = ()
    workshop_severity: Severity = "warning"
    min_year: int = 1990
    max_years_ahead: int = 1


@dataclass(frozen=True)
class NetworkPolicy:
    """The operator's network limits (see docs/configuration.md)."""

    timeout_seconds: float = 20.0
    budget_seconds: float = 600.0
    per_host: int = 8
    concurrency: int = 32
    retries: int = 3
    max_scores_bytes: int = 8 * 1024 * 1024
    max_preds_bytes: int = 16 * 1024 * 1024
    allow_private_hosts: bool = False
    allowed_networks: tuple[str, ...] = ()
    verify_checksums: bool = False
    checksum_max_bytes: int = 4 * 1024**3
    checksum_seconds: float = 300.0


@dataclass(frozen=True)
class Limits:
    """Caps on what a contribution may hold, far above the real zoo, and the CPU time of its
    review (see README, "Configuration"). Over a cap: an error that names it, and the rest of
    that element is not reviewed."""

    readme_bytes: int = 500_000
    line_chars: int = 20_000
    section_chars: int = 100_000
    sections: int = 200
    table_rows: int = 1_000
    cell_chars: int = 2_000
    body_chars: int = 65_536
    # CPU seconds for parsing and the rules (fetching has network.budget_seconds).
    cpu_seconds: float = 60.0


@dataclass(frozen=True)
class IgnoreSpec:
    """A maintainers' exception: findings it matches (every given pattern) are hidden."""

    reason: str
    rule: str | None = None
    path: str | None = None
    section: str | None = None
    url: str | None = None

    def describe(self) -> str:
        """`rule venue, section 'HRNet'`: the entry as maintainers wrote it."""
        parts = [
            f"{key} {value!r}"
            for key, value in (
                ("rule", self.rule),
                ("path", self.path),
                ("section", self.section),
                ("url", self.url),
            )
            if value is not None
        ]
        return ", ".join(parts)


@dataclass(frozen=True)
class Config:
    zoo_name: str
    tasks: tuple[TaskSpec, ...]
    checklist: tuple[ChecklistSpec, ...]
    venues: VenuePolicy
    network: NetworkPolicy
    limits: Limits = Limits()
    test_format_severity: Severity = "warning"
    placeholders: tuple[str, ...] = ()
    repository: str | None = None
    guide: str | None = None
    source: str = "bundled default"
    ignore: tuple[IgnoreSpec, ...] = ()
    # Base branches whose PRs the Action reviews; empty: the repository's default branch.
    branches: tuple[str, ...] = ()

    def task(self, name: str) -> TaskSpec | None:
        for task in self.tasks:
            if task.name == name:
                return task
        return None

    def task_for_readme(self, path: str) -> TaskSpec | None:
        for task in self.tasks:
            if task.readme == path:
                return task
        return None


def normalize_header(text: str) -> str:
    """Header names compare without case and with runs of white space folded."""
    return " ".join(text.split()).casefold()


def load_config(
    override_text: str | None = None, override_source: str = REPO_CONFIG_PATH
) -> Config:
    """The bundled default, with `override_text` (YAML) merged over it when given.

    An override is always validated (with the default merged in). The bundled default alone is
    validated by the test suite, which records it with its digest (`record_default`): while
    default-config.yml is that file, the record is used as it is (no YAML, no schema); any other
    file (an edited or damaged installation) is parsed and validated here."""
    default_path = default_config_path()
    raw = default_path.read_bytes()
    data = recorded_default_config(default_path, raw)
    trusted = data is not None
    if data is None:
        data = parse_yaml(_utf8(raw, default_path), str(default_path))
    source = "bundled default"
    if override_text is not None:
        override = parse_yaml(override_text, override_source)
        data = merge(data, override)
        source = override_source
        validate(data, source)
    elif not trusted:
        validate(data, source)
    return build(data, source)


def record_default(path: Path | None = None) -> Path:
    """Validate the bundled default and record it for `load_config`; run it after editing
    bot/default-config.yml (the tests say so): `python -c "import bot.config as c;
    c.record_default()"`."""
    path = path or default_config_path()
    raw = path.read_bytes()
    data = parse_yaml(_utf8(raw, path), str(path))
    validate(data, "bundled default")
    record = {"sha256": hashlib.sha256(raw).hexdigest(), "config": data}
    target = default_record_path(path)
    target.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return target


def _utf8(raw: bytes, path: Path) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text ({exc})") from exc


def load_config_file(path: Path) -> Config:
    """Like `load_config`, with the override read from a file the operator named."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc}") from exc
    return load_config(text, str(path))


def parse_yaml(text: str, source: str) -> dict[str, Any]:
    import yaml  # noqa: PLC0415 - only for an override or an unrecorded default (start-up time)

    # libyaml's safe loader when PyYAML was built with it: the same documents, ten times faster.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        data = yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        where = ""
        mark = getattr(exc, "problem_mark", None)
        if mark is not None:
            where = f" at line {mark.line + 1}, column {mark.column + 1}"
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(f"{source}: not valid YAML{where}: {problem}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: the top level must be a mapping of keys, not {_kind(data)}")
    return data


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; lists and plain values replace; a null value removes the key."""
    merged = dict(base)
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def validate(data: Mapping[str, Any], source: str) -> None:
    import jsonschema  # noqa: PLC0415 - only when a config must be validated (start-up time)

    schema = load_schema("config.schema.json")
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda error: list(map(str, error.path)))
    if not errors:
        return
    lines = [f"{_key_path(error.absolute_path)}: {_describe(error)}" for error in errors[:10]]
    if len(errors) > 10:
        lines.append(f"... and {len(errors) - 10} more")
    raise ConfigError(f"{source} is not a valid zoo-review config:\n  " + "\n  ".join(lines))


def _key_path(path: Any) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


def _describe(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        match = re.search(r"^[^(]*\((.*) (?:was|were) unexpected\)", error.message)
        unexpected = match.group(1) if match else error.message
        known = [str(key) for key in error.schema.get("properties", {})]  # type: ignore[union-attr]
        names = (
            [name for name in error.instance if name not in known]
            if isinstance(error.instance, dict)
            else []
        )
        guesses = [(name, get_close_matches(str(name), known, n=1, cutoff=0.75)) for name in names]
        meant = [f"'{name}': did you mean '{found[0]}'?" for name, found in guesses if found]
        if len(names) == 1 and meant:
            return f"unknown key {meant[0]}"
        return f"unknown key {unexpected}; check the spelling against docs/configuration.md"
    if error.validator == "required":
        match = re.match(r"^(.*) is a required property", error.message)
        return f"missing key {match.group(1) if match else error.message}"
    if error.validator == "not" and error.validator_value == {"required": ["metric", "links"]}:
        return "a column is either a metric or a link column, not both"
    return error.message


def _kind(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return type(value).__name__


def build(data: Mapping[str, Any], source: str = "bundled default") -> Config:
    """Turn validated config data into dataclasses."""
    venues = data["venues"]
    network = data.get("network", {})
    zoo = data["zoo"]
    return Config(
        zoo_name=zoo["name"],
        repository=zoo.get("repository"),
        guide=zoo.get("guide"),
        branches=tuple(zoo.get("branches", ())),
        tasks=tuple(_task(name, spec) for name, spec in data["tasks"].items()),
        checklist=tuple(
            ChecklistSpec(text=item["text"], required=item.get("required", True))
            for item in data["checklist"]
        ),
        venues=VenuePolicy(
            accepted=tuple(
                VenueSpec(name=v["name"], aliases=tuple(v.get("aliases", ())))
                for v in venues["accepted"]
            ),
            not_venues=tuple(venues.get("not_venues", ())),
            qualifiers=tuple(venues.get("qualifiers", ())),
            workshop_severity=cast(Severity, venues.get("workshop_severity", "warning")),
            min_year=venues.get("min_year", 1990),
            max_years_ahead=venues.get("max_years_ahead", 1),
        ),
        network=_network(network),
        limits=_limits(data.get("limits", {})),
        test_format_severity=cast(
            Severity, data.get("scores", {}).get("test_format_severity", "warning")
        ),
        placeholders=tuple(data.get("template", {}).get("placeholders", ())),
        ignore=tuple(
            IgnoreSpec(
                reason=entry["reason"],
                rule=entry.get("rule"),
                path=entry.get("path"),
                section=entry.get("section"),
                url=entry.get("url"),
            )
            for entry in data.get("ignore", ())
        ),
        source=source,
    )


def _network(spec: Mapping[str, Any]) -> NetworkPolicy:
    defaults = NetworkPolicy()
    return NetworkPolicy(
        timeout_seconds=float(spec.get("timeout_seconds", defaults.timeout_seconds)),
        budget_seconds=float(spec.get("budget_seconds", defaults.budget_seconds)),
        per_host=int(spec.get("per_host", defaults.per_host)),
        concurrency=int(spec.get("concurrency", defaults.concurrency)),
        retries=int(spec.get("retries", defaults.retries)),
        max_scores_bytes=int(spec.get("max_scores_bytes", defaults.max_scores_bytes)),
        max_preds_bytes=int(spec.get("max_preds_bytes", defaults.max_preds_bytes)),
        allow_private_hosts=bool(spec.get("allow_private_hosts", False)),
        allowed_networks=tuple(spec.get("allowed_networks", ())),
        verify_checksums=bool(spec.get("verify_checksums", False)),
        checksum_max_bytes=int(spec.get("checksum_max_bytes", defaults.checksum_max_bytes)),
        checksum_seconds=float(spec.get("checksum_seconds", defaults.checksum_seconds)),
    )


def _limits(spec: Mapping[str, Any]) -> Limits:
    defaults = Limits()
    return Limits(
        readme_bytes=int(spec.get("readme_bytes", defaults.readme_bytes)),
        line_chars=int(spec.get("line_chars", defaults.line_chars)),
        section_chars=int(spec.get("section_chars", defaults.section_chars)),
        sections=int(spec.get("sections", defaults.sections)),
        table_rows=int(spec.get("table_rows", defaults.table_rows)),
        cell_chars=int(spec.get("cell_chars", defaults.cell_chars)),
        body_chars=int(spec.get("body_chars", defaults.body_chars)),
        cpu_seconds=float(spec.get("cpu_seconds", defaults.cpu_seconds)),
    )


def _task(name: str, spec: Mapping[str, Any]) -> TaskSpec:
    return TaskSpec(
        name=name,
        title=spec.get("title", name),
        readme=spec["readme"],
        configs=spec.get("configs"),
        scores_schema=spec.get("scores_schema"),
        groups=tuple(
            GroupSpec(name=g["name"], heading=g["heading"]) for g in spec.get("groups", ())
        ),
        columns=tuple(_column(column) for column in spec["columns"]),
    )


def _column(spec: Mapping[str, Any]) -> ColumnSpec:
    metric = spec.get("metric")
    return ColumnSpec(
        name=spec["name"],
        aliases=tuple(spec.get("aliases", ())),
        metric=None
        if metric is None
        else MetricSpec(
            split=metric["split"],
            key=tuple(metric["key"]),
            decimals=metric["decimals"],
            scores_label=metric.get("scores_label", "scores"),
            unverified=metric.get("unverified"),
        ),
        links=tuple(
            LinkSpec(
                kind=link["kind"],
                label=link["label"],
                split=link.get("split"),
                schema=link.get("schema"),
                ext=tuple(ext.lower() for ext in link.get("ext", ())),
                optional=link.get("optional", False),
                expect_files=link.get("expect_files"),
                contains=tuple(ext.lower().lstrip(".") for ext in link.get("contains", ())),
            )
            for link in spec.get("links", ())
        ),
    )
