"""towncrier projects: the release section is built by towncrier itself, from its fragments.

A project with `[tool.towncrier]` (in pyproject.toml or towncrier.toml) gets its changelog
from `towncrier build --version X --yes`, run by the towncrier the project pins (in its
dependency groups, extras or requirements files; else the latest) from a venv the release
makes with uv in the user's cache, never in the project's own environment.

Why towncrier runs on a copy: `towncrier build` writes the news file and deletes the
fragments itself, two changes a kill must not split from the version files. So the bump
runs it in a temporary copy of what it reads (the configuration, the news file, the
fragments, the template) and takes the result as data: the news file's new content is one
more Edit of the bump's atomic write, and the fragments it deleted are a list to remove.
The dry run shows that very build as the news file's diff. Before the atomic write, a
record (`.release/towncrier.json`) names the version, the hash of the news file written
and the fragments; after it, the fragments are removed (`git rm`). A run killed anywhere
is finished by the next one: before the write's commit point the news file is unchanged,
so the build is planned again from the untouched fragments; after it, the news file is the
one recorded, so towncrier is not run again and only the fragments still there are
removed. The entries appear once and every fragment is consumed once.

`towncrier check` (a fragment on every change) is a gate like any other: a row of the flags
table, `run = ["towncrier check --compare-with origin/main"]` (the README shows it).

What the release reads of towncrier's configuration is in towncrier_settings.py.
"""

from __future__ import annotations

import contextlib
import fnmatch
import hashlib
import json
import posixpath
import re
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from release import faults, git, proc
from release.errors import ConfigError, ReleaseError, UsageError
from release.proc import Log
from release.state import STATE_DIR, cache_home, state_dir
from release.towncrier_settings import Settings, settings

if TYPE_CHECKING:
    from release.config import Config
    from release.files import Edit
    from release.graph import Action, Context

RECORD = "towncrier.json"
READY = "release-parity-ready"  # written last into a tool venv: one without it is rebuilt
_REQUIREMENT_FILES = (
    "requirements*.txt",
    "requirements*.in",
    "requirements/*.txt",
    "requirements/*.in",
    "*/requirements*.txt",
    "*/requirements*.in",
)
_ERROR_PREFIX = re.compile(r"^(?:[\w.]*Error|error): *")
_UV_CAUSE = re.compile(r"(?:cause:|\u2570\u2500\u25b6) *")  # `cause:`, or `╰─▶` on a terminal


# --- fragments -----------------------------------------------------------------------------


def _is_fragment(name: str, types: Sequence[str]) -> bool:
    """towncrier's rule: some dot-separated part after the first names a type."""
    return any(part in types for part in name.split(".")[1:])


def _listed(root: Path, found: Settings) -> tuple[list[str], list[str]]:
    """(fragments, strangers): the files of the fragment directories towncrier builds from,
    and those it would skip without a word because their names carry no known type."""
    fragments: list[str] = []
    strangers: list[str] = []
    for directory in found.fragment_dirs:
        folder = root / directory
        names = sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
        for name in names:
            if any(fnmatch.fnmatch(name.lower(), pattern) for pattern in found.ignored):
                continue
            relative = posixpath.join(directory, name)
            (fragments if _is_fragment(name, found.types) else strangers).append(relative)
    return fragments, strangers


def _check_fragments(context: Context, found: Settings) -> None:
    """Every fragment has a known type, and there is one at least unless empty is allowed."""
    fragments, strangers = _listed(context.root, found)
    if strangers:
        name = posixpath.basename(strangers[0])
        kind = name.split(".")[1] if "." in name else "(none)"
        raise ReleaseError(
            f"{strangers[0]}: '{kind}' is not a towncrier fragment type, so towncrier would"
            " leave this entry out",
            f"rename it to <issue>.<type>{Path(name).suffix} with a type of"
            f" {found.config_file}'s [tool.towncrier] ({', '.join(found.types)}), or list it"
            " under ignore there",
        )
    if not fragments and not context.options.allow_empty_changelog:
        where = ", ".join(f"{d}/" for d in found.fragment_dirs)
        raise ReleaseError(
            f"{where}: no news fragments, so the changelog of {context.version} would be empty",
            f"add one (e.g. {found.fragment_dirs[0]}/123.{found.types[0]}.md), or pass"
            " --allow-empty-changelog",
        )


# --- the tool ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pin:
    """The towncrier to install, and where the project says so ('' for the latest)."""

    requirement: str
    source: str = ""


def _towncrier(requirement: str) -> str | None:
    """The requirement without its marker when it names towncrier; None otherwise."""
    from packaging.requirements import InvalidRequirement, Requirement
    from packaging.utils import canonicalize_name

    try:
        parsed = Requirement(requirement)
    except InvalidRequirement:
        return None
    if canonicalize_name(parsed.name) != "towncrier":
        return None
    parsed.marker = None
    return str(parsed)


def _requirement_lines(path: Path) -> list[str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    lines = (line.split(" #", 1)[0].strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith(("#", "-"))]


def pin(config: Config) -> Pin:
    """towncrier as the project pins it: its dependency groups, its extras, then its
    requirements files; the latest when none of them names it."""
    from release.adoption import ci_installs

    data = config.pyproject
    candidates: list[tuple[str, str]] = []
    for group in ci_installs.dependency_group_names(data):
        where = f"pyproject.toml dependency group '{group}'"
        candidates += [(r, where) for r in ci_installs.group_requirements(data, group, where)]
    for extra, requirements in data.get("project", {}).get("optional-dependencies", {}).items():
        candidates += [(str(r), f"pyproject.toml extra '{extra}'") for r in requirements]
    files = sorted({p for pattern in _REQUIREMENT_FILES for p in config.root.glob(pattern)})
    for path in files:
        relative = path.relative_to(config.root).as_posix()
        candidates += [(line, relative) for line in _requirement_lines(path)]
    for requirement, source in candidates:
        named = _towncrier(requirement)
        if named:
            return Pin(named, source)
    return Pin("towncrier")


def _last_line(result: proc.Result) -> str:
    """The reason a tool gave, on one line: its last line of output, less any `Error:`."""
    lines = [line.strip() for line in (result.stderr or result.stdout).splitlines()]
    found = [line for line in lines if line]
    return _ERROR_PREFIX.sub("", found[-1]) if found else f"exit {result.returncode}"


def _uv_reason(result: proc.Result) -> str:
    """uv's last cause, its wrapped lines joined: why it could not install."""
    text = " ".join(result.stderr.split()).split(" hint: ")[0]
    causes = _UV_CAUSE.split(text)
    return causes[-1] if len(causes) > 1 else _last_line(result)


def tool_python(wanted: Pin, log: Log = proc.NULL_LOG) -> Path:
    """The Python of a venv holding `wanted`, made once with uv in the user's cache.

    It is built in a temporary folder and renamed into place when complete, so two
    releases at once, or one killed while installing, never leave a half-made venv.
    """
    from release.venvcheck import Venv

    key = hashlib.sha256(f"{wanted.requirement} {sys.version_info[:2]}".encode()).hexdigest()
    venv = Venv(cache_home() / "towncrier" / key[:16])
    if (venv.path / READY).exists() and venv.python.exists():
        return venv.python
    venv.path.parent.mkdir(parents=True, exist_ok=True)
    staging = Venv(Path(tempfile.mkdtemp(prefix=f"{key[:16]}.", dir=venv.path.parent)))
    try:
        uv = [sys.executable, "-m", "uv"]
        create = [*uv, "venv", "--quiet", "--python", sys.executable, str(staging.path)]
        proc.run(create, log=log, what="uv venv")
        install = [*uv, "pip", "install", "--quiet", "--python", str(staging.python)]
        result = proc.run([*install, wanted.requirement], log=log, check=False)
        if not result.ok:
            pinned = f"as {wanted.source} pins it" if wanted.source else "(the latest)"
            raise ConfigError(
                f"towncrier cannot be installed {pinned} ({wanted.requirement}):"
                f" {_uv_reason(result)}",
                f"fix the towncrier requirement in {wanted.source}"
                if wanted.source
                else "check that uv can reach the package index (its settings: UV_INDEX_URL)",
            )
        (staging.path / READY).write_text(wanted.requirement + "\n", encoding="utf-8")
        if venv.path.exists() and not (venv.path / READY).exists():  # left half-made
            shutil.rmtree(venv.path, ignore_errors=True)
        with contextlib.suppress(OSError):  # another release renamed its own first: use it
            staging.path.rename(venv.path)
    finally:
        shutil.rmtree(staging.path, ignore_errors=True)
    return venv.python


# --- the build -----------------------------------------------------------------------------


def _copy(root: Path, found: Settings, to: Path) -> None:
    for relative in found.inputs:
        source, target = root / relative, to / relative
        if source.is_dir():
            shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
        elif source.is_file():
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)


def _build(context: Context, found: Settings, python: Path) -> tuple[str, tuple[str, ...]]:
    """(the news file towncrier writes, the fragments it deletes), from a copy of its inputs.

    The copy is a git repository of its own, so towncrier's `git add` and `git rm` stay in it.
    towncrier is given the name and the version, so it never imports the project's package
    (pip's `package = "pip"`), which the copy does not hold.
    """
    version = str(context.version)
    with tempfile.TemporaryDirectory(prefix="release-towncrier-") as temp:
        copy = Path(temp)
        _copy(context.root, found, copy)
        git.git(copy, "init", "--quiet")
        before, _ = _listed(copy, found)
        argv = [str(python), "-m", "towncrier", "build", "--name", found.name]
        argv += ["--version", version]
        argv += ["--date", context.today, "--yes"]
        result = proc.run(argv, cwd=copy, check=False)
        if not result.ok:
            raise ReleaseError(
                f"towncrier build failed: {_last_line(result)}",
                f"see it for yourself: towncrier build --draft --version {version}",
            )
        new = (copy / found.news_file).read_bytes().decode("utf-8")
        after, _ = _listed(copy, found)
    return new, tuple(path for path in before if path not in after)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _record(root: Path) -> dict[str, Any]:
    path = root / STATE_DIR / RECORD
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def recorded_fragments(root: Path, version: str) -> tuple[str, ...]:
    """The fragments this release's build consumed (the record of an earlier run)."""
    record = _record(root)
    return tuple(record.get("fragments", ())) if record.get("version") == version else ()


def _tracked(root: Path, paths: Sequence[str]) -> set[str]:
    return set(git.git(root, "ls-files", "--", *paths).splitlines()) if paths else set()


def _left_behind(root: Path, version: str, news: str) -> tuple[str, ...] | None:
    """The fragments still to remove when an earlier run of this release wrote its news
    file (the file is the one recorded); None when no run did."""
    record = _record(root)
    path = root / news
    if record.get("version") != version or not path.is_file():
        return None
    if _sha(path.read_bytes().decode("utf-8", "replace")) != record.get("news"):
        return None
    fragments = recorded_fragments(root, version)
    tracked = _tracked(root, fragments)
    return tuple(p for p in fragments if p in tracked or (root / p).exists())


def _remove(fragments: tuple[str, ...], context: Context, log: Log) -> str:
    """`git rm` the tracked fragments, delete the others; what is gone already is fine."""
    faults.point("after-towncrier")
    root = context.root
    tracked = sorted(_tracked(root, fragments))
    if tracked:
        git.git(root, "rm", "--quiet", "--force", "--ignore-unmatch", "--", *tracked, log=log)
    for path in fragments:
        (root / path).unlink(missing_ok=True)
    log.write("removed " + ", ".join(fragments))
    return f"{len(fragments)} fragments removed"


@dataclass(frozen=True)
class News:
    """This release's towncrier build, as the bump applies it."""

    version: str
    news_file: str
    edits: tuple[Edit, ...]  # the news file's new content; none when an earlier run wrote it
    fragments: tuple[str, ...]  # the fragments it was built from, still to remove

    def remember(self, root: Path) -> None:
        """Written before the bump's atomic write: what lets the next run finish this one."""
        if not self.edits:
            return
        news = _sha(self.edits[0].new)
        data = {"version": self.version, "news": news, "fragments": list(self.fragments)}
        from release.files import replace_file

        # On disk before the bump's commit point.
        replace_file(state_dir(root) / RECORD, json.dumps(data, indent=2))

    def removal(self) -> Action | None:
        """The action that consumes the fragments, after the news file is written."""
        from release.graph import Action

        if not self.fragments:
            return None
        return Action(
            f"remove the {len(self.fragments)} fragments towncrier built {self.news_file} from",
            partial(_remove, self.fragments),
            detail="\n".join(self.fragments),
        )


def prepare(context: Context) -> News | None:
    """towncrier's build of this release; None when towncrier does not keep the changelog."""
    from release.files import Edit, read_text

    config = context.config
    found = settings(config.root, config.pyproject) if config.changelog else None
    if found is None:
        return None
    if config.changelog != found.news_file:
        raise ConfigError(
            f"[tool.release] changelog = '{config.changelog}', but towncrier writes"
            f" {found.news_file}",
            f'set changelog = "{found.news_file}" in [tool.release], or leave the key out',
        )
    if context.options.changelog == "generate":
        raise UsageError(
            "--changelog generate: towncrier builds this changelog from its fragments",
            "leave out --changelog generate; write a fragment for each change instead",
        )
    if not found.single_file:
        raise ConfigError(
            f"{found.config_file}: [tool.towncrier] single_file = false (a news file per"
            " release) is not supported",
            'set single_file = true, or run towncrier yourself and set changelog = ""',
        )
    version = str(context.version)
    left = _left_behind(config.root, version, found.news_file)
    if left is not None:
        return News(version, found.news_file, (), left)
    if not (config.root / found.news_file).is_file():
        raise ConfigError(
            f"{found.news_file}: towncrier's news file is missing",
            f"create {found.news_file} (empty will do) and commit it, then run again",
        )
    _check_fragments(context, found)
    old = read_text(config.root, found.news_file)
    new, consumed = _build(context, found, tool_python(pin(config)))
    return News(version, found.news_file, (Edit(found.news_file, old, new),), consumed)
