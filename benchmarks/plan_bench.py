"""How long `python -m offline.plan` takes, against the floor of importing the Pulumi SDK.

    python benchmarks/plan_bench.py [--runs 5]      (or: make bench)

Prints, for the dev stack, the median whole-process wall time of:
- the floor: a fresh interpreter that only imports the Pulumi SDK modules the plan ends up
  with in `sys.modules` (pulumi, pulumi_azure_native, pulumi_kubernetes; listed by running
  the plan once), i.e. what any run of this program must pay before it declares anything;
- the same floor with the cyclic garbage collector off and no interpreter teardown, the two
  process settings the plan itself uses: the like-for-like comparison;
- the plan of the dev stack, and its ratio to the floor (target: at most 1.3x);
- the plan of dev and of prod previewed against their exports (`--against
  tests/fixtures/exports/<stack>-deployed.json`: the program runs twice, as `pulumi preview` and as
  `pulumi up`), and their ratio to the plan (target: at most 1.2x);
- the plan with 10, 100 and 1,000 extra CIDR groups (a temporary copy of the project with a
  generated stack file), with the cost per extra group, to show the growth is linear.
Figures are wall-clock medians on this machine; nothing here asserts a time.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT_DIR))

from offline.run.stack_files import yaml_io  # noqa: E402 (needs the project on sys.path)
from offline.run.stack_files.stack_config import copy_program  # noqa: E402

SDK_PACKAGES = ("pulumi", "pulumi_azure_native", "pulumi_kubernetes")
GROUP_COUNTS = (10, 100, 1000)

_LIST_MODULES = f"""
import io, sys, contextlib, tempfile
from offline.plan import main
with tempfile.TemporaryDirectory() as out, contextlib.redirect_stdout(io.StringIO()):
    main(["dev", "--out", out])
# In load order: importing a lazily loaded package's submodules out of order changes what it binds.
print("\\n".join(m for m in sys.modules if m.split(".")[0] in {SDK_PACKAGES!r}))
"""


def sdk_modules() -> list[str]:
    result = subprocess.run([sys.executable, "-c", _LIST_MODULES], cwd=PROJECT_DIR, capture_output=True, text=True, check=True)
    return result.stdout.split()


@dataclass(frozen=True)
class Timing:
    wall: float
    """Median wall-clock seconds of the whole process."""
    cpu: float
    """Median user + system CPU seconds of the process: less disturbed by other load."""

    def __str__(self) -> str:
        return f"{self.wall:6.3f} s wall, {self.cpu:6.3f} s CPU"


def one_run(command: list[str], cwd: Path) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_time(command: list[str], cwd: Path, runs: int) -> Timing:
    one_run(command, cwd)  # warm the page cache and .pyc files; not counted
    samples = [one_run(command, cwd) for _ in range(runs)]
    return Timing(statistics.median(w for w, _ in samples), statistics.median(c for _, c in samples))


def project_with_groups(base: Path, count: int) -> Path:
    """A copy of the project whose `bench` stack is dev plus `count` extra CIDR groups."""
    target = copy_program(PROJECT_DIR, base / f"groups-{count}")
    stack = yaml_io.load((PROJECT_DIR / "Pulumi.dev.yaml").read_text(encoding="utf-8"))
    # 100.64.0.0/10 (shared address space) overlaps none of dev's pod, service or VNet ranges.
    stack["config"]["aks-cilium:cidrGroups"] = [
        {"name": f"bench-{i:04d}", "cidrs": [f"100.{64 + i // 65536}.{i // 256 % 256}.{i % 256}/32"], "labels": {"bench": "true"}}
        for i in range(count)
    ]
    (target / "Pulumi.bench.yaml").write_text(yaml_io.dump(stack, sort_keys=False), encoding="utf-8")
    return target


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="timed runs per figure (median); default 5")
    args = parser.parse_args()

    modules = sdk_modules()
    floor_command = [sys.executable, "-c", f"import importlib\nfor m in {json.dumps(modules)}: importlib.import_module(m)"]
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "out"
        floor = median_time(floor_command, PROJECT_DIR, args.runs)
        # The plan turns the cyclic GC off and skips interpreter teardown (offline/plan.py); the
        # floor under the same two settings is the like-for-like comparison.
        floor_alike_command = [sys.executable, "-c", "import gc, os; gc.disable()\n" + floor_command[2] + "\nos._exit(0)"]
        floor_alike = median_time(floor_alike_command, PROJECT_DIR, args.runs)
        dev = median_time([sys.executable, "-m", "offline.plan", "dev", "--out", str(out)], PROJECT_DIR, args.runs)
        print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, median of {args.runs} runs of a whole process")
        print(f"import floor ({len(modules)} SDK modules): {floor}")
        print(f"  same, GC off and no teardown:    {floor_alike}")
        print(f"plan dev:                          {dev}")
        print(f"  = {dev.wall / floor.wall:.2f}x the floor (wall; target <= 1.30), {dev.wall / floor_alike.wall:.2f}x the like-for-like floor")
        for stack in ("dev", "prod"):
            plain = dev if stack == "dev" else median_time([sys.executable, "-m", "offline.plan", stack, "--out", str(out)], PROJECT_DIR, args.runs)
            export = PROJECT_DIR / "tests" / "fixtures" / "exports" / f"{stack}-deployed.json"
            against = median_time([sys.executable, "-m", "offline.plan", stack, "--out", str(out), "--against", str(export)], PROJECT_DIR, args.runs)
            print(f"plan {stack} --against its export:   {against}")
            print(f"  = {against.wall / plain.wall:.2f}x the plan of {stack} (wall), {against.cpu / plain.cpu:.2f}x (CPU); target <= 1.20")
        times: dict[int, Timing] = {}
        for count in GROUP_COUNTS:
            project = project_with_groups(Path(scratch), count)
            command = [sys.executable, "-m", "offline.plan", "bench", "--project-dir", str(project), "--out", str(out)]
            times[count] = median_time(command, PROJECT_DIR, args.runs)
            print(f"plan dev + {count:>4} CIDR groups:      {times[count]}  (+{times[count].cpu - dev.cpu:.3f} s CPU over dev)")
        low, mid, high = (times[c].cpu for c in GROUP_COUNTS)
        per_group_low = (mid - low) / (GROUP_COUNTS[1] - GROUP_COUNTS[0])
        per_group_high = (high - mid) / (GROUP_COUNTS[2] - GROUP_COUNTS[1])
        print(f"CPU per extra group: {per_group_low * 1000:.2f} ms (10->100), {per_group_high * 1000:.2f} ms (100->1000); equal = linear")
    return 0


if __name__ == "__main__":
    sys.exit(main())
