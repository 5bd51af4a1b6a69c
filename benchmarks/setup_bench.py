"""How long a fresh clone takes to reach its first plan (docs/benchmarks.md#setting-up).

`python3 benchmarks/setup_bench.py [--rev REV] [--python PY] [--runs N]` clones this
repository (at REV, default HEAD) into a new temporary folder for each run and times
`git clone`, then `make plan` (which sets up ./venv first), with cold package caches: an empty
`UV_CACHE_DIR` and `PIP_NO_CACHE_DIR=1`, so every package comes from PyPI again. Prints each
run and the median. A figure, not a test: nothing is asserted. Needs only a Python, git, make
and PyPI; run it with any Python, the clone uses `--python`.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parents[1]


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def one_run(rev: str, python: str) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="setup-bench-") as tmp:
        env = {**os.environ, "UV_CACHE_DIR": str(Path(tmp) / "uv-cache"), "PIP_NO_CACHE_DIR": "1"}
        clone = Path(tmp) / "clone"
        seconds_clone = timed(["git", "clone", "--quiet", "--no-checkout", str(PROJECT_DIR), str(clone)], Path(tmp), env)
        seconds_clone += timed(["git", "checkout", "--quiet", rev], clone, env)
        seconds_plan = timed(["make", "plan", f"PYTHON={python}"], clone, env)
        return seconds_clone, seconds_plan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rev", default="HEAD", help="commit to clone (default: HEAD)")
    parser.add_argument("--python", default="python3", help="interpreter for the clone's ./venv (default: python3)")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    rev = subprocess.run(["git", "rev-parse", "--short", args.rev], cwd=PROJECT_DIR, capture_output=True, text=True, check=True).stdout.strip()
    totals = []
    for run in range(1, args.runs + 1):
        clone, plan = one_run(rev, args.python)
        totals.append(clone + plan)
        print(f"run {run}: clone {clone:.1f} s + make plan (set-up and first plan) {plan:.1f} s = {clone + plan:.1f} s", flush=True)
    print(f"fresh clone of {rev} to first plan ({args.python}, cold caches): median {statistics.median(totals):.1f} s of {args.runs}")


if __name__ == "__main__":
    main()
