"""Runs the benchmark scenarios against the local artifact server and prints the table."""

from __future__ import annotations

import argparse
import compileall
import importlib.util
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import zoo  # noqa: E402
from bench.server import ArtifactServer, Endless, GiB, GzipBomb, MiB, Site  # noqa: E402
from bot import plan  # noqa: E402
from bot.config import NetworkPolicy, load_config  # noqa: E402
from bot.net import zipdir  # noqa: E402
from bot.net.fetcher import NetworkSettings  # noqa: E402

BIN = Path(sys.executable).parent
OURS, LYCHEE, LYCHEE_DEFAULTS = "zoo-review/", "lychee-bench", "lychee/"
FLOOR = "python-floor/"


@dataclass
class Run:
    """One process: wall time, peak RSS, and what the server saw of it."""

    seconds: float
    rss_mb: float
    requests: int
    network: float  # first request received to last response finished, at the server
    code: int
    first: float  # process start to the first request received, at the server
    connections: int  # TCP connections the server accepted during the run


@dataclass
class Scenario:
    name: str
    title: str
    command: list[str]
    urls: list[str]  # remapped, unique: what both tools check
    output: Path
    compare: bool = True  # lychee does the same work (not so for a checksum)
    hostile: dict[str, int] = field(default_factory=dict)  # server path -> our cap in bytes


def measure(command: list[str], agent: str, site: Site, log: Path) -> Run:
    """Run `command` under /usr/bin/time (its own peak RSS), count its requests.

    Not wait4 on our own child: a child forked from this process starts with this process's
    resident pages (the server's data), and Linux keeps that peak across exec. The command runs
    in the log's folder (lychee reads a lychee.toml from its working folder: there is none).
    """
    site.reset()
    rss_file = log.with_suffix(".rss")
    since = time.monotonic()
    with log.open("wb") as errors:
        code = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", str(rss_file), *command],
            stdout=subprocess.DEVNULL,
            stderr=errors,
            cwd=log.parent,
            check=False,
        ).returncode
    until = time.monotonic()
    rss_kb = int(rss_file.read_text().split()[-1])
    hits = site.hits_of(agent, since)
    network = max(h.end for h in hits) - min(h.start for h in hits) if hits else 0.0
    first = min(h.start for h in hits) - since if hits else math.nan
    connections = site.connections(since, until)
    return Run(until - since, rss_kb / 1024, len(hits), network, code, first, connections)


def ours(*args: str) -> list[str]:
    return [str(BIN / "zoo-review"), *args, "--allow-private-hosts", "--format", "json"]


def with_remaps(command: list[str], base: str, output: Path) -> list[str]:
    remaps = [part for remap in zoo.remaps(base) for part in ("--remap", remap)]
    return [*command, *remaps, "--output", str(output)]


def lychee_defaults(urls_file: Path, output: Path) -> list[str]:
    """lychee as people run it: its own limits (10 per host, 50 ms between requests to a host,
    128 in all), its own user agent; only the report goes to a file."""
    return [str(BIN / "lychee"), "--no-progress", "--format", "json", "--output", str(output),
            str(urls_file)]  # fmt: skip


def lychee_command(urls_file: Path, network: NetworkPolicy, output: Path) -> list[str]:
    return [
        str(BIN / "lychee"),
        "--no-progress",
        "--cache=false",
        "--max-concurrency",
        str(network.concurrency),
        "--host-concurrency",
        str(network.per_host),
        "--host-request-interval",
        "0s",
        "--max-retries",
        str(network.retries),
        "--retry-wait-time",
        "1",
        "--timeout",
        str(int(network.timeout_seconds)),
        "--max-redirects",
        "5",
        "--accept",
        "200..=299",
        "--user-agent",
        LYCHEE,
        "--format",
        "json",
        "--output",
        str(output),
        str(urls_file),
    ]


def body_file(folder: Path) -> Path:
    lines = ["Adds a method.", ""] + [f"- [x] {item.text}" for item in load_config().checklist]
    path = folder / "pr.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def unique_remapped(base: str, sections: list[zoo.Section]) -> list[str]:
    urls = [url for section in sections for url in section.urls()]
    return list(dict.fromkeys(zoo.remapped(base, url) for url in urls))


def scenario_a(site: Site, base: str, folder: Path, failures: bool) -> Scenario:
    existing = [zoo.make_section("Faster R-CNN", 2, 0)]
    added = [zoo.make_section("Example R-CNN", 4, 1)]
    repo = zoo.build_repo(folder, existing, added)
    zoo.register(site, existing + added, weights_size=160 * MiB)
    urls = unique_remapped(base, added)
    if failures:
        site.failures.update(zoo.failure_mix([u for s in added for u in s.urls()]))
    output = folder / "ours.json"
    command = ours("check", "--repo", str(repo), "--body", str(body_file(folder)))
    return Scenario(
        "a", "new det section, 4 rows (check)", with_remaps(command, base, output), urls, output
    )


def scenario_b(site: Site, base: str, folder: Path, failures: bool) -> Scenario:
    sections = [
        zoo.make_section(name, rows, index) for index, (name, rows) in enumerate(zoo.DET_SECTIONS)
    ]
    repo = zoo.build_repo(folder, sections, [])
    zoo.register(site, sections, weights_size=160 * MiB)
    if failures:
        site.failures.update(zoo.failure_mix([u for s in sections for u in s.urls()]))
    output = folder / "ours.json"
    command = ours("audit", "--repo", str(repo), "--task", "det")
    return Scenario(
        "b",
        f"whole det README, {len(zoo.DET_SECTIONS)} sections / "
        f"{sum(r for _, r in zoo.DET_SECTIONS)} rows (audit)",
        with_remaps(command, base, output),
        unique_remapped(base, sections),
        output,
    )


def scenario_c(site: Site, base: str, folder: Path, failures: bool) -> Scenario:
    added = [zoo.make_section("Checksum R-CNN", 1, 2)]
    repo = zoo.build_repo(folder, [], added)
    zoo.register(site, added, weights_size=GiB, true_md5=True)
    output = folder / "ours.json"
    command = ours(
        "check", "--repo", str(repo), "--body", str(body_file(folder)), "--verify-checksums"
    )
    return Scenario(
        "c",
        "--verify-checksums of a 1 GiB weights file",
        with_remaps(command, base, output),
        unique_remapped(base, added),
        output,
        compare=False,
    )


MD5_FILE_BYTES = plan.MD5_FILE_BYTES
# The first (and usually only) read of a zip: its tail.
ARCHIVE_TAIL = max(zipdir.TAIL_BYTES, NetworkSettings().archive_tail_bytes)


def scenario_d(site: Site, base: str, folder: Path, failures: bool) -> Scenario:
    added = [zoo.make_section("Hostile R-CNN", 1, 3)]
    repo = zoo.build_repo(folder, [], added)
    zoo.register(site, added, weights_size=MiB)
    stem = added[0].rows[0].stem
    network = load_config().network
    hostile = {
        f"/bdd100k/det/scores-val/{stem}.json": (GzipBomb(), network.max_scores_bytes),
        f"/bdd100k/det/scores-test/{stem}.json": (Endless(), network.max_scores_bytes),
        f"/bdd100k/det/models/{stem}.md5": (Endless(), MD5_FILE_BYTES),
        f"/bdd100k/det/preds/{stem}.json": (Endless(), network.max_preds_bytes),
        f"/bdd100k/det/visuals/{stem}.zip": (GzipBomb(encoded=False), ARCHIVE_TAIL),
    }
    for path, (resource, _cap) in hostile.items():
        site.files[path] = resource
    output = folder / "ours.json"
    command = ours("check", "--repo", str(repo), "--body", str(body_file(folder)))
    return Scenario(
        "d",
        "gzip bomb + endless chunked streams",
        with_remaps(command, base, output),
        unique_remapped(base, added),
        output,
        compare=False,
        hostile={path: cap for path, (_r, cap) in hostile.items()},
    )


def scenario_e(site: Site, base: str, folder: Path, failures: bool) -> Scenario:
    existing = [
        zoo.make_section(name, rows, index) for index, (name, rows) in enumerate(zoo.DET_SECTIONS)
    ]
    added = [zoo.make_section("Example R-CNN", 3, 99)]
    config = load_config()
    others = {
        task.readme: zoo.task_readme(task, rows)
        for name, rows in zoo.OTHER_TASKS.items()
        if (task := config.task(name)) is not None
    }
    repo = zoo.build_repo(folder, existing, added, others)
    zoo.register(site, added, weights_size=160 * MiB)
    if failures:
        site.failures.update(zoo.failure_mix([u for s in added for u in s.urls()]))
    output = folder / "ours.json"
    command = ours("check", "--repo", str(repo), "--body", str(body_file(folder)))
    return Scenario(
        "e",
        "3-row det contribution to a whole zoo (9 READMEs, 342 rows) (check)",
        with_remaps(command, base, output),
        unique_remapped(base, added),
        output,
    )


_LIMITS = "limits:\n  readme_bytes: 8000000\n  sections: 1000\n  table_rows: 4000\n"


def audit_at_scale(rows: int) -> Callable[[Site, str, Path, bool], Scenario]:
    def scenario(site: Site, base: str, folder: Path, failures: bool) -> Scenario:
        sections = zoo.many_sections(rows)
        repo = zoo.build_repo(folder, sections, [])
        zoo.register(site, sections, weights_size=160 * MiB)
        if failures:
            site.failures.update(zoo.failure_mix([u for s in sections for u in s.urls()]))
        output = folder / "ours.json"
        command = ours("audit", "--repo", str(repo), "--task", "det")
        if rows > 500:
            # 2,000 rows in 400 sections (2 MB) are beyond the default caps of a README; an
            # operator who audits such a zoo raises them.
            limits = folder / "limits.yml"
            limits.write_text(_LIMITS, encoding="utf-8")
            command += ["--config", str(limits)]
        return Scenario(
            "f" if rows == 500 else "g",
            f"det README of {rows:,} rows, link rot (audit)",
            with_remaps(command, base, output),
            unique_remapped(base, sections),
            output,
        )

    return scenario


SCENARIOS: dict[str, Callable[[Site, str, Path, bool], Scenario]] = {
    "a": scenario_a,
    "b": scenario_b,
    "c": scenario_c,
    "d": scenario_d,
    "e": scenario_e,
    "f": audit_at_scale(500),
    "g": audit_at_scale(2000),
}
# Seconds the server waits before each answer, unless --latency says otherwise: the 2,000-row
# audit runs at 10 ms, where CPU time, not waiting, decides.
LATENCY = {"g": 0.01}
AUDITS = ("b", "f", "g")


@dataclass
class Row:
    scenario: Scenario
    ours: list[Run]
    lychee: list[Run]
    defaults: list[Run]  # lychee with its own defaults
    floor: list[Run]  # bench/floor.py: Python and httpx, one HEAD per URL
    bound: float
    verdict: str
    latency: float


def median(runs: list[Run], key: Callable[[Run], float]) -> float:
    return statistics.median(key(run) for run in runs) if runs else math.nan


def run_scenario(
    name: str, site: Site, server: ArtifactServer, runs: int, failures: bool, *, defaults: bool
) -> Row:
    network = load_config().network
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as temp:
        folder = Path(temp)
        site.files.clear()
        site.failures.clear()
        site.hits.clear()
        site.accepts.clear()
        scenario = SCENARIOS[name](site, server.url, folder, failures)
        urls_file = folder / "urls.txt"
        urls_file.write_text("\n".join(scenario.urls) + "\n", encoding="utf-8")
        lychee = lychee_command(urls_file, network, folder / "lychee.json")
        plain = lychee_defaults(urls_file, folder / "lychee-defaults.json")
        floor = [sys.executable, str(ROOT / "bench" / "floor.py"), str(urls_file)]
        # lychee's defaults space requests to a host 50 ms apart: a big audit takes minutes,
        # so it is timed once there.
        default_runs = 0 if not defaults else runs if len(scenario.urls) <= 100 else 1
        ours_runs: list[Run] = []
        lychee_runs: list[Run] = []
        default_runs_done: list[Run] = []
        floor_runs: list[Run] = []
        for attempt in range(runs):
            ours_runs.append(measure(scenario.command, OURS, site, folder / "ours.err"))
            if name == "d" and attempt == 0:
                print_hostile(site, scenario)
            if scenario.name != "d":
                lychee_runs.append(measure(lychee, LYCHEE, site, folder / "lychee.err"))
                floor_runs.append(measure(floor, FLOOR, site, folder / "floor.err"))
                if attempt < default_runs:
                    default_runs_done.append(
                        measure(plain, LYCHEE_DEFAULTS, site, folder / "lychee-defaults.err")
                    )
        errors = (folder / "ours.err").read_text(errors="replace").strip()
        if errors:
            print(f"[{name}] zoo-review stderr: {errors[-500:]}", file=sys.stderr)
        report = json.loads(scenario.output.read_text(encoding="utf-8"))
        summary = report["summary"]
        verdict = (
            f"{report['verdict']} ({summary['errors']} errors, {summary['warnings']} warnings)"
        )
        requests = median(ours_runs, lambda r: r.requests)
        bound = math.ceil(requests / network.per_host) * site.latency
        return Row(
            scenario,
            ours_runs,
            lychee_runs,
            default_runs_done,
            floor_runs,
            bound,
            verdict,
            site.latency,
        )


def print_hostile(site: Site, scenario: Scenario) -> None:
    for path, cap in scenario.hostile.items():
        hits = [h for h in site.hits_of(OURS) if h.path == path]
        sent = max((h.sent for h in hits), default=0)
        kind = type(site.files[path]).__name__
        print(
            f"  [d] {path.rsplit('/', 2)[-2]:>12} {kind:>9}: server sent {sent / MiB:7.2f} MiB "
            f"(our read cap {cap / MiB:.3f} MiB; the rest sat in socket buffers when we hung up)"
        )


def table(rows: list[Row], network: NetworkPolicy) -> str:
    lines = [
        f"per-host limit {network.per_host}, total {network.concurrency} (ours and lychee with "
        f"the same limits); median of {len(rows[0].ours)} runs",
        "",
        "| scenario | links | latency (ms) | ours (s) | first request (s) | lychee, same limits "
        "(s) | ratio | lychee, its defaults (s) | ratio | Python floor: all / first request (s) "
        "| lower bound (s) | ours / bound "
        "| ours, network phase (s) | requests ours / lychee | connections ours / lychee "
        "| peak RSS ours / lychee (MB) | our verdict |",
        "| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: | --: "
        "| --: | --: | --- |",
    ]
    for row in rows:
        seconds = median(row.ours, lambda r: r.seconds)
        theirs = median(row.lychee, lambda r: r.seconds)
        plain = median(row.defaults, lambda r: r.seconds)
        ratio = f"{seconds / theirs:.2f}" if row.lychee else "–"
        if row.lychee and not row.scenario.compare:
            ratio += "*"
        plain_ratio = f"{seconds / plain:.2f}" if row.defaults else "–"
        if row.defaults and not row.scenario.compare:
            plain_ratio += "*"
        lines.append(
            f"| ({row.scenario.name}) {row.scenario.title} | {len(row.scenario.urls)} "
            f"| {row.latency * 1000:g} | {seconds:.2f} "
            f"| {median(row.ours, lambda r: r.first):.3f} | {_f(theirs)} | {ratio} "
            f"| {_f(plain)}{' (1 run)' if 0 < len(row.defaults) < len(row.ours) else ''} "
            f"| {plain_ratio} | {_f(median(row.floor, lambda r: r.seconds))} / "
            f"{_f(median(row.floor, lambda r: r.first), '.3f')} "
            f"| {row.bound:.2f} | {_f(seconds / row.bound if row.bound else math.nan)} "
            f"| {median(row.ours, lambda r: r.network):.2f} "
            f"| {median(row.ours, lambda r: r.requests):.0f} / "
            f"{_f(median(row.lychee, lambda r: r.requests), '.0f')} "
            f"| {median(row.ours, lambda r: r.connections):.0f} / "
            f"{_f(median(row.lychee, lambda r: r.connections), '.0f')} "
            f"| {median(row.ours, lambda r: r.rss_mb):.0f} / "
            f"{_f(median(row.lychee, lambda r: r.rss_mb), '.0f')} | {row.verdict} |"
        )
    return "\n".join(lines)


def _f(value: float, spec: str = ".2f") -> str:
    return "–" if math.isnan(value) else format(value, spec)


def machine() -> str:
    model = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    lychee = subprocess.run(
        [str(BIN / "lychee"), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        f"{os.cpu_count()} CPUs ({model}), {pages / GiB:.0f} GiB RAM, Python "
        f"{platform.python_version()}, {lychee}, {platform.system()} {platform.release()}"
    )


def extra_imports() -> str | None:
    """What this venv adds to a start-up that users do not have: httpx imports click at start-up
    when it is installed (the test extra brings it), about 35 ms for zoo-review and the Python
    floor alike, not for lychee."""
    if importlib.util.find_spec("click") is None:
        return None
    return (
        "click is installed, and httpx imports it at start-up (about 35 ms for zoo-review and "
        "the Python floor, none for lychee): measure from a venv with only the bench extra "
        "(python -m venv v && v/bin/pip install -e '.[bench]')"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="zoo-review vs lychee on a local server")
    parser.add_argument(
        "--latency",
        type=float,
        help="seconds per request (default: 0.05; 0.01 for g)",
    )
    parser.add_argument("--scenario", choices=[*SCENARIOS, "all"], action="append")
    parser.add_argument("--runs", type=int, default=3, help="runs per tool (median reported)")
    parser.add_argument(
        "--failures",
        choices=["none", "mix", "audits"],
        default="audits",
        help="failure mix (404, 503 then 200, redirects, one 403): nowhere, everywhere, or "
        "only in the audits b, f and g (default)",
    )
    parser.add_argument(
        "--no-defaults", action="store_true", help="do not time lychee with its own defaults"
    )
    args = parser.parse_args(argv)
    chosen = args.scenario or ["all"]
    names = list(SCENARIOS) if "all" in chosen else list(dict.fromkeys(chosen))
    # The editable install runs from the source tree: compile it first, as pip does when it
    # installs the wheel, so that no run compiles (PYTHONDONTWRITEBYTECODE=1 would make every
    # run compile all of bot/ again).
    compileall.compile_dir(ROOT / "bot", quiet=1)
    extra = extra_imports()
    if extra:
        print(f"note: {extra}", file=sys.stderr)
    site = Site()
    server = ArtifactServer(site).start()
    rows: list[Row] = []
    try:
        for name in names:
            failures = args.failures == "mix" or (args.failures == "audits" and name in AUDITS)
            site.latency = args.latency if args.latency is not None else LATENCY.get(name, 0.05)
            print(f"scenario {name} …", file=sys.stderr)
            rows.append(
                run_scenario(name, site, server, args.runs, failures, defaults=not args.no_defaults)
            )
            # Each scenario's row as soon as it is measured: a long run that stops keeps them.
            print(table(rows[-1:], load_config().network).splitlines()[-1], file=sys.stderr)
    finally:
        server.stop()
    print(machine())
    if extra:
        print(f"Note: {extra}.")
    print(table(rows, load_config().network))
    print("* lychee only reads the status line; it does not download and hash the file.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
