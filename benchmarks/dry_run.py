"""Wall time of the dry run (`nox -s release -- 1.0.23a1`) on the realistic fixture.

Target: under 1 s. Usage: python benchmarks/dry_run.py [runs]
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

FIXTURE = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "realistic"
BIN = Path(sys.executable).parent


def timed(argv: list[str], cwd: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp) / "enforcecore"
        shutil.copytree(FIXTURE, root)
        for role in ("AUTHOR", "COMMITTER"):
            os.environ.update({f"GIT_{role}_NAME": "bench", f"GIT_{role}_EMAIL": "b@example.org"})
        for argv in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "init"]):
            subprocess.run(["git", *argv], cwd=root, check=True)
        print(f"| command (dry run, {runs} runs) | median s | max s |")
        print("|---|---|---|")
        for label in ("nox -s release -- 1.0.23a1", "python -m release release 1.0.23a1"):
            program, *args = label.split()
            executable = sys.executable if program == "python" else str(BIN / program)
            times = timed([executable, *args], root, runs)
            print(f"| `{label}` | {statistics.median(times):.3f} | {max(times):.3f} |")


if __name__ == "__main__":
    main()
