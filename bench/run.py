"""Runs the benchmark scenarios against the local artifact server and prints the table."""

from __future__ import annotations

import argparse
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
OURS, LYCHEE = "zoo-review/", "lychee-bench"


@dataclass
class Run:
    """One process: wall time, peak RSS, and what the server saw of it."""

    seconds: float
    rss_mb: float
    requests: int
    network: float  # first request received to last response finished, at the server
    code: int


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
    resident pages (the server's data), and Linux keeps that peak across exec.
    """
    site.reset()
    rss_file = log.with_suffix(".rss")
    since = time.monotonic()
    with log.open("wb") as errors:
        code = subprocess.run(
            ["/usr/bin/time", "-f", "%M", "-o", str(rss_file), *command],
            stdout=subprocess.DEVNULL,
            stderr=errors,
            check=False,
        ).returncode
    seconds = time.monotonic() - since
    rss_kb = int(rss_file.read_text().split()[-1])
    hits = site.hits_of(agent, since)
    network = max(h.end for h in hits) - min(h.start for h in hits) if hits else 0.0
    return Run(seconds, rss_kb / 1024, len(hits), network, code)


def ours(*args: str) -> list[str]:
    return [str(BIN / "zoo-review"), *args, "--allow-private-hosts", "--format", "json"]


def with_remaps(command: list[str], base: str, output: Path) -> list[str]:
    remaps = [part for remap in zoo.remaps(base) for part in ("--remap", remap)]
    return [*command, *remaps, "--output", str(output)]


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


SCENARIOS: dict[str, Callable[[Site, str, Path, bool], Scenario]] = {
    "a": scenario_a,
    "b": scenario_b,
    "c": scenario_c,
    "d": scenario_d,
}


@dataclass
class Row:
    scenario: Scenario
    ours: list[Run]
    lychee: list[Run]
    bound: float
    verdict: str


def median(runs: list[Run], key: Callable[[Run], float]) -> float:
    return statistics.median(key(run) for run in runs) if runs else math.nan


def run_scenario(name: str, site: Site, server: ArtifactServer, runs: int, failures: bool) -> Row:
    network = load_config().network
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as temp:
        folder = Path(temp)
        site.files.clear()
        site.failures.clear()
        scenario = SCENARIOS[name](site, server.url, folder, failures)
        urls_file = folder / "urls.txt"
        urls_file.write_text("\n".join(scenario.urls) + "\n", encoding="utf-8")
        lychee = lychee_command(urls_file, network, folder / "lychee.json")
        ours_runs: list[Run] = []
        lychee_runs: list[Run] = []
        for attempt in range(runs):
            ours_runs.append(measure(scenario.command, OURS, site, folder / "ours.err"))
            if name == "d" and attempt == 0:
                print_hostile(site, scenario)
            if scenario.name != "d":
                lychee_runs.append(measure(lychee, LYCHEE, site, folder / "lychee.err"))
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
        return Row(scenario, ours_runs, lychee_runs, bound, verdict)


def print_hostile(site: Site, scenario: Scenario) -> None:
    for path, cap in scenario.hostile.items():
        hits = [h for h in site.hits_of(OURS) if h.path == path]
        sent = max((h.sent for h in hits), default=0)
        kind = type(site.files[path]).__name__
        print(
            f"  [d] {path.rsplit('/', 2)[-2]:>12} {kind:>9}: server sent {sent / MiB:7.2f} MiB "
            f"(our read cap {cap / MiB:.3f} MiB; the rest sat in socket buffers when we hung up)"
        )


def table(rows: list[Row], latency: float, network: NetworkPolicy) -> str:
    lines = [
        f"latency {latency * 1000:g} ms per request; per-host limit {network.per_host}, "
        f"total {network.concurrency} (both tools); median of {len(rows[0].ours)} runs",
        "",
        "| scenario | links | ours (s) | lychee (s) | ratio | requests ours / lychee "
        "| lower bound (s) | ours / bound | ours, network phase (s) | peak RSS ours / lychee "
        "(MB) | our verdict |",
        "| --- | --: | --: | --: | --: | --: | --: | --: | --: | --: | --- |",
    ]
    for row in rows:
        seconds = median(row.ours, lambda r: r.seconds)
        theirs = median(row.lychee, lambda r: r.seconds)
        ratio = f"{seconds / theirs:.2f}" if row.lychee else "–"
        if row.lychee and not row.scenario.compare:
            ratio += "*"
        lines.append(
            f"| ({row.scenario.name}) {row.scenario.title} | {len(row.scenario.urls)} "
            f"| {seconds:.2f} | {_f(theirs)} | {ratio} "
            f"| {median(row.ours, lambda r: r.requests):.0f} / "
            f"{_f(median(row.lychee, lambda r: r.requests), '.0f')} "
            f"| {row.bound:.2f} | {seconds / row.bound:.2f} "
            f"| {median(row.ours, lambda r: r.network):.2f} "
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="zoo-review vs lychee on a local server")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request")
    parser.add_argument("--scenario", choices=["a", "b", "c", "d", "all"], default="all")
    parser.add_argument("--runs", type=int, default=3, help="runs per tool (median reported)")
    parser.add_argument(
        "--failures",
        choices=["none", "mix", "b"],
        default="b",
        help="failure mix (404, 503 then 200, redirects, one 403): nowhere, everywhere, or "
        "only in the audit (default)",
    )
    args = parser.parse_args(argv)
    names = ["a", "b", "c", "d"] if args.scenario == "all" else [args.scenario]
    site = Site(latency=args.latency)
    server = ArtifactServer(site).start()
    rows: list[Row] = []
    try:
        for name in names:
            failures = args.failures == "mix" or (args.failures == "b" and name == "b")
            print(f"scenario {name} …", file=sys.stderr)
            rows.append(run_scenario(name, site, server, args.runs, failures))
    finally:
        server.stop()
    print(machine())
    print(table(rows, args.latency, load_config().network))
    print("* lychee only reads the status line; it does not download and hash the file.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
