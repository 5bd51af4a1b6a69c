"""Time of the whole test suite (`python -m pytest -q`), run N times; prints the medians.

Usage: venv/bin/python benchmarks/suite_bench.py [N] [--project-dir DIR]   (default 3 runs, this
checkout). Not a test: nothing is asserted. Wall time depends on what else the machine runs;
the CPU time (user + system of pytest and every process it starts) is printed beside it as
the steadier figure on a shared machine.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="?", type=int, default=3)
    parser.add_argument("--project-dir", type=Path, default=PROJECT_DIR, help="checkout whose suite to time (its venv/bin/python runs it)")
    args = parser.parse_args()
    python = args.project_dir / "venv" / "bin" / "python"
    if not python.exists():
        python = Path(sys.executable)
    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}, load average {os.getloadavg()[0]:.1f}")
    print(f"suite: {args.project_dir} at {git_commit(args.project_dir)}")
    walls, cpus = [], []
    for _ in range(args.runs):
        start, cpu_start = time.perf_counter(), children_cpu_seconds()
        done = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=args.project_dir, capture_output=True, text=True)
        walls.append(time.perf_counter() - start)
        cpus.append(children_cpu_seconds() - cpu_start)
        print(f"  {walls[-1]:.1f} s wall, {cpus[-1]:.1f} s CPU  {done.stdout.strip().splitlines()[-1]}")
    print(f"test suite: median {statistics.median(walls):.1f} s wall, {statistics.median(cpus):.1f} s CPU over {args.runs} runs")


def git_commit(directory: Path) -> str:
    done = subprocess.run(["git", "-C", str(directory), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    return done.stdout.strip() or "unknown commit"


if __name__ == "__main__":
    main()
