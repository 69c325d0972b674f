"""Lock files follow the bump: the lock's entry for the project itself gets the new version.

uv.lock and pdm.lock record the project (or the workspace member being released) as a
local package, and a maturin crate's Cargo.lock records the crate. Left behind after a
bump, `uv lock --check` and cargo's `--locked` fail on the release commit. Only the
`version = "..."` line of that one entry changes and every other byte stays, so no
resolver runs and the bump stays offline. A uv.lock entry without a version (uv leaves
out a dynamic one) is left as it is.
"""

from __future__ import annotations

import os
import posixpath
import re
import tomllib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name
from packaging.version import Version

from release.config import Config
from release.errors import ConfigError
from release.files import Edit, read_text

PACKAGE_HEADER = re.compile(r"^\[\[package\]\][ \t]*$", re.MULTILINE)
TABLE_HEADER = re.compile(r"^\[", re.MULTILINE)
VERSION_LINE = re.compile(r'^version[ \t]*=[ \t]*"(?P<version>[^"\n]*)"', re.MULTILINE)
#: PEP 440 pre-release letters as Cargo pre-release words; maturin reads them back.
CARGO_PRE = {"a": "alpha", "b": "beta", "rc": "rc"}


@dataclass(frozen=True)
class LockFormat:
    """How one kind of lock names a package and records where a local one lives."""

    filename: str
    regenerate: str  # the command that rewrites the lock, for a lock we cannot read
    normal_name: Callable[[str], str]
    local_dir: Callable[[Mapping[str, Any]], str | None]  # None: not a local package
    spelling: Callable[[Version], str]  # the version as this lock writes it


def _uv_dir(entry: Mapping[str, Any]) -> str | None:
    source = entry.get("source", {})
    if not isinstance(source, Mapping):
        return None
    local = next((source[k] for k in ("editable", "virtual", "directory") if k in source), None)
    return posixpath.normpath(local) if isinstance(local, str) else None


def _pdm_dir(entry: Mapping[str, Any]) -> str | None:
    local = entry.get("path")
    return posixpath.normpath(local) if isinstance(local, str) else None


def _cargo_dir(entry: Mapping[str, Any]) -> str | None:
    """A path crate has no `source`; Cargo.lock does not say which directory it is in."""
    return None if "source" in entry else ""


@dataclass(frozen=True)
class Lock:
    """A lock file that may record the project, and the entry that would be the project's."""

    format: LockFormat
    path: Path
    name: str  # as format.normal_name gives it
    directory: str  # the project's directory relative to the lock ('' for a path crate)

    def is_project(self, entry: Mapping[str, Any]) -> bool:
        name = entry.get("name")
        return (
            isinstance(name, str)
            and self.format.normal_name(name) == self.name
            and self.format.local_dir(entry) == self.directory
        )


def cargo_version(version: Version) -> str:
    """The crate version for a PEP 440 version, spelled so maturin reads back the same one.

    Cargo wants semver (MAJOR.MINOR.PATCH, pre-release words after '-'); maturin parses
    the crate version as PEP 440, where `1.2.0-alpha.1` is `1.2.0a1`.
    """
    if version.epoch or len(version.release) > 3:
        raise ConfigError(
            f"{version} has no Cargo spelling: a crate version is MAJOR.MINOR.PATCH",
            "release a version of at most three numbers and no epoch",
        )
    major, minor, patch = (*version.release, 0, 0)[:3]
    words: list[str] = []
    if version.pre:
        words += [CARGO_PRE[version.pre[0]], str(version.pre[1])]
    if version.post is not None:
        words += ["post", str(version.post)]
    if version.dev is not None:
        words += ["dev", str(version.dev)]
    text = f"{major}.{minor}.{patch}" + ("-" + ".".join(words) if words else "")
    return text + (f"+{version.local}" if version.local else "")


UV = LockFormat("uv.lock", "uv lock", canonicalize_name, _uv_dir, str)
PDM = LockFormat("pdm.lock", "pdm lock", canonicalize_name, _pdm_dir, str)
CARGO = LockFormat("Cargo.lock", "cargo generate-lockfile", str, _cargo_dir, cargo_version)


def _repository_top(root: Path) -> Path:
    """The nearest directory at or above `root` that holds `.git` (`root` when none does)."""
    return next((d for d in (root, *root.parents) if (d / ".git").exists()), root)


def _ancestors(start: Path, top: Path) -> Iterator[Path]:
    """`start`, then its parents up to `top`: a workspace keeps one lock at its root."""
    yield start
    if start.is_relative_to(top):
        yield from (d for d in start.parents if d.is_relative_to(top))


def _nearest(start: Path, top: Path, filename: str) -> Path | None:
    return next((d / filename for d in _ancestors(start, top) if (d / filename).is_file()), None)


def _relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path, start)).as_posix()


def _parse(text: str, path: Path, hint: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}", hint) from None


def _cargo_lock(config: Config, top: Path) -> Lock | None:
    """The Cargo.lock of a maturin project's crate (from [tool.maturin] manifest-path)."""
    if config.pyproject.get("build-system", {}).get("build-backend") != "maturin":
        return None
    maturin = config.pyproject.get("tool", {}).get("maturin", {})
    manifest = (config.root / maturin.get("manifest-path", "Cargo.toml")).resolve()
    if not manifest.is_file():
        return None  # the build names a missing manifest; a bump has nothing to follow
    text = read_text(manifest.parent, manifest.name)
    crate = _parse(text, manifest, "fix its syntax").get("package", {}).get("name")
    lock = _nearest(manifest.parent, top, CARGO.filename)
    if not isinstance(crate, str) or lock is None:
        return None
    return Lock(CARGO, lock, crate, "")


def find(config: Config) -> list[Lock]:
    """Every lock file that may record the project: the nearest uv.lock and pdm.lock at or
    above the project (within its repository), and a maturin crate's Cargo.lock."""
    root = config.root
    top = _repository_top(root)
    found = []
    for kind in (UV, PDM):
        lock = _nearest(root, top, kind.filename)
        if lock is not None:
            name = kind.normal_name(config.name)
            found.append(Lock(kind, lock, name, _relative(root, lock.parent)))
    crate = _cargo_lock(config, top)
    return [*found, crate] if crate else found


def _version_line(text: str, index: int, count: int) -> re.Match[str] | None:
    """The `version = "..."` line of the index-th of `count` `[[package]]` tables."""
    headers = list(PACKAGE_HEADER.finditer(text))
    if len(headers) != count:  # a header spelled another way: the entries cannot be told apart
        return None
    start = headers[index].end()
    following = TABLE_HEADER.search(text, start)
    return VERSION_LINE.search(text, start, following.start() if following else len(text))


def edit(config: Config, lock: Lock, version: Version) -> Edit | None:
    """The lock with the project's entry at `version`; None when it records no version."""
    where = _relative(lock.path, config.root)
    text = read_text(lock.path.parent, lock.path.name)
    regenerate = f"fix it, or regenerate it with `{lock.format.regenerate}`"
    packages = _parse(text, lock.path, regenerate).get("package", [])
    index = next((i for i, entry in enumerate(packages) if lock.is_project(entry)), None)
    if index is None or "version" not in packages[index]:
        return None
    match = _version_line(text, index, len(packages))
    if match is None:
        raise ConfigError(
            f"{where}: cannot find the version line of {lock.name}'s [[package]] entry",
            f"regenerate the lock with `{lock.format.regenerate}`",
        )
    spelled = lock.format.spelling(version)
    return Edit(
        where, text, text[: match.start("version")] + spelled + text[match.end("version") :]
    )


def edits(config: Config, version: Version) -> list[Edit]:
    """One edit per lock file whose entry for the project is not at `version` yet."""
    planned = (edit(config, lock, version) for lock in find(config))
    return [change for change in planned if change and change.old != change.new]


def paths(config: Config) -> list[str]:
    """The lock files a bump may change, relative to the project's root."""
    return [_relative(lock.path, config.root) for lock in find(config)]
