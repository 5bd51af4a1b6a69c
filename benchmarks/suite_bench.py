"""Wall time of the whole test suite (`python -m pytest -q`), run N times; prints the median.

Usage: venv/bin/python benchmarks/suite_bench.py [N]   (default 3). Not a test: nothing is asserted.
"""

from __future__ import annotations

import platform
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


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    import os

    print(f"machine: {cpu_model()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=PROJECT_DIR, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        print(f"  {times[-1]:.1f} s  {done.stdout.strip().splitlines()[-1]}")
    print(f"test suite: median {statistics.median(times):.1f} s over {runs} runs")


if __name__ == "__main__":
    main()
