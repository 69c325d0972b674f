"""Packages: the releasable projects of one git repository, each in its own folder.

A package is a folder with a pyproject.toml that has a `[tool.release]` table (the root's,
or a subfolder's such as a uv workspace member's). Its configuration, version source and
tag format come from that table; its commits are those that touch its paths (its folder,
plus `paths` from the table). One repository may hold several: `--package NAME` names
them, and inside a package's folder that package is implied.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from packaging.utils import canonicalize_name

from release import config as configuration
from release import git, version_files
from release.config import Config
from release.errors import ConfigError, UsageError
from release.ordering import topological

#: Folders whose pyproject.toml files are never packages of the repository.
NOT_PACKAGES = frozenset(
    {"examples", "example", "tests", "test", "testing", "docs", "doc", "fixtures", "benchmarks"}
)
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")


@dataclass(frozen=True)
class Package:
    """One releasable package: its configuration and where it sits in the repository."""

    config: Config
    repository: Path  # the top of the git work tree

    @property
    def root(self) -> Path:
        return self.config.root

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def folder(self) -> str:
        """The package's folder relative to the repository ('' at the top)."""
        relative = self.root.relative_to(self.repository).as_posix()
        return "" if relative == "." else relative

    @property
    def paths(self) -> tuple[str, ...]:
        """The paths whose commits are this package's, relative to the repository."""
        own = self.folder or "."
        extra = (posixpath.normpath(posixpath.join(own, path)) for path in self.config.paths)
        return (own, *extra)

    @property
    def tag_prefix(self) -> str:
        return self.config.tag_format.split("{version}")[0]

    def requires(self, names: Iterable[str]) -> set[str]:
        """Which of `names` (other packages) this one depends on."""
        wanted: set[str] = {canonicalize_name(name) for name in names}
        project = self.config.pyproject.get("project", {})
        listed = [*project.get("dependencies", [])]
        for extra in project.get("optional-dependencies", {}).values():
            listed += extra
        found: set[str] = {
            canonicalize_name(match[1]) for text in listed if (match := _NAME.match(str(text)))
        }
        return (found & wanted) - {canonicalize_name(self.name)}


def repository_root(start: Path) -> Path:
    """The top of the git work tree holding `start` (`start` itself outside one)."""
    top = git.git(start, "rev-parse", "--show-toplevel", check=False).strip()
    return Path(top).resolve() if top else start.resolve()


def workflow_root(root: Path) -> Path:
    """Where GitHub reads the workflows of the package at `root`: the top of its repository.
    A project in a folder that never holds packages (tests/fixtures/x) stands for a
    repository of its own."""
    root = root.resolve()
    repository = repository_root(root)
    relative = PurePosixPath(root.relative_to(repository).as_posix())
    return root if _excluded(relative) else repository


def _excluded(relative: PurePosixPath) -> bool:
    return any(part in NOT_PACKAGES or part.startswith(".") for part in relative.parts)


def pyprojects(repository: Path) -> list[Path]:
    """Every tracked pyproject.toml that may be a package's, the root's first."""
    patterns = ("pyproject.toml", "*/pyproject.toml")
    listed = git.git(repository, "ls-files", "-z", "--", *patterns, check=False)
    found = []
    for entry in sorted(filter(None, listed.split("\0"))):
        folder = PurePosixPath(entry).parent
        if not _excluded(folder) and (repository / entry).is_file():
            found.append(repository / folder)
    return sorted(found, key=lambda path: (path != repository, path))


def _has_table(root: Path) -> bool:
    return "release" in configuration.read_pyproject(root).get("tool", {})


def _owns(folder: Path) -> bool:
    """Is this folder a package's: a [tool.release] table, or a project not adopted yet?"""
    if not (folder / "pyproject.toml").is_file():
        return False
    data = configuration.read_pyproject(folder)
    return "release" in data.get("tool", {}) or configuration.is_project(data)


def discover(repository: Path) -> list[Package]:
    """Every package of the repository: each folder whose pyproject.toml has [tool.release]."""
    packages = [
        Package(configuration.load(root), repository)
        for root in pyprojects(repository)
        if _has_table(root)
    ]
    _require_distinct_prefixes(packages)
    return packages


def _require_distinct_prefixes(packages: Sequence[Package]) -> None:
    seen: dict[str, Package] = {}
    for package in packages:
        other = seen.setdefault(package.tag_prefix, package)
        if other is not package:
            raise ConfigError(
                f"packages {other.name} ({other.folder or '.'}) and {package.name}"
                f" ({package.folder or '.'}) both tag '{package.tag_prefix}{{version}}'",
                "give each its own tag-format in [tool.release], e.g."
                f' tag-format = "{package.name}-v{{version}}"',
            )


def _enclosing(start: Path, repository: Path) -> Path | None:
    """The nearest folder from `start` up to the repository that is a package's (adopted or
    not: an unadopted project at the top is itself, not a subfolder's package)."""
    for folder in (start, *start.parents):
        if _owns(folder):
            return folder
        if folder == repository:
            break
    return None


def select(start: Path, names: Sequence[str], *, every: bool = False) -> list[Package]:
    """The packages a command acts on, in dependency order: those `--package` names, else
    the one whose folder holds `start`, else the repository's only package, else (`every`:
    a release with `auto` or --resume) all of them."""
    start = start.resolve()
    repository = repository_root(start)
    packages = discover(repository)
    if names:
        return in_dependency_order(_named(packages, names, repository))
    here = _enclosing(start, repository)
    if here is not None:
        found = [p for p in packages if p.root == here]  # outside git: found by walking up
        return found or [Package(configuration.load(here), repository)]
    if len(packages) == 1:
        return packages
    if not packages:  # not adopted yet: the project here, with the defaults
        return [Package(configuration.load(start), repository)]
    if every:
        return in_dependency_order(packages)
    raise UsageError(
        f"this repository holds {len(packages)} packages: say which",
        "add --package NAME (" + ", ".join(p.name for p in packages) + "), run from its folder,"
        " or release every package with changes: nox -s release -- auto",
    )


def _named(packages: Sequence[Package], names: Sequence[str], repository: Path) -> list[Package]:
    if len(packages) < 2:
        raise UsageError(
            f"--package {names[0]}: this repository holds one package",
            "leave --package out",
        )
    by_name = {canonicalize_name(p.name): p for p in packages} | {p.folder: p for p in packages}
    chosen = []
    for name in names:
        found = by_name.get(canonicalize_name(name)) or by_name.get(name.strip("/"))
        if found is None:
            folder = repository / name
            if (folder / "pyproject.toml").is_file():
                raise ConfigError(
                    f"{name}/pyproject.toml has no [tool.release] table",
                    f"adopt it first: cd {name} && python -m release init",
                )
            raise UsageError(
                f"--package {name}: no such package",
                "packages here: " + ", ".join(p.name for p in packages),
            )
        if found not in chosen:
            chosen.append(found)
    return chosen


def in_dependency_order(packages: Sequence[Package]) -> list[Package]:
    """Dependencies first (a before b when b requires a); a cycle is named."""
    names = [p.name for p in packages]
    needs = {p.name: p.requires(names) for p in packages}
    return topological(
        packages, lambda p: canonicalize_name(p.name), lambda p: sorted(needs[p.name]), _cycle
    )


def _cycle(path: list[str]) -> ConfigError:
    return ConfigError(
        "the packages depend on each other in a cycle: " + " -> ".join(path),
        "a package cannot be released before itself: remove one of these dependencies",
    )


def configs(
    names: Sequence[str], start: Path | None = None, *, every: bool = False
) -> list[Config]:
    """The configurations of the packages a command acts on (`--package` names, else the
    one here; see `select`), each after finishing a write a killed run left half-done."""
    chosen = select(start or Path.cwd(), names, every=every)
    return [version_files.ready(package.config) for package in chosen]


def one(names: Sequence[str], command: str) -> Config:
    """The one package a command acts on."""
    found = configs(names)
    if len(found) > 1:
        raise UsageError(
            f"{command} acts on one package at a time, not {len(found)}",
            "give one --package",
        )
    return found[0]
