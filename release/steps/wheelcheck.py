"""wheelcheck: prove the built artifacts right before anything is tagged.

Every check runs even when another fails, and the table shows them all, so one run
names every problem: twine's strict check, the wheel's contents, the metadata, paths
that must never ship, files the sdist forgot, and a clean install from the wheel and
from the sdist (release.venvcheck).

The contents check is our own rather than check-wheel-contents: the four rules asked
for are a few lines over the zip listing, they know the configured package (so a stray
top-level module is named without extra flags), and it saves a dependency.
"""

from __future__ import annotations

import re
import sys
import tarfile
import zipfile
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from release import dist, git, package, proc, report, venvcheck
from release.config import Config
from release.forbidden import BUILTIN_FORBIDDEN, forbidden_by
from release.graph import Action, Context, Step
from release.proc import Log
from release.report import Check, run_checks

#: Top-level names that are never a library's own package.
NOT_LIBRARIES = frozenset(
    {"tests", "test", "testing", "docs", "doc", "examples", "benchmarks", "scripts", "build"}
)
LISTED = 10  # paths named in a table cell before "and N more"
REPORT = "wheelcheck.json"


def wheel_files(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return [name for name in archive.namelist() if not name.endswith("/")]


def sdist_files(sdist: Path) -> list[str]:
    """Files of the sdist relative to its top directory (`name-version/`)."""
    with tarfile.open(sdist) as archive:
        return [m.name.partition("/")[2] for m in archive.getmembers() if not m.isdir()]


def _listed(paths: Sequence[str]) -> str:
    shown = ", ".join(paths[:LISTED])
    return shown + (f" and {len(paths) - LISTED} more" if len(paths) > LISTED else "")


def check_twine(paths: Sequence[Path], log: Log) -> Check:
    """`twine check --strict`, with each failing file named and its messages on one line."""
    argv = [sys.executable, "-m", "twine", "--no-color", "check", "--strict", *map(str, paths)]
    result = proc.run(argv, env={"COLUMNS": "1000"}, log=log, check=False)
    if result.ok:
        return Check("twine check", True, "both artifacts pass --strict")
    problems: dict[str, list[str]] = {}
    current = ""
    for line in (result.stdout + result.stderr).splitlines():
        checking = re.match(r"Checking (.+): (\w+)\s*$", line)
        if checking:
            current = Path(checking[1]).name if checking[2] != "PASSED" else ""
            if current:
                problems[current] = []
        elif current and line.strip():
            problems[current].append(line.strip())
    detail = "; ".join(
        f"{name}: {' '.join(' '.join(lines).split())}" for name, lines in problems.items()
    )
    return Check("twine check", False, detail or f"exit {result.returncode}")


def check_contents(wheel: Path, package: str) -> Check:
    """No duplicate entries, no bytecode, nothing stray at the top, the package not empty."""
    names = wheel_files(wheel)
    problems = []
    duplicates = sorted(name for name, count in Counter(names).items() if count > 1)
    if duplicates:
        problems.append("duplicate entries: " + _listed(duplicates))
    compiled = [n for n in names if n.endswith((".pyc", ".pyo")) or "__pycache__/" in n]
    if compiled:
        problems.append("compiled bytecode: " + _listed(compiled))
    library = [n for n in names if not n.split("/")[0].endswith((".dist-info", ".data"))]
    root = package.split(".", maxsplit=1)[0]
    stray = sorted(
        {top for top in (n.split("/")[0] for n in library) if not _belongs(top, root, names)}
    )
    if stray:
        problems.append("stray at the top level: " + _listed(stray))
    prefix = package.replace(".", "/")
    modules = [
        n
        for n in library
        if n.startswith((prefix + "/", prefix + ".")) and n.endswith((".py", ".so", ".pyd"))
    ]
    if not library:
        problems.append("the wheel holds nothing but its metadata")
    elif not modules:
        problems.append(f"package '{package}' is missing or has no modules")
    if problems:
        return Check("wheel contents", False, "; ".join(problems))
    return Check("wheel contents", True, f"{len(names)} files, {len(modules)} modules in {package}")


def _belongs(top: str, root: str, names: Sequence[str]) -> bool:
    """The configured package in any form, a .pth file, or another real package."""
    if top.split(".", maxsplit=1)[0] in (root, f"{root}-stubs") or top.endswith(".pth"):
        return True
    return top not in NOT_LIBRARIES and f"{top}/__init__.py" in names


def check_metadata(wheel: Path, sdist: Path, config: Config, version: str) -> Check:
    """Name, version, Requires-Python, Summary and a licence; the sdist's PKG-INFO agrees."""
    meta = dist.wheel_metadata(wheel)
    name, built = str(meta.get("Name", "")), str(meta.get("Version", ""))
    problems = []
    if config.name and canonicalize_name(name) != canonicalize_name(config.name):
        problems.append(f"Name is '{name}', pyproject.toml says '{config.name}'")
    if not _same_version(built, version):
        problems.append(f"Version is {built}, expected {version}")
    if not meta.get("Requires-Python"):
        problems.append("no Requires-Python (set project.requires-python)")
    if not str(meta.get("Summary", "")).strip():
        problems.append("no Summary (set project.description)")
    classifiers = [str(c) for c in meta.get_all("Classifier", [])]
    licence = (
        meta.get("License-Expression")
        or meta.get("License")
        or next((c.rpartition(" :: ")[2] for c in classifiers if c.startswith("License ::")), "")
    )
    if not licence:
        problems.append("no licence (set project.license)")
    pkg_info = dist.sdist_metadata(sdist)
    sdist_name = canonicalize_name(str(pkg_info.get("Name", "")))
    if (sdist_name, str(pkg_info.get("Version"))) != (canonicalize_name(name), built):
        problems.append(
            f"the sdist's PKG-INFO says {pkg_info.get('Name')} {pkg_info.get('Version')}"
        )
    if problems:
        return Check("metadata", False, "; ".join(problems))
    detail = f"{name} {built}, Requires-Python {meta.get('Requires-Python')}, licence {licence}"
    return Check("metadata", True, detail)


def _same_version(built: str, version: str) -> bool:
    try:
        return Version(built) == Version(version)
    except InvalidVersion:
        return built == version


def check_forbidden(sdist: Path, wheel: Path, patterns: Sequence[str]) -> Check:
    found = [
        f"{path} ({rule}) in the {kind}"
        for kind, paths in (("sdist", sdist_files(sdist)), ("wheel", wheel_files(wheel)))
        for path in paths
        if (rule := forbidden_by(path, patterns))
    ]
    if found:
        return Check("forbidden paths", False, ", ".join(found))
    return Check("forbidden paths", True, f"none of {len(patterns)} patterns match")


def check_complete(
    root: Path, sdist: Path, patterns: Sequence[str], strict: bool, log: Log
) -> Check:
    """Tracked files missing from the sdist (dotfiles and forbidden paths are expected)."""
    tracked = [p for p in git.git(root, "ls-files", "-z", log=log).split("\0") if p]
    shipped = set(sdist_files(sdist))
    missing = [
        p
        for p in tracked
        if p not in shipped
        and not p.startswith(".")
        and not forbidden_by(p, patterns)
        and (root / p).is_file()
    ]
    if not missing:
        return Check("sdist completeness", True, f"all {len(tracked)} tracked files shipped")
    log.write("tracked files missing from the sdist:\n" + "\n".join(missing))
    detail = f"{len(missing)} tracked files not in the sdist: {_listed(missing)}"
    if not strict:
        detail += " (sdist-complete = true makes this an error)"
    return Check("sdist completeness", False, detail, warning=not strict)


def _released_with(context: Context) -> list[str]:
    """pip arguments that find the packages released in the same run (built, not yet on any
    index) in their own dist/: b's wheel needs the a it is released with."""
    if not context.released_with:
        return []
    found = package.discover(package.repository_root(context.root))
    this = next((p for p in found if p.root == context.root), None)
    needed = this.requires(context.released_with) if this else set()
    folders = [p.root / dist.DIST for p in found if canonicalize_name(p.name) in needed]
    return [arg for folder in folders if folder.is_dir() for arg in ("--find-links", str(folder))]


def checks(context: Context, log: Log) -> list[Check]:
    """Every check, each on its own (report.run_checks), in the order of the table."""
    config, root, version = context.config, context.root, str(context.version)
    manifest = dist.read_manifest(root)
    wheel, sdist = manifest.path(root, ".whl"), manifest.path(root, ".tar.gz")
    patterns = (*config.forbidden, *BUILTIN_FORBIDDEN)

    siblings = _released_with(context)

    def install(label: str, artifact: Path) -> list[Check]:
        return venvcheck.install_checks(
            config, version, [str(artifact)], pip_args=siblings, log=log, label=label
        )

    return run_checks(
        [
            ("twine check", lambda: check_twine([sdist, wheel], log)),
            ("wheel contents", lambda: check_contents(wheel, config.package)),
            ("metadata", lambda: check_metadata(wheel, sdist, config, version)),
            ("forbidden paths", lambda: check_forbidden(sdist, wheel, patterns)),
            (
                "sdist completeness",
                lambda: check_complete(root, sdist, patterns, config.sdist_complete, log),
            ),
            ("wheel: install", lambda: install("wheel", wheel)),
            ("sdist: install", lambda: install("sdist", sdist)),
        ]
    )


def wheelcheck(context: Context, log: Log) -> str:
    results = checks(context, log)
    table = report.table(results)
    log.write(table)
    summary = report.conclude(results, "wheelcheck", context.state / REPORT)
    print(table, flush=True)
    warned = [r.name for r in results if r.warning]
    return summary + (f"; warnings: {', '.join(warned)}" if warned else "")


def plan(context: Context) -> list[Action]:
    return [
        Action(
            f"check dist/ for {context.version}: twine, contents, metadata, forbidden "
            "paths, sdist completeness, clean installs from the wheel and the sdist",
            wheelcheck,
        )
    ]


STEP = Step(
    "wheelcheck",
    "check the artifacts: metadata, contents, forbidden paths, clean installs",
    plan,
)
