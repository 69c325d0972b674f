"""Wall time of `nox -s check` on this repository against its slowest gate.

`check` runs every gate (each local Python) and parity in parallel, venvs reused. This
script runs it once to warm the venvs up, then measures it, then runs each gate
session alone, one after the other (the sequential sum, and each gate's own time
without the others competing for the cores).

Target: check's wall time at most 1.25x the slowest gate run alone.
Usage: python benchmarks/check_wall.py [--no-warmup] [--no-alone]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

from release import config, pythons

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.25


def timed(argv: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    result = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, result


def check() -> tuple[float, dict[str, float]]:
    """check's wall time and each step's time inside it (from its summary table)."""
    seconds, result = timed([sys.executable, "-m", "nox", "-s", "check"])
    lines = result.stdout.splitlines()
    if not lines or not lines[-1].startswith("check: "):
        sys.exit(f"nox -s check did not finish:\n{result.stdout}\n{result.stderr}")
    print(f"  {lines[-1]}")
    steps = {}
    for line in lines:
        cells = line.split()
        if len(cells) >= 3 and cells[0].startswith(("gate:", "parity")) and cells[2][-1] == "s":
            steps[cells[0]] = float(cells[2][:-1])
    return seconds, steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--no-warmup", action="store_true", help="venvs are already there")
    parser.add_argument("--no-alone", action="store_true", help="skip the sequential runs")
    args = parser.parse_args()
    sessions, _ = pythons.local_sessions(config.load(ROOT))
    if not args.no_warmup:
        print("warm-up: nox -s check (creates or refreshes the venvs)")
        check()
    print("measured: nox -s check")
    wall, inside = check()
    for name, seconds in sorted(inside.items(), key=lambda item: -item[1]):
        print(f"  {name:<24} {seconds:7.1f} s inside check")
    print(f"  {'check wall time':<24} {wall:7.1f} s")
    slowest_inside = max(inside.values())
    alone: dict[str, float] = {}
    if not args.no_alone:
        print("each gate alone, one after the other (--reuse-venv yes):")
        for session in sessions:
            argv = [sys.executable, "-m", "nox", "-s", session, "--reuse-venv", "yes"]
            alone[session], _ = timed(argv)
            print(f"  {session:<24} {alone[session]:7.1f} s")
        print(f"  {'sequential sum':<24} {sum(alone.values()):7.1f} s")
    slowest = max(alone.values()) if alone else slowest_inside
    ratio = wall / slowest
    what = "alone" if alone else "inside check"
    print(f"slowest gate ({what}): {slowest:.1f} s; check / slowest = {ratio:.2f}"
          f" (target <= {TARGET}): {'ok' if ratio <= TARGET else 'MISSED'}")  # fmt: skip
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
