"""What the generated workflows run, pinned: every action to a commit SHA, every Python
tool to an exact version with the sha256 of its wheels.

A tag can be moved to other code; a commit SHA cannot. The comment after each `uses:`
line carries the release the SHA belongs to, so a reader (and Dependabot) sees it.
The tool's own environment (release-parity's dependencies, nox and uv among them) is
locked in release/tool-lock.txt for TOOL_PYTHON, the Python every job runs the tool on.

`python -m release.pins` asks GitHub's API for each action's latest release, resolves
its tag to a commit and rewrites the table below in place (GITHUB_TOKEN raises the
rate limit); it resolves the dependencies in pyproject.toml again (uv, newest versions
allowed) and rewrites the lock with the hashes the index lists. Both are a diff to
review and commit; then regenerate the workflows with `nox -s parity -- --write`.
"""

from __future__ import annotations

import argparse
import re
import sys
import tomllib
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import parse_wheel_filename

from release import github, index, proc
from release.errors import ReleaseError

# BEGIN PINS: rewritten by `python -m release.pins`
PINS: dict[str, tuple[str, str]] = {
    "actions/checkout": ("11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"),
    "actions/setup-python": ("a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0"),
    "actions/upload-artifact": ("ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"),
    "actions/download-artifact": ("95815c38cf2ff2164869cbab79da8d1f422bc89e", "v4.2.1"),
    "pypa/gh-action-pypi-publish": ("76f52bc884231f62b9a034ebfe128415bbaabdfc", "v1.12.4"),
    "actions/create-github-app-token": ("3ff1caaa28b64c9cc276ce0a02e2ff584f3900c5", "v2.0.2"),
    "actions/attest-build-provenance": ("a2bbfa25375fe432b6a289bc6b6cd05ecd0c4c32", "v4.1.0"),
}
# END PINS
#: The native wheel builders, used only by a project with `[tool.release.ci] wheels`.
# BEGIN BUILDERS: rewritten by `python -m release.pins`
BUILDERS: dict[str, tuple[str, str]] = {
    "PyO3/maturin-action": ("e83996d129638aa358a18fbd1dfb82f0b0fb5d3b", "v1.51.0"),
    "pypa/cibuildwheel": ("1828c10ab37f080699c7b81cea34097c684a7074", "v4.2.0"),
}
# END BUILDERS

#: Each table's name, as its block's markers and its assignment spell it.
TABLES = {"PINS": PINS, "BUILDERS": BUILDERS}


def _block(table: str) -> re.Pattern[str]:
    return re.compile(rf"(# BEGIN {table}\b[^\n]*\n).*?(# END {table}\b)", re.DOTALL)


def uses(action: str) -> tuple[str, str]:
    """`owner/repo@sha` and the release it is, for a `uses:` line and its comment."""
    sha, version = PINS[action] if action in PINS else BUILDERS[action]
    return f"{action}@{sha}", version


def latest(action: str, api: str = "") -> tuple[str, str]:
    """(commit sha, tag) of the action's latest release, through the one GitHub client."""
    client = github.Client(action, api=api, auth=github.token())
    tag = str(client.get("releases/latest")["tag_name"])
    sha = str(client.get(f"commits/{tag}")["sha"])
    if not re.fullmatch(r"[0-9a-f]{40}", sha):
        raise ReleaseError(f"GitHub API: {action}@{tag} resolved to '{sha}', not a commit SHA")
    return sha, tag


def render(pins: dict[str, tuple[str, str]], table: str = "PINS") -> str:
    rows = "".join(f'    "{action}": ("{sha}", "{tag}"),\n' for action, (sha, tag) in pins.items())
    return f"{table}: dict[str, tuple[str, str]] = {{\n" + rows + "}\n"


def refresh(path: Path, api: str = "", table: str = "PINS") -> list[str]:
    """Rewrite `table` in `path` with each action's latest release; the changes, one a line."""
    pins = TABLES[table]
    fresh = {action: latest(action, api) for action in pins}
    text = path.read_text(encoding="utf-8")
    new = _block(table).sub(lambda match: match[1] + render(fresh, table) + match[2], text, count=1)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return [
        f"{action}: {pins[action][1]} -> {tag} ({sha[:12]})"
        for action, (sha, tag) in fresh.items()
        if (sha, tag) != pins[action]
    ]


# --- the tool's own environment ------------------------------------------------------------

#: The Python release-parity runs on in every generated job, beside the gate's Python.
TOOL_PYTHON = "3.12"
#: release-parity's dependencies locked for TOOL_PYTHON: shipped with the package, copied
#: into every project's .github/release-parity.txt.
LOCK = Path(__file__).with_name("tool-lock.txt")
PYPROJECT = Path(__file__).parents[1] / "pyproject.toml"
PYPI = index.BUILTIN["pypi"].simple
LOCK_HEADER = f"""\
# release-parity's dependencies (nox and uv among them), locked by `python -m release.pins`:
# do not edit by hand. Exact versions for CPython {TOOL_PYTHON} on GitHub's hosted runners
# (Linux x86_64 and arm64, macOS, Windows), each with the sha256 of its wheels.
"""
#: Wheel platforms of GitHub's hosted runners (glibc Linux, macOS, Windows): the jobs
#: install wheels only (`--only-binary :all:`), never run a package's build.
_RUNNER_PLATFORM = re.compile(r"any|macosx_\w+|win_(amd64|arm64)|(many)?linux\w*_(x86_64|aarch64)")


@dataclass(frozen=True)
class Locked:
    """One package of the lock: its exact version, the platforms it is for, its wheels."""

    name: str
    version: str
    marker: str  # "" or a PEP 508 marker (`sys_platform == 'win32'`)
    hashes: tuple[str, ...]

    def lines(self) -> str:
        head = f"{self.name}=={self.version}" + (f" ; {self.marker}" if self.marker else "")
        return " \\\n".join([head, *(f"    --hash=sha256:{digest}" for digest in self.hashes)])


def locked_lines(path: Path = LOCK) -> str:
    """The lock's requirement lines (its comment header left out)."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    return "".join(line for line in lines if not line.startswith("#"))


def _versions(text: str) -> dict[str, str]:
    """Package -> version(s) of a lock's text (a package locked twice, per platform: both)."""
    found: dict[str, list[str]] = {}
    for match in re.finditer(r"(?m)^([\w.-]+)==([^\s;\\]+)", text):
        found.setdefault(match[1], []).append(match[2])
    return {name: ", ".join(versions) for name, versions in found.items()}


def runner_wheel(filename: str) -> bool:
    """Can CPython TOOL_PYTHON install this file on one of GitHub's hosted runners?"""
    if not filename.endswith(".whl"):
        return False
    minor = int(TOOL_PYTHON.split(".")[1])
    cpython, pure = f"cp3{minor}", {"py3", *(f"py3{m}" for m in range(minor + 1))}
    abi3 = {f"cp3{m}" for m in range(2, minor + 1)}
    return any(
        _RUNNER_PLATFORM.fullmatch(tag.platform)
        and (
            (tag.interpreter == cpython and tag.abi in (cpython, "abi3", "none"))
            or (tag.interpreter in abi3 and tag.abi == "abi3")
            or (tag.interpreter in pure and tag.abi == "none")
        )
        for tag in parse_wheel_filename(filename)[3]
    )


def dependencies(pyproject: Path = PYPROJECT) -> list[str]:
    """release-parity's runtime requirements, as its pyproject.toml declares them."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    return [str(requirement) for requirement in data["project"]["dependencies"]]


def resolve(requirements: Sequence[str], index_url: str) -> list[tuple[str, str, str]]:
    """(name, version, marker) of every package `requirements` need on TOOL_PYTHON, on any OS:
    uv's universal resolution, newest versions allowed."""
    uv = [sys.executable, "-m", "uv", "pip", "compile", "-", "--universal", "--no-config"]
    options = ["--python-version", TOOL_PYTHON, "--no-header", "--no-annotate", "--quiet"]
    argv = [*uv, *options, "--index-url", index_url]
    stdin = "".join(f"{requirement}\n" for requirement in requirements)
    output = proc.run(argv, input=stdin, what="uv pip compile (the tool's dependencies)").stdout
    found = []
    for line in output.splitlines():
        if line.strip() and not line.startswith("#"):
            requirement, _, marker = line.partition(";")
            name, _, version = requirement.strip().partition("==")
            found.append((name, version, marker.strip()))
    return found


def _wheels(where: index.Index, name: str, version: str, marker: str) -> Locked:
    digests = sorted(
        {file.sha256 for file in index.files(where, name, version) if runner_wheel(file.filename)}
    )
    if not digests:
        raise ReleaseError(
            f"{name} {version}: {where.simple_url} lists no wheel for CPython {TOOL_PYTHON} on"
            " GitHub's runners",
            f"the jobs install wheels only: bound {name} in pyproject.toml's dependencies to a"
            " version that has them, then run `python -m release.pins` again",
        )
    return Locked(name, version, marker, tuple(digests))


def lock(requirements: Sequence[str], index_url: str = PYPI) -> str:
    """The lock file's text: `requirements` resolved, each wheel's hash read from the index."""
    where = index.resolve(index_url)
    rows = resolve(requirements, index_url)
    with ThreadPoolExecutor(max_workers=8) as pool:
        packages = list(pool.map(lambda row: _wheels(where, *row), rows))
    return LOCK_HEADER + "".join(package.lines() + "\n" for package in packages)


def refresh_lock(path: Path, pyproject: Path, index_url: str = PYPI) -> list[str]:
    """Rewrite the lock at `path` from `pyproject`'s dependencies; the changes, one a line."""
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    new = lock(dependencies(pyproject), index_url)
    if new == old:
        return []
    path.write_text(new, encoding="utf-8")
    before, after = _versions(old), _versions(new)
    changes = []
    for name in sorted({*before, *after}):
        was, now = before.get(name, "(none)"), after.get(name, "(none)")
        if was != now:
            changes.append(f"{name}: {was} -> {now}")
    return changes or ["the same versions; the wheels' hashes changed (a file added or removed)"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m release.pins",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--only", choices=("actions", "builders", "tools"), help="refresh one of the three"
    )
    parser.add_argument(
        "--api", default="", help=f"default: ${github.API_ENV} or {github.DEFAULT_API}"
    )
    parser.add_argument("--file", type=Path, default=Path(__file__), help="the table to rewrite")
    parser.add_argument("--lock", type=Path, default=LOCK, help="the tool lock to rewrite")
    parser.add_argument(
        "--pyproject", type=Path, default=PYPROJECT, help="whose dependencies to lock"
    )
    parser.add_argument("--index", default=PYPI, help=f"a simple API URL (default: {PYPI})")
    args = parser.parse_args(argv)
    changes = []
    try:
        if args.only in (None, "actions"):
            changes += refresh(args.file, args.api)
        if args.only in (None, "builders"):
            changes += refresh(args.file, args.api, "BUILDERS")
        if args.only in (None, "tools"):
            changes += refresh_lock(args.lock, args.pyproject, args.index)
    except ReleaseError as error:
        print(error.render(), file=sys.stderr)
        return error.exit_code
    print("\n".join(changes) if changes else "every pin is the latest release")
    if changes:
        print("next: nox -s parity -- --write, then review and commit the workflows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
