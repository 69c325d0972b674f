"""Which files carry this package's version, for `init`: proposed, lagging, or left alone.

Only the places where this package's version lives are read: the package's version
modules and version constants, CITATION.cff, the Sphinx conf.py, a .zenodo.json or
codemeta.json. Data files (a policy's `version: "1.0"`), examples, tests, fixtures,
vendored code, lock files, changelogs and dependency pins are never read as the
package's version: proposing them made init refuse projects whose real drift was then
buried among them. One `git ls-files`, paths filtered before any file is opened, and
only the few files that can carry the version are read, so init stays fast on large
repositories.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import Enum
from pathlib import Path

from packaging.version import InvalidVersion, Version

from release import git, version_files
from release.config import Config, VersionFile
from release.errors import ConfigError, ReleaseError
from release.files import Edit, read_text

SYNC_COMMAND = "python -m release init --sync"
#: Folders whose files are data, tests or someone else's code: never read.
NOT_OURS = re.compile(
    r"examples?|tests?|testing|test_?data|\w*fixtures?|_?vendor(ed)?|third_?party|externs?"
    r"|externals|node_modules|site-packages",
    re.IGNORECASE,
)
#: Top-level folders with an `__init__.py` that are not the package.
NOT_PACKAGES = frozenset({"docs", "doc", "benchmarks", "bench", "scripts", "tools", "tasks"})
#: The modules a package keeps its own version in.
VERSION_MODULES = frozenset(
    {"__init__.py", "__version__.py", "_version.py", "version.py", "__about__.py", "_about.py"}
)
VERSION_NAMES = frozenset({"__version__", "__VERSION__", "VERSION", "version"})
#: Words that make a `..._VERSION` constant another thing's version, not the package's.
OTHER_THINGS = re.compile(
    r"(?:^|_)(?:SCHEMA|FORMAT|PROTOCOL|API|SPEC|MIN|MAX|MINIMUM|MAXIMUM|REQUIRED|SUPPORTED"
    r"|PYTHON|PY|HTTP|TLS|SSL|CFF|FILE|DB|CACHE|CONFIG|MANIFEST|PLUGIN|DEPRECATED|REMOVED"
    r"|ADDED|SINCE|LAST|NEXT|PREVIOUS|LATEST|OLD|WIRE|ABI|SDK|DATA|MODEL)(?:_|$)"
)
RECORDS = frozenset({"CITATION.cff"})
MIRRORS = frozenset({".zenodo.json", "codemeta.json"})
SPHINX_CONF = re.compile(r"docs?/(?:source/)?conf\.py")
_ASSIGNMENT = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)[ \t]*(?::[^=\n]+)?=[ \t]*(?P<q>['\"])(?P<value>[^'\"\n]*)(?P=q)",
    re.MULTILINE,
)
_CFF_KEY = re.compile(r"^(?P<name>version|date-released):[ \t]*['\"]?(?P<value>[^'\"\s#]+)", re.M)
_JSON_VERSION = r'"version"\s*:\s*"(?P<version>[^"]*)"'
_VERSION_LIKE = re.compile(r"v?\d+(\.\d+)+([-._]?(a|b|rc|alpha|beta|dev|post)\.?\d*)*")
_TAG_VERSION = re.compile(r"(?:^|[-_@/v])(\d+(?:\.\d+)+\S*)$")


class Role(Enum):
    """How a place relates to the package's version; decides what a different value means."""

    TIED = "the package's version by its place and name"
    RECORD = "a record of a release (CITATION.cff)"
    CONSTANT = "a version constant in the package"
    MIRROR = "a metadata file that may repeat the version"
    OWN = "a subpackage's or module's own version"
    OTHER_PACKAGE = "another top-level package's own version"


class Verdict(Enum):
    """A place the version file list must account for: proposed, or drift that stops init."""

    PROPOSED = "the version"
    LAGGING = "an older release of this package"
    CONFLICTING = "neither the version nor an older release of it"


class Reason(Enum):
    """Why a place is not proposed: one line of the summary each."""

    OWN = "a subpackage's or module's own version"
    OTHER_PACKAGE = "another top-level package's own version"
    SHORT = "a short version (X.Y), not the full one"
    OTHER_THING = "another thing's version (schema, format, protocol, bounds)"
    NOT_A_RELEASE = "not a release of this package"
    MIRROR = "proposed only when it repeats the version"
    LAST_RELEASE = "the last release, beside a development version"
    AMBIGUOUS = "assigned more than once (name it with a pattern in version-files)"


@dataclass(frozen=True)
class Place:
    """One value found where the engine's locator finds it again."""

    spec: VersionFile
    value: str
    role: Role

    def __str__(self) -> str:
        where = str(self.spec) if self.spec.key else f"{self.spec.path}:version"
        return f"{where} = {self.value}"


@dataclass(frozen=True)
class Skipped:
    what: str
    reason: Reason


@dataclass(frozen=True)
class Findings:
    """What init learned about the places that carry the version."""

    version: str
    source: str  # where the current version was read, for the drift table
    proposed: tuple[VersionFile, ...] = ()
    dates: tuple[VersionFile, ...] = ()
    lagging: tuple[Place, ...] = ()  # older releases of this package: --sync fixes them
    conflicting: tuple[Place, ...] = ()  # neither the version nor an older release of it
    skipped: tuple[Skipped, ...] = ()
    not_read: tuple[tuple[str, int], ...] = ()  # (folder, files), most files first

    @property
    def version_files(self) -> list[str | dict[str, str]]:
        """The `version-files` entries, as [tool.release] spells them."""
        return [_entry(spec) for spec in self.proposed]

    @property
    def date_files(self) -> list[str]:
        return [str(spec) for spec in self.dates]

    def summary(self) -> list[str]:
        """One 'not proposed' line per reason, with counts and the first few places."""
        groups: dict[Reason, list[str]] = {}
        for item in self.skipped:
            groups.setdefault(item.reason, []).append(item.what)
        lines = [
            f"not proposed, {reason.value} ({len(items)}): {_first(items)}"
            for reason, items in groups.items()
        ]
        if self.not_read:
            files = sum(count for _, count in self.not_read)
            folders = _first([f"{folder} ({count})" for folder, count in self.not_read])
            lines.append(
                f"not read: {files} file{'s' * (files != 1)} in {folders}: tests, examples,"
                " fixtures and vendored code carry other versions"
            )
        return lines


def _entry(spec: VersionFile) -> str | dict[str, str]:
    return str(spec) if spec.key else {"path": spec.path, "pattern": spec.pattern}


def _first(items: Sequence[str], shown: int = 3) -> str:
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more


def listed_files(root: Path) -> list[str]:
    """Tracked and untracked-but-not-ignored files: one git call, nothing read."""
    out = git.git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    return sorted({path for path in out.split("\0") if path})


def not_ours(path: str) -> str:
    """The folder that makes `path` data or someone else's code ('' if none)."""
    parts = path.split("/")[:-1]
    for depth, part in enumerate(parts):
        if NOT_OURS.fullmatch(part):
            return "/".join(parts[: depth + 1]) + "/"
    return ""


@dataclass(frozen=True)
class Packages:
    """The package's folder (or single module) and any other top-level packages."""

    main: str  # "src/pkg/", "pkg/", "pkg.py" or "" when none is found
    others: tuple[str, ...]

    def owner(self, path: str) -> str:
        if self.main and (path == self.main or path.startswith(self.main)):
            return self.main
        return next((other for other in self.others if path.startswith(other)), "")


def find_packages(files: Iterable[str], package: str) -> Packages:
    """Top-level packages from the listing: `pkg/__init__.py`, or one folder down
    (`src/pkg/`, `lib/pkg/`); the one named `package` (or the only one) is the package."""
    folders = []
    modules = []
    for path in files:
        parts = path.split("/")
        name = parts[-2] if len(parts) > 1 else ""
        if len(parts) in (2, 3) and parts[-1] == "__init__.py" and name.isidentifier():
            if name not in NOT_PACKAGES and not not_ours(path):
                folders.append(path.removesuffix("__init__.py"))
        elif path in (f"{package}.py", f"src/{package}.py"):  # flit's single module
            modules.append(path)
    named = [f for f in folders if f.rstrip("/").rsplit("/", 1)[-1] == package] or modules
    main = named[0] if named else (folders[0] if len(folders) == 1 else "")
    return Packages(main, tuple(f for f in folders if f != main))


def released_versions(root: Path) -> frozenset[Version]:
    """Every version a tag names, whatever its prefix: the package's older releases."""
    found = set()
    for tag in git.tags(root):
        match = _TAG_VERSION.search(tag)
        if match:
            try:
                found.add(Version(match.group(1)))
            except InvalidVersion:
                continue
    return frozenset(found)


def _python_role(path: str, name: str, packages: Packages, package: str) -> Role | Reason | None:
    """What an assignment in the package's Python code is; None when it is no version."""
    owner = packages.owner(path)
    module = path.rsplit("/", 1)[-1]
    at_root = path == owner or (path.count("/") == owner.count("/") and module in VERSION_MODULES)
    if owner and owner != packages.main:
        return Role.OTHER_PACKAGE if at_root and name in VERSION_NAMES else None
    if at_root and name in VERSION_NAMES:
        return Role.TIED
    if name.upper() in (f"{package.upper()}_VERSION", f"__{package.upper()}_VERSION__"):
        return Role.TIED
    if name in VERSION_NAMES:  # pydantic.v1's VERSION: an old release, but its own
        return Role.OWN
    if name.upper() != name or "VERSION" not in name.strip("_").split("_"):
        return None
    return Reason.OTHER_THING if OTHER_THINGS.search(name.strip("_")) else Role.CONSTANT


def _python_places(
    path: str, text: str, packages: Packages, package: str
) -> Iterable[Place | Skipped]:
    conf = SPHINX_CONF.fullmatch(path) is not None
    for match in _ASSIGNMENT.finditer(text):
        name, value = match.group("name"), match.group("value")
        if not _VERSION_LIKE.fullmatch(value):
            continue
        role = (
            (Role.TIED if name in ("release", "version") else None)
            if conf
            else _python_role(path, name, packages, package)
        )
        if isinstance(role, Reason):
            yield Skipped(f"{path}:{name} = {value}", role)
        elif role is not None:
            yield Place(VersionFile(path, key=name), value, role)


def _cff_places(path: str, text: str) -> Iterable[Place]:
    for match in _CFF_KEY.finditer(text):
        yield Place(VersionFile(path, key=match.group("name")), match.group("value"), Role.RECORD)


def _mirror_places(path: str, text: str) -> Iterable[Place]:
    match = re.search(_JSON_VERSION, text)
    if match:
        yield Place(VersionFile(path, pattern=_JSON_VERSION), match.group("version"), Role.MIRROR)


def _is_candidate(path: str, packages: Packages) -> bool:
    """Worth reading: could carry the package's version, judged from the path alone."""
    if path in RECORDS or path in MIRRORS or SPHINX_CONF.fullmatch(path):
        return True
    return path.endswith(".py") and bool(packages.owner(path))


def _places(root: Path, path: str, packages: Packages, package: str) -> Iterable[Place | Skipped]:
    try:
        data = (root / path).read_bytes()
        if b"ersion" not in data and b"ERSION" not in data and b"release" not in data:
            return ()  # most modules: no version here, and no need to decode them
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return ()  # gone from the tree, or not text: carries no version we could edit
    if path in RECORDS:
        return _cff_places(path, text)
    if path in MIRRORS:
        return _mirror_places(path, text)
    return _python_places(path, text, packages, package)


def _is_short(value: Version, current: Version) -> bool:
    """Sphinx's `version = "1.4"`: fewer parts than the version, never a copy of it."""
    return len(value.release) < len(current.release)


def judge(place: Place, current: Version, released: frozenset[Version]) -> Verdict | Reason:
    """What a value found in a place means, given the current version and the tags."""
    try:
        value = Version(place.value)
    except InvalidVersion:
        return Reason.NOT_A_RELEASE
    if value == current:
        return Verdict.PROPOSED
    if place.role in (Role.OWN, Role.OTHER_PACKAGE, Role.MIRROR):
        return Reason[place.role.name]
    if _is_short(value, current):
        return Reason.SHORT
    if place.role is Role.CONSTANT:
        older_release = value in released and value < current
        return Verdict.LAGGING if older_release else Reason.NOT_A_RELEASE
    if value > current:
        return Verdict.CONFLICTING
    if place.role is Role.RECORD and current.is_devrelease and not value.is_prerelease:
        return Reason.LAST_RELEASE
    return Verdict.LAGGING


def _locates_once(root: Path, spec: VersionFile) -> bool:
    """The engine reads and rewrites exactly this place: a name assigned twice is not one."""
    try:
        version_files.read_value(read_text(root, spec.path), spec)
    except ConfigError:
        return False
    return True


def _source(loaded: Config) -> str:
    return str(loaded.version_files[0]) if loaded.version_files else "the last release tag"


def _spelled(loaded: Config, version: str) -> str:
    """The version as its source writes it (`8.5.0.dev`, not `8.5.0.dev0`): copies match it."""
    if not loaded.version_files:
        return version
    spec = loaded.version_files[0]
    written = version_files.read_value(read_text(loaded.root, spec.path), spec)
    return written if Version(written) == Version(version) else version


def _found(
    root: Path, files: Sequence[str], package: str, not_read: Counter[str]
) -> Iterable[Place | Skipped]:
    """Every version-like value in the files that can carry the package's version; the
    folders of data and other code, counted in `not_read` without reading them."""
    packages = find_packages(files, package)
    for path in files:
        folder = not_ours(path)
        if folder:
            not_read[folder] += 1
        elif _is_candidate(path, packages):
            yield from _places(root, path, packages, package)


def scan(loaded: Config, version: str) -> Findings:
    """Every place that carries this package's version, judged against `version`."""
    root = loaded.root
    files = listed_files(root)
    current = Version(version)
    released = released_versions(root)
    proposed = list(loaded.version_files)
    judged: dict[Verdict, list[Place]] = {Verdict.LAGGING: [], Verdict.CONFLICTING: []}
    dates: list[VersionFile] = []
    skipped: list[Skipped] = []
    not_read: Counter[str] = Counter()
    seen: set[VersionFile] = set()
    for found in _found(root, files, loaded.package, not_read):
        if isinstance(found, Skipped):
            skipped.append(found)
        elif found.spec.key == "date-released":
            dates.append(found.spec)
        elif found.spec in proposed or found.spec in seen:
            continue
        elif not _locates_once(root, found.spec):
            seen.add(found.spec)
            skipped.append(Skipped(str(found.spec), Reason.AMBIGUOUS))
        else:
            seen.add(found.spec)
            verdict = judge(found, current, released)
            if verdict is Verdict.PROPOSED:
                proposed.append(found.spec)
            elif isinstance(verdict, Verdict):
                judged[verdict].append(found)
            else:
                skipped.append(Skipped(str(found), verdict))
    carriers = {spec.path for spec in proposed} | {p.spec.path for p in judged[Verdict.LAGGING]}
    return Findings(
        version=_spelled(loaded, version),
        source=_source(loaded),
        proposed=tuple(proposed),
        dates=tuple(spec for spec in dates if spec.path in carriers),
        lagging=tuple(judged[Verdict.LAGGING]),
        conflicting=tuple(judged[Verdict.CONFLICTING]),
        skipped=tuple(skipped),
        not_read=tuple(not_read.most_common()),
    )


def _table(found: Findings) -> str:
    """file, locator, value found, current version: one row per differing copy."""
    rows = [("file", "locator", "found", "current")]
    rows += [
        (p.spec.path, p.spec.key or f"/{p.spec.pattern}/", p.value, found.version)
        for p in (*found.conflicting, *found.lagging)
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    return "\n".join(
        "  "
        + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def require_agreement(found: Findings) -> None:
    """Stop before anything is written while a copy of the version differs from it."""
    if found.conflicting:
        raise ReleaseError(
            f"the files that carry the version disagree with {found.version} ({found.source})",
            f"if {found.version} is right, `{SYNC_COMMAND}` shows the diff and sets each to it;"
            f" if not, set {found.source} first. Nothing was written",
            detail=_table(found),
        )
    if found.lagging:
        count = len(found.lagging)
        copies = (
            "1 copy of the version lags" if count == 1 else f"{count} copies of the version lag"
        )
        raise ReleaseError(
            f"{copies} behind {found.version} ({found.source})",
            f"`{SYNC_COMMAND}` shows the diff, then sets {'it' if count == 1 else 'them'} to"
            f" {found.version} in one write. Nothing was written",
            detail=_table(found),
        )


def sync_edits(loaded: Config, found: Findings) -> list[Edit]:
    """The edits that set every lagging or disagreeing copy to the version, by the engine's
    own locators (so `--sync` writes exactly what a bump would)."""
    places = (*found.conflicting, *found.lagging)
    differing = replace(loaded, version_files=tuple(p.spec for p in places), date_files=())
    return version_files.plan_edits(differing, found.version, date="")
