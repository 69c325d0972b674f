#!/usr/bin/env python3
"""Next version and full changelog from Conventional Commits: release-parity against its peers.

One command from a fresh clone (needs git, Python >= 3.11, PyPI, and ../shared/bench/mkrepo.py):

    python benchmarks/commits_bench.py [--sizes 1000,10000,50000] [--runs 5]

It makes the histories with mkrepo.py (cached under benchmarks/.cache), installs
release-parity (editable, this checkout) and each peer -- commitizen,
python-semantic-release, git-cliff -- into its own venv under benchmarks/.venvs, runs
every command several times (round-robin) on the same history and prints one markdown
table: median wall time and peak RSS (the process or its largest child), with the raw
`git log` reading the same commits as the floor. It checks that every tool names the
same next version (and fails when release-parity and commitizen disagree) and prints the
targets of the issue as pass/fail. The table is also written to benchmarks/results/commits.md.

Children are started with subprocess + os.wait4 here, not release.proc.run: the timing
and the RSS of each run are the point.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import venv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = HERE / ".cache"
VENVS = HERE / ".venvs"
RESULTS = HERE / "results" / "commits.md"
MKREPO = ROOT.parent / "shared" / "bench" / "mkrepo.py"
NOXFILE = "from release.adapters.nox_sessions import register\n\nregister()\n"
SLOW = 5.0  # seconds: a command this slow runs at most 3 times
PEERS = {  # venv name -> what pip installs
    "commitizen": "commitizen",
    "python-semantic-release": "python-semantic-release",
    "git-cliff": "git-cliff",
}


@dataclass(frozen=True)
class Tool:
    name: str
    argv: tuple[str, ...]
    restore: bool = False  # it writes CHANGELOG.md: put the file back after each run


@dataclass(frozen=True)
class Result:
    task: str
    tool: str
    wall: float  # median seconds
    rss_mb: float  # peak RSS of the heaviest run, MiB
    runs: int


def bin_of(name: str, script: str) -> str:
    return str(VENVS / name / "bin" / script)


def ensure_venv(name: str, requirement: Sequence[str]) -> None:
    """A venv under benchmarks/.venvs with `requirement` installed (once)."""
    marker = VENVS / name / ".installed"
    wanted = " ".join(requirement)
    if marker.exists() and marker.read_text() == wanted:
        return
    print(f"installing {wanted} into benchmarks/.venvs/{name} ...", file=sys.stderr)
    venv.create(VENVS / name, with_pip=True, clear=True)
    subprocess.run([bin_of(name, "python"), "-m", "pip", "install", "-q", *requirement], check=True)
    marker.write_text(wanted)


def version_of(name: str, distribution: str) -> str:
    out = subprocess.run(
        [bin_of(name, "python"), "-m", "pip", "show", distribution],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    found = re.search(r"^Version: (\S+)", out, re.MULTILINE)
    return found[1] if found else "?"


def history(size: int, seed: int) -> Path:
    """The mkrepo history of `size` commits, cached per size, seed and mkrepo.py content."""
    digest = hashlib.sha256(MKREPO.read_bytes()).hexdigest()[:10]
    path = CACHE / f"repo-{size}-s{seed}-{digest}"
    if not (path / ".git").exists():
        shutil.rmtree(path, ignore_errors=True)
        CACHE.mkdir(parents=True, exist_ok=True)
        print(f"making a {size}-commit history ...", file=sys.stderr)
        subprocess.run(
            [sys.executable, str(MKREPO), str(size), str(path), "--seed", str(seed)], check=True
        )
    (path / "noxfile.py").write_text(NOXFILE)  # the two adoption lines, for `nox -s ...`
    return path


def last_tag(repo: Path) -> str:
    return subprocess.run(
        ["git", "describe", "--tags", "--abbrev=0"], cwd=repo, capture_output=True, text=True,
        check=True,
    ).stdout.strip()  # fmt: skip


def once(argv: Sequence[str], repo: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB: the command or its largest descendant) of one run.

    The RSS comes from GNU time when it is installed: a child forked from this Python
    process would carry this process's own ~20 MiB into its ru_maxrss (Linux records the
    pre-exec peak at exec), which would hide the small figures. Without it: os.wait4.
    """
    timer = shutil.which("time") or ""
    with tempfile.NamedTemporaryFile("r") as report:
        prefix = [timer, "-f", "%M", "-o", report.name] if timer else []
        start = time.perf_counter()
        child = subprocess.Popen(
            [*prefix, *argv], cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        peak = int(report.read().split()[-1]) if timer else usage.ru_maxrss
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(argv)} failed in {repo}")
    return wall, peak


def measure(all_tools: dict[str, list[Tool]], repo: Path, runs: int) -> list[Result]:
    """Every command `runs` times, round-robin: a burst of load elsewhere on the machine
    hits all tools alike instead of one. A command slower than SLOW stops after 3 runs."""
    commands = [(task, tool) for task, group in all_tools.items() for tool in group]
    walls: dict[str, list[float]] = {tool.name: [] for _, tool in commands}
    peaks = dict.fromkeys(walls, 0)
    for round_ in range(runs):
        for _, tool in commands:
            if round_ >= 3 and walls[tool.name][0] >= SLOW:
                continue
            wall, rss = once(tool.argv, repo)
            walls[tool.name].append(wall)
            peaks[tool.name] = max(peaks[tool.name], rss)
            if tool.restore:
                subprocess.run(
                    ["git", "checkout", "-q", "--", "CHANGELOG.md"], cwd=repo, check=True
                )
    results = []
    for task, tool in commands:
        taken = walls[tool.name]
        results.append(Result(task, tool.name, statistics.median(taken), peaks[tool.name] / 1024,
                              len(taken)))  # fmt: skip
        print(f"  {task:<9} {tool.name:<50} {results[-1].wall:8.3f} s"
              f" {results[-1].rss_mb:7.1f} MiB", file=sys.stderr)  # fmt: skip
    return results


def output(argv: Sequence[str], repo: Path) -> str:
    """The last line of stdout: the version a tool names."""
    out = subprocess.run(list(argv), cwd=repo, capture_output=True, text=True, check=True).stdout
    return out.strip().splitlines()[-1].strip() if out.strip() else ""


def tools(repo: Path) -> dict[str, list[Tool]]:
    python, nox = bin_of("release-parity", "python"), bin_of("release-parity", "nox")
    cz, psr = bin_of("commitizen", "cz"), bin_of("python-semantic-release", "semantic-release")
    cliff = bin_of("git-cliff", "git-cliff")
    fmt = "--format=%H %P%n%B"
    return {
        "next": [
            Tool("git log since the last tag (floor)",
                 ("git", "log", fmt, f"{last_tag(repo)}..HEAD")),
            Tool("release-parity: python -m release next", (python, "-m", "release", "next")),
            Tool("release-parity: nox -s next", (nox, "-s", "next")),
            Tool("commitizen: cz bump --get-next", (cz, "bump", "--get-next")),
            Tool("python-semantic-release: --noop version --print",
                 (psr, "--noop", "version", "--print")),
            Tool("git-cliff: --bumped-version", (cliff, "--bumped-version")),
        ],
        "changelog": [
            Tool("git log, whole history (floor)", ("git", "log", fmt)),
            Tool("release-parity: python -m release changelog --all",
                 (python, "-m", "release", "changelog", "--all")),
            Tool("release-parity: nox -s changelog -- --all",
                 (nox, "-s", "changelog", "--", "--all")),
            Tool("commitizen: cz changelog --dry-run", (cz, "changelog", "--dry-run")),
            Tool("python-semantic-release: changelog", (psr, "changelog"), restore=True),
            Tool("git-cliff", (cliff,)),
        ],
    }  # fmt: skip


def agreement(repo: Path, all_tools: dict[str, list[Tool]]) -> tuple[str, bool]:
    """Every tool's next version on this history; release-parity must match commitizen."""
    names = {}
    for tool in all_tools["next"]:
        if "(floor)" not in tool.name:
            names[tool.name.split(":")[0]] = output(tool.argv, repo).removeprefix("v")
    ours, cz = names["release-parity"], names["commitizen"]
    shown = ", ".join(f"{name} {version}" for name, version in names.items())
    return shown, ours == cz


def startup(repo: Path, runs: int) -> list[str]:
    """What `python -m release next` spends before and around its work, in lines."""
    python = bin_of("release-parity", "python")
    modules = "import release.cli, release.commits, release.version_files"
    bare, imports, whole = measure(
        {
            "start-up": [
                Tool("interpreter", (python, "-c", "pass")),
                Tool("interpreter + imports", (python, "-c", modules)),
                Tool("python -m release next", (python, "-m", "release", "next")),
            ]
        },
        repo,
        runs,
    )
    err = subprocess.run(
        [python, "-X", "importtime", "-m", "release", "next"],
        cwd=repo, capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    top = re.findall(r"^import time:\s+\d+ \|\s+(\d+) \| (?! )(\S+)$", err, re.MULTILINE)
    heaviest = sorted(((int(us), name) for us, name in top), reverse=True)[:6]
    return [
        f"Start-up of `python -m release next` ({repo.name}): interpreter"
        f" {bare.wall * 1000:.0f} ms, with the command's imports {imports.wall * 1000:.0f} ms,"
        f" the whole command {whole.wall * 1000:.0f} ms (medians of {bare.runs}).",
        "Heaviest top-level imports (`python -X importtime -m release next`, cumulative): "
        + ", ".join(f"{name} {us / 1000:.1f} ms" for us, name in heaviest)
        + ".",
    ]


def table(results: dict[int, list[Result]]) -> str:
    lines = [
        "| commits | task | tool | median wall | peak RSS | x release-parity |",
        "|---:|---|---|---:|---:|---:|",
    ]
    for size, rows in results.items():
        for row in rows:
            ours = next(
                r.wall
                for r in rows
                if r.task == row.task and r.tool.startswith("release-parity: p")
            )
            ratio = "" if "(floor)" in row.tool else f"{row.wall / ours:.1f}x"
            lines.append(
                f"| {size:,} | {row.task} | {row.tool} | {row.wall:.3f} s | {row.rss_mb:.0f} MiB"
                f" | {ratio} |"
            )
    return "\n".join(lines)


def targets(rows: Sequence[Result]) -> list[str]:
    """The issue's targets on the 50,000-commit history."""

    def wall(task: str, prefix: str) -> Result:
        return next(r for r in rows if r.task == task and r.tool.startswith(prefix))

    ours_next = wall("next", "release-parity: p")
    ours_log = wall("changelog", "release-parity: p")
    checks = [
        (f"next <= 0.25 s ({ours_next.wall:.3f} s)", ours_next.wall <= 0.25),
        (f"changelog <= 0.8 s ({ours_log.wall:.3f} s)", ours_log.wall <= 0.8),
        (f"changelog <= 150 MiB ({ours_log.rss_mb:.0f} MiB)", ours_log.rss_mb <= 150),
    ]
    for task, ours, peer, factor in [
        ("next", ours_next, "commitizen", 2),
        ("next", ours_next, "python-semantic-release", 10),
        ("changelog", ours_log, "commitizen", 2),
        ("changelog", ours_log, "git-cliff", 10),
        ("changelog", ours_log, "python-semantic-release", 10),
    ]:
        ratio = wall(task, peer).wall / ours.wall
        checks.append((f"{task}: >= {factor}x faster than {peer} ({ratio:.1f}x)", ratio >= factor))
    return [f"- [{'x' if ok else ' '}] {text}" for text, ok in checks]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="commits per history")
    parser.add_argument("--runs", type=int, default=5, help="runs per command (slow ones: 3)")
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args()
    if not MKREPO.exists():
        raise SystemExit(f"{MKREPO} not found: the histories are made by ../shared/bench/mkrepo.py")

    ensure_venv("release-parity", ["-e", str(ROOT)])
    for name, requirement in PEERS.items():
        ensure_venv(name, [requirement])
    versions = {name: version_of(name, name) for name in PEERS}

    load_before = os.getloadavg()[0]
    results: dict[int, list[Result]] = {}
    agreements = []
    ok = True
    for size in (int(s) for s in args.sizes.split(",")):
        repo = history(size, args.seed)
        print(f"{size} commits ({repo.name}, last tag {last_tag(repo)}):", file=sys.stderr)
        all_tools = tools(repo)
        shown, agree = agreement(repo, all_tools)
        ok &= agree
        agreements.append(f"- {size:,} commits: {shown}{'' if agree else '  <-- DISAGREE'}")
        results[size] = measure(all_tools, repo, args.runs)
    starting = startup(history(min(results), args.seed), 2 * args.runs)

    git_version = output(("git", "version"), ROOT).split()[-1]
    peers = ", ".join(f"{name} {version}" for name, version in versions.items())
    lines = [
        table(results),
        "",
        f"Peers: {peers}; git {git_version}; Python {sys.version.split()[0]};"
        f" {os.cpu_count()} CPUs, load average {load_before:.1f} before and"
        f" {os.getloadavg()[0]:.1f} after; median of {args.runs} runs (3 for runs over"
        f" {SLOW:.0f} s); peak RSS from {'GNU time' if shutil.which('time') else 'os.wait4'}.",
        "",
        "Next version named by each tool:",
        *agreements,
        "",
        *starting,
    ]
    if max(results) >= 50_000:
        lines += ["", f"Targets ({max(results):,} commits):", *targets(results[max(results)])]
    report = "\n".join(lines)
    print(report)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(report + "\n")
    if not ok:
        print("error: release-parity and commitizen disagree on the next version", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
