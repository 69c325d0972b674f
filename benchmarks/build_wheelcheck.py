"""Wall time of build and wheelcheck on the small fixture projects, one per backend.

Measures, per backend: `python -m release build`, `python -m release wheelcheck` on a
fresh dist/ (the checks alone), the clean-install check alone (uv: venv, install,
import, __version__, __all__, console scripts, smoke) from the wheel and from the
sdist, and whether a rebuild of the same commit gives the same bytes.
Target: the clean install from the wheel in at most 3 s.

Usage: python benchmarks/build_wheelcheck.py [runs]
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from release import config
from release.proc import Log
from release.venvcheck import install_checks

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "wheelcheck"
BACKENDS = {
    "hatchling": "good-hatchling",
    "setuptools": "good-setuptools",
    "flit-core": "good-flit",
}


def timed(action: Callable[[], object], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return times


def cli(root: Path, *args: str) -> None:
    subprocess.run([sys.executable, "-m", "release", *args], cwd=root, check=True,
                   capture_output=True)  # fmt: skip


def manifest(root: Path) -> dict[str, str]:
    data = json.loads((root / "dist" / "manifest.json").read_text())
    return {("wheel" if f["filename"].endswith(".whl") else "sdist"): f["sha256"]
            for f in data["files"]}  # fmt: skip


def fresh(root: Path) -> None:
    """Artifacts as new as after a build: uv cannot reuse the wheel it built from the sdist."""
    for artifact in (root / "dist").iterdir():
        if artifact.name.endswith((".whl", ".tar.gz")):
            artifact.touch()


def check(root: Path) -> None:
    fresh(root)
    cli(root, "wheelcheck")


def install(root: Path, suffix: str) -> None:
    fresh(root)
    artifact = next((root / "dist").glob(f"*{suffix}"))
    results = install_checks(config.load(root), "1.0.0", [str(artifact)], log=Log(None))
    assert all(r.ok for r in results), results


def cell(times: list[float]) -> str:
    return f"{statistics.median(times):.2f} / {max(times):.2f}"


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    os.environ.pop("SOURCE_DATE_EPOCH", None)  # build takes it from HEAD
    for role in ("AUTHOR", "COMMITTER"):
        os.environ.update({f"GIT_{role}_NAME": "bench", f"GIT_{role}_EMAIL": "b@example.org"})
    print(f"median / max seconds over {runs} runs (uv's cache warm with the build backends)\n")
    print("| backend | build | wheelcheck | clean install: wheel | clean install: sdist |"
          " same bytes on rebuild |")  # fmt: skip
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as temp:
        for backend, fixture in BACKENDS.items():
            root = Path(temp) / fixture
            shutil.copytree(FIXTURES / fixture, root)
            for argv in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "init"]):
                subprocess.run(["git", *argv], cwd=root, check=True)
            cli(root, "build")  # warm the caches
            first = manifest(root)
            build = timed(partial(cli, root, "build"), runs)
            same = ", ".join(f"{kind}: {'yes' if first[kind] == sha else 'no'}"
                             for kind, sha in manifest(root).items())  # fmt: skip
            checks = timed(partial(check, root), runs)
            wheel = timed(partial(install, root, ".whl"), runs)
            sdist = timed(partial(install, root, ".tar.gz"), runs)
            print(f"| {backend} | {cell(build)} | {cell(checks)} | {cell(wheel)} | {cell(sdist)}"
                  f" | {same} |")  # fmt: skip


if __name__ == "__main__":
    main()
