"""Repositories of several packages, written here file by file, for the monorepo tests.

`monorepo`: a maturin package with a small Rust extension (`packages/recorder`: a
dependency-free cdylib with cffi bindings, Cargo.toml and Cargo.lock, the version in
Cargo.toml) beside a pure-Python hatchling package (`packages/tracer`), one uv workspace
with one uv.lock at the root, tags `recorder-v0.3.0` and `tracer-v0.1.0`.
`workspace`: a uv workspace of three pure members where c depends on b and b on a.

Each package has its own CHANGELOG.md, tag prefix, gate and `[tool.release.publish]` to a
loopback index; the repository has a bare remote. Distribution names carry a random
suffix, so an install can never find a stranger's package of the same name on PyPI.
"""

from __future__ import annotations

import importlib.metadata
import secrets
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from wheelhouse import repack

from e2e.conftest import PASSWORD, USER, Sample, git

#: The last release of every fixture package was made on this day.
LAST_RELEASE = "2026-01-05"
#: What the native package needs at run time (cffi's backend), for the lock and the index.
RUNTIME = ("cffi", "pycparser")
SRC_LIB = """\
#[no_mangle]
pub extern "C" fn add(left: i32, right: i32) -> i32 {
    left + right
}
"""
NOXFILE = "from release.adapters.nox_sessions import register\n\nregister()\n"
GITIGNORE = ".nox/\n.release/\ndist/\ntarget/\n__pycache__/\n"


@dataclass(frozen=True)
class Member:
    """One package of a fixture repository."""

    key: str  # its folder's name, its import name and its tag prefix
    name: str  # the distribution name
    folder: str  # relative to the repository
    version: str  # its last release
    requires: tuple[str, ...] = ()  # keys of the members it depends on

    @property
    def tag(self) -> str:
        return f"{self.key}-v{self.version}"

    @property
    def stem(self) -> str:
        """The prefix of its artifacts' file names."""
        return self.name.replace("-", "_") + "-"


@dataclass
class Monorepo(Sample):
    """A repository of several packages: `root` is the top of the work tree."""

    members: tuple[Member, ...] = ()
    wheelhouse: Path = field(default_factory=Path)

    def __getitem__(self, key: str) -> Member:
        return next(member for member in self.members if member.key == key)

    def folder(self, key: str) -> Path:
        return self.root / self[key].folder

    def built(self, key: str) -> dict[str, bytes]:
        """The artifacts in the package's own dist/."""
        dist = self.folder(key) / "dist"
        return {p.name: p.read_bytes() for p in dist.iterdir() if p.suffix in (".whl", ".gz")}

    def read(self, relative: str) -> str:
        return (self.root / relative).read_text(encoding="utf-8")

    def commit(self, message: str, changes: Mapping[str, str]) -> str:
        """Write `changes` (path relative to the root -> text), commit them, push: the sha."""
        for relative, text in changes.items():
            write(self.root / relative, text)
        git(self.root, "add", "--", *changes)
        git(self.root, "commit", "-q", "-m", message)
        git(self.root, "push", "-q", "origin", "main")
        return self.head()

    def changelog_entry(self, key: str, section: str, entry: str) -> dict[str, str]:
        """The package's CHANGELOG.md with `entry` under Unreleased, as a change for commit."""
        relative = f"{self[key].folder}/CHANGELOG.md"
        text = self.read(relative).replace(
            "## [Unreleased]\n", f"## [Unreleased]\n\n### {section}\n\n- {entry}\n", 1
        )
        return {relative: text}

    def lock(self, *args: str) -> subprocess.CompletedProcess[str]:
        """`uv lock ARGS` at the root, offline, cffi from the wheelhouse."""
        argv = [sys.executable, "-m", "uv", "lock", "--offline", "--find-links"]
        return subprocess.run(
            [*argv, str(self.wheelhouse), *args],
            cwd=self.root,
            capture_output=True,
            text=True,
            check=False,
        )


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def wheelhouse(directory: Path) -> Path:
    """cffi and pycparser as wheels, repacked from this interpreter's own copies."""
    directory.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME:
        repack(importlib.metadata.distribution(name), directory)
    return directory


def _package_files(folder: Path, member: Member) -> None:
    """What every package has besides its code: a readme, a changelog, the nox sessions."""
    write(folder / "README.md", f"# {member.name}\n\nThe {member.key} package.\n")
    write(folder / "CHANGELOG.md", _changelog(member))
    write(folder / "noxfile.py", NOXFILE)


def _changelog(member: Member) -> str:
    return textwrap.dedent(f"""\
        # Changelog

        All notable changes to {member.name} are documented here.

        ## [Unreleased]

        ## [{member.version}] - {LAST_RELEASE}

        ### Added

        - The first release.
        """)


def _dependencies(member: Member, members: Mapping[str, Member]) -> str:
    pins = [f'"{members[key].name}>={members[key].version}"' for key in member.requires]
    return ", ".join(pins)


def _sources(member: Member, members: Mapping[str, Member]) -> str:
    if not member.requires:
        return ""
    lines = [f"{members[key].name} = {{ workspace = true }}" for key in member.requires]
    return "\n[tool.uv.sources]\n" + "\n".join(lines) + "\n"


def _release_table(
    member: Member, index_url: str, version_files: str, gate: str, smoke: str
) -> str:
    return textwrap.dedent(f"""\
        [tool.release]
        package = "{member.key}"
        tag-format = "{member.key}-v{{version}}"
        version-files = [{version_files}]
        smoke = [{smoke}]

        [tool.release.gates.tests]
        run = [{gate}]

        [tool.release.publish]
        where = "local"
        pre-release = "{index_url}"
        final = "{index_url}"
        """)


def _pure(root: Path, member: Member, members: Mapping[str, Member], index_url: str) -> None:
    """A hatchling package, src layout, its version in pyproject.toml and __init__.py."""
    folder = root / member.folder
    init = f"src/{member.key}/__init__.py"
    smoke = f"\"python -c 'import {member.key}; print({member.key}.__version__)'\""
    table = _release_table(
        member,
        index_url,
        f'"pyproject.toml:project.version", "{init}:__version__"',
        '"python -m compileall -q src"',
        smoke,
    )
    write(
        folder / "pyproject.toml",
        textwrap.dedent(f"""\
        [build-system]
        requires = ["hatchling"]
        build-backend = "hatchling.build"

        [project]
        name = "{member.name}"
        version = "{member.version}"
        description = "The {member.key} part of the fixture monorepo."
        readme = "README.md"
        license = "MIT"
        requires-python = ">=3.11"
        dependencies = [{_dependencies(member, members)}]

        [tool.hatch.build.targets.wheel]
        packages = ["src/{member.key}"]
        """)
        + _sources(member, members)
        + "\n"
        + table,
    )
    write(
        folder / init,
        f'"""{member.key}."""\n\n__all__ = ["__version__"]\n__version__ = "{member.version}"\n',
    )
    _package_files(folder, member)


def _native(root: Path, member: Member, index_url: str) -> None:
    """A maturin package: a cdylib with cffi bindings, the version in Cargo.toml alone."""
    folder = root / member.folder
    smoke = f"\"python -c 'import {member.key}; assert {member.key}.lib.add(2, 3) == 5'\""
    table = _release_table(
        member, index_url, '"Cargo.toml:package.version"', '"cargo check --offline --quiet"', smoke
    )
    write(
        folder / "pyproject.toml",
        textwrap.dedent(f"""\
        [build-system]
        requires = ["maturin>=1.5,<2"]
        build-backend = "maturin"

        [project]
        name = "{member.name}"
        dynamic = ["version"]
        description = "The {member.key} part of the fixture monorepo, in Rust."
        readme = "README.md"
        license = "MIT"
        requires-python = ">=3.11"
        dependencies = ["cffi"]

        [tool.maturin]
        bindings = "cffi"
        module-name = "{member.key}"

        """)
        + table,
    )
    write(
        folder / "Cargo.toml",
        textwrap.dedent(f"""\
        [package]
        name = "{member.key}"
        version = "{member.version}"
        edition = "2021"

        [lib]
        name = "{member.key}"
        crate-type = ["cdylib"]
        """),
    )
    write(folder / "src" / "lib.rs", SRC_LIB)
    _package_files(folder, member)
    cargo = shutil.which("cargo") or str(Path.home() / ".cargo" / "bin" / "cargo")
    lockfile = [cargo, "generate-lockfile", "--offline"]
    subprocess.run(lockfile, cwd=folder, check=True, capture_output=True)


def _workspace_root(root: Path, members: tuple[Member, ...]) -> None:
    listed = ", ".join(f'"{member.folder}"' for member in members)
    write(root / "pyproject.toml", f"[tool.uv.workspace]\nmembers = [{listed}]\n")
    write(root / ".gitignore", GITIGNORE)
    write(root / "noxfile.py", NOXFILE)  # `nox -s release -- --package NAME ...` from the top
    write(root / "README.md", "# The fixture monorepo\n\nSeveral packages, one repository.\n")


def _finish(repo: Monorepo) -> Monorepo:
    """The root uv.lock, the workflows, one commit with a tag per package, the bare remote."""
    locked = repo.lock()
    assert locked.returncode == 0, locked.stderr
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "add", "-A")  # the packages are found among the tracked files
    written = repo.cli("parity", "--write")
    assert written.returncode == 0, written.stdout + written.stderr
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "Initial commit")
    for member in repo.members:
        git(repo.root, "tag", "-a", "-m", f"{member.name} {member.version}", member.tag)
    git(repo.root.parent, "init", "-q", "--bare", str(repo.remote))
    git(repo.root, "remote", "add", "origin", str(repo.remote))
    git(repo.root, "push", "-q", "-u", "origin", "main", "--tags")
    return repo


def _repo(root: Path, members: tuple[Member, ...], houses: Path) -> Monorepo:
    env = {"TWINE_USERNAME": USER, "TWINE_PASSWORD": PASSWORD, "RELEASE_RETRY_DELAY": "0.2"}
    return Monorepo(root, root.parent / "remote.git", root.name, env, members, houses)


def monorepo(root: Path, index_url: str, houses: Path) -> Monorepo:
    """The native package and the pure one, independent of each other."""
    suffix = secrets.token_hex(3)
    recorder = Member("recorder", f"recorder-{suffix}", "packages/recorder", "0.3.0")
    tracer = Member("tracer", f"tracer-{suffix}", "packages/tracer", "0.1.0")
    repo = _repo(root, (recorder, tracer), houses)
    _workspace_root(root, repo.members)
    _native(root, recorder, index_url)
    _pure(root, tracer, {}, index_url)
    return _finish(repo)


def workspace(root: Path, index_url: str, houses: Path) -> Monorepo:
    """Three pure members: c requires b, b requires a."""
    suffix = secrets.token_hex(3)
    a = Member("a", f"a-{suffix}", "packages/a", "0.1.0")
    b = Member("b", f"b-{suffix}", "packages/b", "0.2.0", ("a",))
    c = Member("c", f"c-{suffix}", "packages/c", "0.3.0", ("b",))
    repo = _repo(root, (a, b, c), houses)
    _workspace_root(root, repo.members)
    by_key = {member.key: member for member in repo.members}
    for member in repo.members:
        _pure(root, member, by_key, index_url)
    return _finish(repo)
