"""Wall time of `python -m release init` on a large repository: 50,000 commits, 2,000 files.

Target: under 1 s. Usage: python benchmarks/init_speed.py [runs] [commits]

The repository is built once into a temp dir: ../shared/bench/mkrepo.py makes a history
of conventional commits (a pyproject with [project], a package under src/), then one
commit adds files of realistic sizes up to 2,000 in all: the package's modules and a
subpackage with its own version, tests, fixtures and example policy YAMLs with
`version: "1.0"`, vendored code, docs pages, binary images and a CITATION.cff. The
table gives the median and the worst wall time of `runs` runs of the command as a user
types it (with the bytecode cache an installed package has, and without one), and of the
version scan alone (in this process, which reads only the candidate files), with the
median CPU time, which other jobs on the machine disturb less than the wall time.
"""

from __future__ import annotations

import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
MKREPO = HERE.parent.parent / "shared" / "bench" / "mkrepo.py"
TOTAL_FILES = 2_000
#: (folder, suffix, share of the added files, median size in bytes)
KINDS = (
    ("src/demo_pkg/core", ".py", 0.30, 6_000),
    ("src/demo_pkg/plugins", ".py", 0.08, 4_000),
    ("tests", ".py", 0.20, 5_000),
    ("tests/fixtures/policies", ".yaml", 0.08, 800),
    ("examples/policies", ".yml", 0.05, 600),
    ("src/demo_pkg/_vendor/six_like", ".py", 0.07, 12_000),
    ("docs/guide", ".md", 0.14, 3_000),
    ("docs/images", ".png", 0.05, 40_000),
    ("data", ".json", 0.03, 2_000),
)
PROJECT_FILES = {
    ".github/workflows/ci.yml": """\
name: CI
on: [push, pull_request]
jobs:
  tests:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        python-version: ["3.11", "3.12"]
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: ${{ matrix.python-version }}
      - run: pip install -e . pytest
      - run: pytest tests -q
""",
    "tox.ini": "[tox]\nenv_list = py311\n\n[testenv]\ndeps = pytest\ncommands = pytest tests\n",
    "Makefile": "test:\n\tpytest tests\n",
    ".pre-commit-config.yaml": """\
repos:
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: v0.6.0
    hooks:
      - id: ruff
""",
}
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench",
    "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench",
    "GIT_COMMITTER_EMAIL": "bench@example.invalid",
}


def _git(root: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=root, check=True, capture_output=True, text=True
    ).stdout


def _text(rng: random.Random, suffix: str, size: int, index: int) -> bytes:
    """Content of about `size` bytes that looks like the kind of file it stands for."""
    if suffix == ".png":
        return b"\x89PNG\r\n\x1a\n" + rng.randbytes(size)
    if suffix in (".yaml", ".yml"):
        line = f"  - rule: r{index}\n    action: allow\n    match: 'path/{index}/**'\n"
        return (f'version: "1.0"\nname: policy-{index}\nrules:\n' + line * (size // 60)).encode()
    if suffix == ".json":
        return ('{"version": "2.1", "rows": [' + "1, " * (size // 3) + "0]}\n").encode()
    if suffix == ".md":
        return (f"# Page {index}\n\n" + "Some prose about the library. " * (size // 30)).encode()
    body = f"def function_{index}(value: int) -> int:\n    return value * {index}\n\n\n"
    return (f'"""Module {index}."""\n\n' + body * (size // len(body) + 1)).encode()


def _add_files(root: Path, version: str) -> int:
    """The files a real project has beside its history: TOTAL_FILES in all."""
    for package in ("src/demo_pkg/core", "src/demo_pkg/plugins", "src/demo_pkg/_vendor"):
        (root / package).mkdir(parents=True, exist_ok=True)
        (root / package / "__init__.py").write_text('__version__ = "0.3.1"\n')
    for path, text in PROJECT_FILES.items():  # mkrepo's are one-line stand-ins
        (root / path).write_text(text)
    (root / "CITATION.cff").write_text(
        f'cff-version: 1.2.0\ntitle: demo-pkg\nversion: "{version}"\ndate-released: 2025-01-01\n'
    )
    _git(root, "add", "-A")
    wanted = TOTAL_FILES - len(_git(root, "ls-files").splitlines())
    rng = random.Random(7)
    counts = [round(wanted * share) for _, _, share, _ in KINDS]
    counts[-1] += wanted - sum(counts)
    for (folder, suffix, _, median), count in zip(KINDS, counts, strict=True):
        (root / folder).mkdir(parents=True, exist_ok=True)
        for index in range(count):
            size = min(int(rng.lognormvariate(0, 0.8) * median), 400_000)
            (root / folder / f"file_{index:04d}{suffix}").write_bytes(
                _text(rng, suffix, size, index)
            )
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "chore: add the rest of the project")
    return len(_git(root, "ls-files").splitlines())


def build(root: Path, commits: int) -> tuple[int, int]:
    """mkrepo's history (one commit short), plus the commit that adds the files."""
    subprocess.run(
        [sys.executable, str(MKREPO), str(commits - 1), str(root)], check=True, capture_output=True
    )
    version = _git(root, "describe", "--tags", "--abbrev=0").strip().removeprefix("v")
    files = _add_files(root, version)
    return int(_git(root, "rev-list", "--count", "HEAD")), files


def _cpu() -> float:
    """CPU seconds of this process and its finished children: steady on a busy machine."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(action: Callable[[], object], runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of each run."""
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), _cpu()
        action()
        walls.append(time.perf_counter() - started)
        cpus.append(_cpu() - cpu)
    return walls, cpus


def _init(root: Path, env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "release", "init"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        sys.exit(f"python -m release init failed ({done.returncode}):\n{done.stderr}")


def _scan(root: Path) -> None:
    from release import config, version_files
    from release.adoption.version_scan import scan

    loaded = config.load(root)
    scan(loaded, str(version_files.current_version(loaded)))


def environments(temp: str) -> tuple[dict[str, str], dict[str, str]]:
    """As installed (bytecode cached, in the temp dir), and with no bytecode cache at all."""
    cached = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    cached["PYTHONPYCACHEPREFIX"] = str(Path(temp) / "pycache")
    return cached, {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    commits = int(sys.argv[2]) if len(sys.argv) > 2 else 50_000
    os.environ.update(GIT_ENV)
    with tempfile.TemporaryDirectory() as temp:
        root = Path(temp) / "demo-pkg"
        started = time.perf_counter()
        count, files = build(root, commits)
        print(f"built {count} commits, {files} files in {time.perf_counter() - started:.0f} s\n")
        cached, uncached = environments(temp)
        _init(root, cached)  # writes the bytecode cache, as installing a package does
        print(f"| {count:,} commits, {files:,} files ({runs} runs) | median s | max s | CPU s |")
        print("|---|---|---|---|")
        for label, action in (
            ("`python -m release init` (target < 1 s)", lambda: _init(root, cached)),
            ("the same without a bytecode cache", lambda: _init(root, uncached)),
            ("version scan alone (in process)", lambda: _scan(root)),
        ):
            walls, cpus = timed(action, runs)
            median, worst, cpu = statistics.median(walls), max(walls), statistics.median(cpus)
            print(f"| {label} | {median:.3f} | {worst:.3f} | {cpu:.3f} |")


if __name__ == "__main__":
    main()
