"""release-parity pinned in the project: the tool that generated the workflows is the one
CI and `pipx run nox` run, and parity fails when another one runs.

Every generated job installs `.github/release-parity.txt` with `pip --require-hashes`:
release-parity at the version that wrote the file, then the lock shipped with that
version (release/tool-lock.txt: its dependencies, nox and uv among them). The hashes of
release-parity's own files cannot ship inside them: they are read from the index the
tool was installed from (UV_DEFAULT_INDEX, UV_INDEX_URL or PIP_INDEX_URL, else PyPI)
when the file is first written for a version, and kept while the version stays. A tool
installed from a checkout or a file is pinned without hashes, and pip refuses the file:
a version that is not on the index cannot be installed in CI anyway.

The noxfile's PEP 723 script block pins the same version, so nox (or `pipx run nox`,
`uvx nox`) runs exactly that release-parity. A project whose `[tool.release.ci]
bootstrap` installs release-parity from elsewhere (release-parity's own repository:
`["."]`) pins its dependencies only.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from release import index, pins
from release.config import CI, Config
from release.errors import ReleaseError

DISTRIBUTION = "release-parity"
REQUIREMENTS = ".github/release-parity.txt"
NOXFILE = "noxfile.py"
FIX = "nox -s parity -- --write"
INDEX_VARIABLES = ("UV_DEFAULT_INDEX", "UV_INDEX_URL", "PIP_INDEX_URL")
#: How to run a newer release-parity's `parity --write` where nox would run the pinned one.
UPGRADE = "pipx run --spec release-parity==NEW release-parity parity --write"
HEADER = f"""\
# Every job of the generated workflows installs these on Python {pins.TOOL_PYTHON} (release-parity's
# own, beside the gate's) with pip --require-hashes: release-parity at the version that
# wrote this file, then its dependencies (nox and uv among them), locked for it. To
# upgrade, run the new version's `parity --write`, e.g.
# `{UPGRADE}`: it rewrites this
# file and the noxfile's pin; review the diff and commit it.
"""
UNHASHED = """\
# No hashes for release-parity: it was not installed from an index here, or the index
# does not list this version. pip refuses this file until `parity --write` runs with
# this version installed from the index.
"""
BOOTSTRAPPED = f"""\
# Every job of the generated workflows installs these on Python {pins.TOOL_PYTHON} (release-parity's
# own, beside the gate's) with pip --require-hashes: release-parity's dependencies (nox and
# uv among them), locked for it. release-parity itself is installed from {{bootstrap}}
# ([tool.release.ci] bootstrap) after them, without dependencies: it is not pinned here.
"""
_SCRIPT_BLOCK = re.compile(
    r"(?m)^# /// script\s*$\n(?P<content>(?:^#(?: .*)?$\n)*?)^# ///\s*$"
)  # PEP 723's regex, for the `script` type
_TOOL_ENTRY = re.compile(
    r"""(?P<quote>["'])(?P<requirement>release[-_.]parity\b[^"']*)(?P=quote)"""
)


@dataclass(frozen=True)
class Tool:
    """The release-parity that is running: its version, and where it was installed from."""

    version: str
    origin: str  # "" from an index; else the URL of the checkout, wheel or archive
    requires_python: str


@functools.cache
def running() -> Tool:
    """The installed release-parity, as nox's script mode sees it (its metadata)."""
    from release import __version__

    try:
        dist = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return Tool(__version__, "a source tree", ">=3.11")
    direct = dist.read_text("direct_url.json")
    origin = str(json.loads(direct).get("url", "a URL")) if direct else ""
    return Tool(dist.version, origin, dist.metadata["Requires-Python"] or ">=3.11")


def pinned(config: Config) -> bool:
    """Does this project pin release-parity, or install it from its bootstrap entries?"""
    return config.ci.bootstrap == CI.bootstrap


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


# --- .github/release-parity.txt ------------------------------------------------------------


def requirements(config: Config) -> str:
    """The text of .github/release-parity.txt: what every generated job installs."""
    from release.workflows import MARKER

    first = f"{MARKER} from [tool.release] in pyproject.toml: do not edit by hand.\n"
    lock = pins.locked_lines()
    if not pinned(config):
        bootstrap = " ".join(f"`{entry}`" for entry in config.ci.bootstrap)
        return first + BOOTSTRAPPED.format(bootstrap=bootstrap) + lock
    return first + HEADER + _tool_lines(config, running()) + lock


def _tool_lines(config: Config, tool: Tool) -> str:
    """release-parity's own requirement: the committed one while it pins this version with
    hashes (no index asked), else this version with the hashes the index lists now."""
    pin = re.escape(f"{DISTRIBUTION}=={tool.version}")
    committed = _read(config.root / REQUIREMENTS)
    kept = re.search(rf"(?m)^{pin}( \\\n    --hash=sha256:[0-9a-f]{{64}})+\n", committed)
    if kept:
        return kept[0]
    digests = _index_hashes(tool)
    if not digests:
        return UNHASHED + f"{DISTRIBUTION}=={tool.version}\n"
    hashes = "".join(f" \\\n    --hash=sha256:{digest}" for digest in digests)
    return f"{DISTRIBUTION}=={tool.version}{hashes}\n"


def index_url() -> str:
    """Where the running release-parity was installed from: the installer's index setting."""
    return next((os.environ[name] for name in INDEX_VARIABLES if os.environ.get(name)), pins.PYPI)


@functools.cache
def _index_hashes(tool: Tool) -> tuple[str, ...]:
    """sha256 of each file of this release-parity on the index; () when there is none."""
    if tool.origin:
        return ()
    url = index_url()
    try:
        files = index.files(index.resolve(url), DISTRIBUTION, tool.version)
    except ReleaseError as error:
        reason = f"release-parity's hashes could not be read from {url} ({error.message})"
        print(f"note: {REQUIREMENTS}: {reason}: pinned without them", file=sys.stderr)
        return ()
    return tuple(sorted({file.sha256 for file in files}))


def _requirement(text: str) -> str | None:
    """The version a requirement pins with `==`; '' when it pins none; None: not release-parity."""
    try:
        requirement = Requirement(text)
    except InvalidRequirement:
        return None
    if canonicalize_name(requirement.name) != DISTRIBUTION:
        return None
    exact = [spec.version for spec in requirement.specifier if spec.operator == "=="]
    return exact[0] if len(exact) == 1 and len(requirement.specifier) == 1 else ""


def requirements_pin(text: str) -> str | None:
    """The release-parity version a requirements file pins (None: it names none)."""
    for line in text.splitlines():
        if line and not line.startswith(("#", " ", "-")):
            found = _requirement(line.split(" \\")[0].strip())
            if found is not None:
                return found
    return None


# --- the noxfile's script block ------------------------------------------------------------


def _tool_entry(text: str) -> re.Match[str] | None:
    """The release-parity string in the noxfile's PEP 723 script block, if it has one."""
    block = _SCRIPT_BLOCK.search(text)
    if block is None:
        return None
    for entry in _TOOL_ENTRY.finditer(text, block.start("content"), block.end("content")):
        if _requirement(entry["requirement"]) is not None:
            return entry
    return None


def noxfile_pin(text: str) -> str | None:
    """The release-parity version the noxfile's script block pins ('' unpinned; None: no entry)."""
    entry = _tool_entry(text)
    return None if entry is None else _requirement(entry["requirement"])


def pin_noxfile(text: str, version: str) -> str:
    """The noxfile with its script block's release-parity entry pinned to `version`; every
    other byte as it was (a noxfile without that entry is returned unchanged)."""
    entry = _tool_entry(text)
    if entry is None:
        return text
    start, end = entry.span("requirement")
    return f"{text[:start]}{DISTRIBUTION}=={version}{text[end:]}"


# --- parity --------------------------------------------------------------------------------


def stale(config: Config) -> dict[str, str]:
    """File -> the release-parity version it pins, for each that does not pin the running one."""
    found = {}
    if pinned(config):
        found[REQUIREMENTS] = requirements_pin(_read(config.root / REQUIREMENTS))
    found[NOXFILE] = noxfile_pin(_read(config.root / NOXFILE))
    version = running().version
    return {path: pin for path, pin in found.items() if pin is not None and pin != version}


def check(config: Config) -> None:
    """Raise when the files pin another release-parity than the one running: CI would run
    that one, so what is checked here is not what CI checks."""
    found = stale(config)
    if not found:
        return
    by_version: dict[str, list[str]] = {}
    for path, version in found.items():
        by_version.setdefault(version, []).append(path)
    generated = ", ".join(
        f"{f'release-parity {version}' if version else 'an unpinned release-parity'}"
        f" ({', '.join(paths)})"
        for version, paths in by_version.items()
    )
    # nox runs the version a script block pins, unless told not to: the fix must say so.
    fix = f"NOX_SCRIPT_MODE=none {FIX}" if NOXFILE in found else FIX
    raise ReleaseError(
        f"generated by {generated}, running {running().version}: regenerate with `{fix}`",
        "the diff is only the pins (release-parity's version and hashes, its locked"
        " dependencies): review it and commit it",
    )


def write_noxfile(config: Config) -> list[str]:
    """Pin the running release-parity in the noxfile's script block; what was written."""
    path = config.root / NOXFILE
    old = _read(path)
    new = pin_noxfile(old, running().version)
    if new == old:
        return []
    path.write_text(new, encoding="utf-8")
    return [f"wrote {NOXFILE} (its script block pins release-parity=={running().version})"]
