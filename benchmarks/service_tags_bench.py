"""How the program scales with Azure service tags: real tags, up to 50,000 prefixes and 1,000 groups.

    python benchmarks/service_tags_bench.py [--file PATH] [--runs 3]

Runs the real `__main__.py` for the dev stack under the offline mock engine
(`offline.run.engine.run_stack`, in this process, after one untimed warm-up run that pays the
imports), with `aks-cilium:serviceTags` pointing at a real published file. Prints, per case,
the median of `--runs` runs:
- settings: `load_settings` alone (read and check the file, parse, collapse, split, name);
- program: the whole run, every resource registered with the mock engine;
- the cost above the program without service tags, per 1,000 listed prefixes or per group,
  to show the growth is linear (a constant column means linear growth).
Cases: the largest real tags one by one; the largest tags together up to about 12,500, 25,000
and 50,000 prefixes; and 250, 500 and 1,000 single-group tags. Nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

from azure_service_tags.file import read_service_tags_file  # noqa: E402
from offline.run.engine import run_stack  # noqa: E402
from offline.run.stack_files.stack_config import read_stack_config  # noqa: E402
from settings.stack import load_settings  # noqa: E402

REFERENCE_DIR = Path(os.environ.get("AKS_CILIUM_REFERENCE", PROJECT_DIR.parent / "shared" / "reference"))
DEFAULT_FILE = REFERENCE_DIR / "azure-service-tags" / "ServiceTags_Public_changeNumber376.json"
LARGEST = ("AzureCloud", "AzureMonitor", "MicrosoftCloudAppSecurity", "LogicApps", "Sql")
PREFIX_TARGETS = (12_500, 25_000, 50_000)
GROUP_TARGETS = (250, 500, 1000)
KEY = "aks-cilium:serviceTags"


@dataclass(frozen=True)
class Case:
    label: str
    tags: tuple[str, ...]
    prefixes: int
    """Prefixes as listed in the file, before collapsing."""


@dataclass(frozen=True)
class Result:
    case: Case
    groups: int
    collapsed: int
    settings_s: float
    program_s: float
    cpu_s: float


def median_seconds(action: Callable[[], object], runs: int) -> tuple[float, float, object]:
    """Median wall and CPU seconds of `runs` calls, and the last call's result."""
    walls, cpus, result = [], [], None
    for _ in range(runs):
        gc.collect()  # earlier runs' garbage would otherwise land a collection pause in this one
        start, cpu = time.perf_counter(), time.process_time()
        result = action()
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), result


def measure(case: Case, file: Path, runs: int) -> Result:
    overrides = {KEY: json.dumps({"file": str(file), "tags": list(case.tags)})}
    config = read_stack_config(PROJECT_DIR, "dev")
    raw = {**config.raw, **overrides}
    settings_s, _, settings = median_seconds(lambda: load_settings(raw, project=config.project, stack="dev"), runs)
    groups = settings.service_tags.groups
    program_s, cpu_s, run = median_seconds(lambda: run_stack(PROJECT_DIR, "dev", overrides), runs)
    declared = [r for r in run.registrations if r.type.endswith(":CiliumCIDRGroup") and r.name.split("-cidr-groups-", 1)[-1].startswith("azure-service-tag-")]
    assert len(declared) == len(groups), (len(declared), len(groups))
    return Result(case, len(groups), sum(len(g.cidrs) for g in groups), settings_s, program_s, cpu_s)


def cases(file: Path) -> tuple[list[Case], list[Case], list[Case]]:
    document = json.loads(file.read_text(encoding="utf-8"))
    sizes = {v["name"]: len(v["properties"]["addressPrefixes"]) for v in document["values"]}
    largest = [Case(name, (name,), sizes[name]) for name in LARGEST if name in sizes]
    by_size = sorted(sizes, key=lambda n: (-sizes[n], n))
    prefix_cases = []
    for target in PREFIX_TARGETS:
        chosen, total = [], 0
        for name in by_size:
            if total >= target:
                break
            chosen.append(name)
            total += sizes[name]
        prefix_cases.append(Case(f"largest tags to {target:,}", tuple(chosen), total))
    # Tags of at most 500 prefixes never need a second group (limit 1,000), so N tags give N groups.
    small = sorted(n for n in sizes if sizes[n] <= 500)
    group_cases = [
        Case(f"{count:,} single-group tags", tuple(small[:count]), sum(sizes[n] for n in small[:count]))
        for count in GROUP_TARGETS
        if count <= len(small)
    ]
    return largest, prefix_cases, group_cases


def table(title: str, results: list[Result], per: str, baseline_s: float) -> None:
    print(f"\n{title}")
    print(f"  {'case':<30} {'tags':>5} {'prefixes':>9} {'collapsed':>9} {'groups':>6} {'settings':>9} {'program':>9} {'cpu':>8} {'extra per ' + per:>18}")
    for r in results:
        unit = r.groups if per == "group" else r.case.prefixes / 1000
        extra = 1000 * (r.program_s - baseline_s) / unit
        print(
            f"  {r.case.label:<30} {len(r.case.tags):>5} {r.case.prefixes:>9,} {r.collapsed:>9,} {r.groups:>6}"
            f" {r.settings_s:>8.3f}s {r.program_s:>8.3f}s {r.cpu_s:>7.3f}s {extra:>15.2f} ms"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--file", type=Path, default=DEFAULT_FILE, help="a published ServiceTags_*.json")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per case (median)")
    args = parser.parse_args(argv)
    if not args.file.is_file():
        print(f"no service-tags file at {args.file}; pass --file or set AKS_CILIUM_REFERENCE", file=sys.stderr)
        return 2
    largest, prefix_cases, group_cases = cases(args.file)
    print(f"service tags from {args.file.name}; {os.cpu_count()} CPUs; median of {args.runs} runs; dev stack, mock engine")
    run_stack(PROJECT_DIR, "dev", {KEY: json.dumps({"file": str(args.file), "tags": ["Storage.WestEurope"]})})
    baseline_s, _, _ = median_seconds(lambda: run_stack(PROJECT_DIR, "dev"), args.runs)
    read_s, _, _ = median_seconds(lambda: read_service_tags_file(str(args.file)), args.runs)
    print(f"program without service tags: {baseline_s:.3f}s; reading and checking the file alone: {read_s:.3f}s")
    table("largest real tags, one at a time", [measure(c, args.file, args.runs) for c in largest], "1k prefixes", baseline_s)
    table("largest real tags together (linear in prefixes)", [measure(c, args.file, args.runs) for c in prefix_cases], "1k prefixes", baseline_s)
    table("many small real tags (linear in groups)", [measure(c, args.file, args.runs) for c in group_cases], "group", baseline_s)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
