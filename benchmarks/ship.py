"""Wall time of shipping: a whole local release, each of its steps, a resume, a no-op re-run.

Uses the demo's sample project and a pypiserver on 127.0.0.1 (release/demo.py), CI wait
off. Per run: the full `release VERSION --execute --no-wait-ci` (and each step's time
from the journal); the same command once more ("already released"); and a release
killed mid-upload (SIGKILL between the wheel and the sdist), then the resuming run alone.
Targets: a full local release of the sample under 15 s; the resume under half of that;
the already-released answer under 1 s.

Usage: python benchmarks/ship.py [runs]
"""

from __future__ import annotations

import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from release import demo

RELEASE = [sys.executable, "-m", "release", "release", demo.VERSION, "--execute", "--no-wait-ci"]


def timed(cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(RELEASE, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if result.returncode not in (0, -9):  # -9: the kill we asked for
        sys.exit(f"the release failed ({result.returncode}):\n{result.stderr}")
    return seconds


def one_run(base: Path, url: str, env: dict[str, str]) -> dict[str, float]:
    found: dict[str, float] = {}
    full = base / f"full-{secrets.token_hex(3)}"
    demo.make_project(full, url, name=f"bench-{full.name}")
    found["full release"] = timed(full, env)
    journal = json.loads((full / ".release" / "journal.json").read_text())
    for step, data in journal["steps"].items():
        found[f"  step {step}"] = float(data["seconds"])
    found["already released (same command again)"] = timed(full, env)

    killed = base / f"killed-{secrets.token_hex(3)}"
    demo.make_project(killed, url, name=f"bench-{killed.name}")
    timed(killed, {**env, "RELEASE_TEST_KILL_AT": "mid-upload"})
    found["resume after SIGKILL mid-upload"] = timed(killed, env)
    return found


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    password = secrets.token_urlsafe(12)
    env = {**os.environ, **demo.GIT_IDENTITY, "TWINE_USERNAME": demo.USER,
           "TWINE_PASSWORD": password}  # fmt: skip
    results: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-ship-") as temp:
        base = Path(temp)
        with demo.pypiserver(base / "index", {demo.USER: password}) as url:
            for _ in range(runs):
                for name, seconds in one_run(base, url, env).items():
                    results.setdefault(name, []).append(seconds)
    width = max(len(name) for name in results)
    print(f"{'measure':<{width}}  median s  min s   ({runs} runs)")
    for name, values in results.items():
        print(f"{name:<{width}}  {statistics.median(values):>8.2f}  {min(values):>5.2f}")


if __name__ == "__main__":
    main()
