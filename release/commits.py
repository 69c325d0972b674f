"""Conventional Commits 1.0: parse messages, read them from git, compute the next version.

Speed matters here (`python -m release next` runs in scripts and hooks), so this module
imports only the standard library, `packaging.version` and the project's lean modules;
the changelog renderer and TOML writers stay out of its import path. Commits come from
one streaming `git log` call: parsing overlaps with git's output, and `next` stops
reading (and stops git) as soon as the highest possible bump level is reached.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import NamedTuple

from packaging.version import InvalidVersion, Version

from release import proc, tags, versioning
from release.config import Config
from release.errors import ReleaseError, UsageError
from release.options import Options
from release.tags import Tag

NONE, PATCH, MINOR, MAJOR = range(4)
LEVEL_NAMES = ("none", "patch", "minor", "major")
PRE_KINDS = ("alpha", "beta", "rc")
PIPE_SIZE = 1 << 20
_PRE_NAME = {"a": "alpha", "b": "beta", "rc": "rc"}
_PRE_LABEL = {name: label for label, name in _PRE_NAME.items()}

# One record of `git log --format=%x00%H %P%n%B`: the hash, the parents, then the header
# either as a Conventional Commit -- type (any case), optional (scope), optional !, ": ",
# description -- or as anything else, then the body. One regex call per chunk of records.
_RECORD = re.compile(
    r"\x00(?P<sha>\S+)(?P<parents>[^\n]*)\n\s*"
    r"(?:(?P<type>\w[\w-]*)(?:\((?P<scope>[^()\r\n]+)\))?(?P<bang>!)?:[ \t]+(?P<desc>\S[^\n]*)"
    r"|(?P<other>[^\n]*))(?P<body>[^\x00]*)"
)
# A footer: `Token: value` or `Token #value`; `BREAKING CHANGE` is the one token with a space.
_WORD = r"BREAKING CHANGE|[\w-]+"
_FOOTER_LINE = re.compile(rf"^(?:{_WORD})(?::[ \t]|[ \t]#)", re.MULTILINE)
_FOOTER_TOKEN = re.compile(rf"^({_WORD})(?::[ \t]|[ \t](?=#))[ \t]*", re.MULTILINE)
_REVERTS = re.compile(r"This reverts commit (?P<hash>[0-9a-f]{7,64})")
_HASH = re.compile(r"\b[0-9a-f]{7,64}\b")


class Commit(NamedTuple):
    """One commit, parsed. `type` is '' when the subject is not a Conventional Commit."""

    sha: str
    type: str
    scope: str
    description: str  # the header's description; the whole header when not conventional
    breaking: str  # '' or what breaks: the BREAKING CHANGE footer, else the description
    footers: tuple[tuple[str, str], ...] = ()
    reverts: tuple[str, ...] = ()  # hashes a revert commit names
    parents: tuple[str, ...] = ()

    @property
    def conventional(self) -> bool:
        return bool(self.type)


class NothingToRelease(ReleaseError):
    """No commit since the last release asks for one: say so and exit 0, nothing done."""

    exit_code = 0


def _footers(body: str, first: re.Match[str]) -> tuple[tuple[str, str], ...]:
    """(token, value) pairs, from the `first` line that looks like a footer on. The footers
    start at a token line that opens the body or a paragraph (or at a BREAKING CHANGE line
    anywhere); from there each line that starts with a token starts the next footer, and
    a value runs on over lines and paragraphs."""
    for line in _FOOTER_LINE.finditer(body, first.start()):
        start = line.start()
        if (
            body.endswith("\n\n", 0, start)
            or not body[:start].strip()
            or line[0].startswith("BREAKING")
        ):
            parts = _FOOTER_TOKEN.split(body[start:])  # ["", token, value, token, value...]
            return tuple(zip(parts[1::2], [value.strip() for value in parts[2::2]], strict=True))
    return ()


def parse(sha: str, message: str, parents: tuple[str, ...] = ()) -> Commit:
    """One commit message -> Commit. Never fails: a non-conventional subject is kept aside."""
    return next(_records(f"\x00{sha} {' '.join(parents)}\n{message}"))


def _records(text: str) -> Iterator[Commit]:
    """Every record in `text` (whole records, each starting with NUL), parsed.

    Written for speed (it runs once per commit of the history): one regex pass finds
    every record's fields; footers are looked at only when a line looks like one.
    """
    return map(_commit, _RECORD.findall(text))


def _commit(fields: tuple[str, ...]) -> Commit:
    sha, parents, kind, scope, bang, description, other, body = fields
    first = _FOOTER_LINE.search(body)  # most bodies have no footer: one quick look
    footers = _footers(body, first) if first else ()
    reverts: tuple[str, ...] = ()
    if kind:
        kind, description = kind.lower(), description.rstrip()
        if kind == "revert":
            refs = " ".join(value for token, value in footers if token.lower() == "refs")
            reverts = (*_HASH.findall(refs), *_REVERTS.findall(body))
    elif other.startswith('Revert "') and other.rstrip().endswith('"'):  # git's own revert
        kind, description = "revert", other.rstrip()[8:-1]
        reverts = tuple(_REVERTS.findall(body))
    else:
        return Commit(sha, "", "", other.rstrip(), "", footers, (), tuple(parents.split()))
    breaking = ""
    for token, value in footers:
        if token in ("BREAKING CHANGE", "BREAKING-CHANGE"):
            breaking = value
            break
    else:
        if bang:
            breaking = description
    return Commit(sha, kind, scope, description, breaking, footers, reverts, tuple(parents.split()))


def level(commit: Commit) -> int:
    """The bump a commit asks for: breaking -> major, feat -> minor, fix/perf -> patch."""
    if commit.breaking:
        return MAJOR
    if commit.type == "feat":
        return MINOR
    if commit.type in ("fix", "perf"):
        return PATCH
    return NONE


# --- reading from git -------------------------------------------------------------------


def release_tags(root: Path, tag_format: str) -> list[Tag]:
    """Tags reachable from HEAD that parse with `tag_format`, oldest version first.

    Tags that do not parse are ignored. Several tags on one commit (1.0.0rc2 and 1.0.0):
    the highest version keeps the commit.
    """
    result = proc.run(
        [
            "git",
            "for-each-ref",
            "--merged=HEAD",
            "refs/tags",
            "--format=%(refname:strip=2) %(objectname) %(*objectname) %(creatordate:short)",
        ],
        cwd=root,
        check=False,
    )
    if not result.ok:
        from release import git

        git.require_repository(root)
        raise ReleaseError("the repository has no commits yet", "commit first, then run again")
    by_commit: dict[str, Tag] = {}
    for line in result.stdout.splitlines():
        name, obj, peeled, date = line.split(" ")
        version = versioning.version_from_tag(name, tag_format)
        commit = peeled or obj
        if version is not None and (commit not in by_commit or version > by_commit[commit].version):
            by_commit[commit] = Tag(name, version, commit, date)
    return sorted(by_commit.values(), key=lambda tag: tag.version)


def read(
    root: Path, revisions: Sequence[str], paths: Sequence[str] = ()
) -> Generator[Commit, None, None]:
    """The commits of `git log REVISIONS`, newest first, parsed while git is still writing.

    Not through proc.run on purpose: the gateway waits for the whole output, and this
    must stream (to parse while git works) and be able to stop early (`next` stops git
    once the answer is known). The argv is fixed, holds no secret, and nothing is logged.
    `paths` (relative to `root`) keeps the commits that touch them: a package's own.
    """
    argv = [
        "git",
        "-c",
        "log.showSignature=false",
        "log",
        "--no-color",
        "--format=%x00%H %P%n%B",
        *revisions,
        "--",
        *paths,
    ]
    child = subprocess.Popen(argv, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    stdout, stderr = child.stdout, child.stderr
    assert stdout is not None
    assert stderr is not None
    _widen_pipe(stdout.fileno())
    finished = False
    try:
        pending = b""
        while chunk := os.read(stdout.fileno(), PIPE_SIZE):
            data = pending + chunk
            cut = data.rfind(b"\x00")  # a record boundary, never inside a UTF-8 sequence
            pending = data[cut:]
            yield from _records(data[:cut].decode("utf-8", "replace"))
        yield from _records(pending.decode("utf-8", "replace"))
        finished = True
    finally:
        if not finished:
            child.kill()  # the caller has its answer: stop git
        stdout.close()
        error = stderr.read().decode("utf-8", "replace")
        stderr.close()
        if child.wait() != 0 and finished:
            raise ReleaseError(
                f"git log {' '.join(revisions)} failed (exit {child.returncode})",
                "check that this is a git repository with commits",
                detail=error.strip(),
            )


def _widen_pipe(fd: int) -> None:
    """Let git write up to PIPE_SIZE ahead of the parser (Linux; elsewhere the default)."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except (ImportError, AttributeError, OSError):
        pass


def scope(config: Config) -> tuple[str, ...]:
    """The paths whose commits are the package's, relative to its folder: all of them (no
    filter, the fast path) for a package at the top of its repository with no extra paths."""
    if not config.paths and (config.root / ".git").exists():
        return ()
    return (".", *config.paths)


def since_last_release(config: Config) -> tuple[Tag | None, Generator[Commit, None, None]]:
    """The last release tag (None before the first one) and the package's commits after it."""
    last = tags.last_release(config.root, config.tag_format)
    revisions = [f"{last.commit}..HEAD" if last else "HEAD"]
    return last, read(config.root, revisions, scope(config))


# --- the next version -------------------------------------------------------------------


class Bump(NamedTuple):
    level: int
    reason: Commit | None  # the first commit (newest) that asked for `level`
    seen: int  # commits read (all of them unless the highest level was reached early)


def bump_level(commits: Iterable[Commit], ceiling: int = MAJOR) -> Bump:
    """The highest level asked for; stops reading as soon as `ceiling` is reached."""
    best, reason, seen = NONE, None, 0
    for commit in commits:
        seen += 1
        wanted = min(level(commit), ceiling)
        if wanted > best:
            best, reason = wanted, commit
            if best == ceiling:
                break
    return Bump(best, reason, seen)


def ceiling(current: Version, major_on_zero: bool) -> int:
    """In 0.x a breaking change bumps the minor version (unless major-on-zero is set)."""
    return MINOR if current.major == 0 and not major_on_zero else MAJOR


def apply(current: Version, bump: int, pre: str = "") -> Version:
    """`current` moved by a bump level, PEP 440; `pre` starts or continues a pre-release.

    A pre-release in progress continues (1.0.23a1 + fix -> 1.0.23a2) while its base
    version already covers the level; otherwise a new series starts (1.0.23a1 + feat ->
    1.1.0a1). Going back from rc to alpha is refused by versioning.bump.
    """
    base = versioning.bump(current, LEVEL_NAMES[bump])
    label = pre or (_PRE_NAME[current.pre[0]] if current.pre else "")
    if not label:
        return base
    if current.pre and Version(current.base_version) == base:
        return versioning.bump(current, label)
    return Version(f"{base}{_PRE_LABEL[label]}1")


class Decision(NamedTuple):
    version: Version
    base: Version  # what the level was applied to
    bump: Bump
    release_as: Commit | None = None  # the commit whose `Release-As:` footer named `version`


RELEASE_AS = "release-as"


def release_as(config: Config, last: Tag | None) -> tuple[Version, Commit] | None:
    """The newest `Release-As: X` footer since the last release: X is the next version.

    Once only: after that release the footer's commit is behind the new tag. git picks
    the candidates (a quick --grep); the footer parser decides which really say it.
    """
    since = f"{last.commit}..HEAD" if last else "HEAD"
    found = read(config.root, ["--regexp-ignore-case", "--grep=^release-as:", since], scope(config))
    try:
        for commit in found:
            for token, value in commit.footers:
                if token.lower() == RELEASE_AS:
                    return _requested(value, commit), commit
    finally:
        found.close()
    return None


def _requested(value: str, commit: Commit) -> Version:
    try:
        return Version(value)
    except InvalidVersion:
        raise UsageError(
            f"Release-As: '{value}' in {commit.sha[:7]} is not a PEP 440 version",
            "write the version the next release must have, e.g. Release-As: 2.0.0",
        ) from None


def decide(config: Config, current: Version, pre: str = "") -> Decision:
    """The next version and why; NothingToRelease when no commit asks for a release.

    The level is applied to the last release (its tag's version), not to the version
    files: after a bump that was not released yet (an interrupted release, a `bump auto`
    run twice) the answer stays the same instead of moving on. `current` (the files)
    counts before the first release tag, and when it is a development or pre-release
    version ahead of the answer (the files say which release comes next).
    """
    if pre and pre not in PRE_KINDS:
        raise UsageError(f"unknown pre-release kind '{pre}'", "use one of: " + ", ".join(PRE_KINDS))
    last, commits = since_last_release(config)
    base = last.version if last else current
    try:
        bump = bump_level(commits, ceiling(base, config.major_on_zero))
    finally:
        commits.close()  # stops git when the answer came early
    since = last.name if last else "the first commit"
    asked = release_as(config, last)
    if asked:
        version, commit = asked
        if version <= current:
            raise UsageError(
                f"Release-As: {version} in {commit.sha[:7]} is not newer than the current"
                f" version {current}",
                f"add a commit with a footer above {current} (Release-As: X.Y.Z); the newest"
                " footer since the last release counts",
            )
        return Decision(version, base, bump, commit)
    if bump.level == NONE:
        raise NothingToRelease(
            f"nothing to release: no commits since {since}"
            if not bump.seen
            else f"nothing to release: none of the {bump.seen} commits since {since} is a"
            " feat, fix, perf or breaking change"
        )
    version = apply(base, bump.level, pre)
    if current.is_prerelease and version < current:
        # The files already name the coming release (`8.5.0.dev0` after 8.4.2): move from there.
        return Decision(apply(current, bump.level, pre), current, bump)
    return Decision(version, base, bump)


def next_version(config: Config, current: Version, pre: str = "") -> Version:
    """The version `auto` means (`release`, `bump` and `next` share this)."""
    return decide(config, current, pre).version


def describe(bump: Bump) -> str:
    commit = bump.reason
    if commit is None:
        return LEVEL_NAMES[bump.level]
    what = "breaking change" if commit.breaking else commit.type
    return f"{LEVEL_NAMES[bump.level]}: {what} in {commit.sha[:7]} ({commit.description})"


# --- commands ---------------------------------------------------------------------------


def next_command(options: Options) -> int:
    """Print the next version (the last line of stdout); why goes to stderr."""
    from release import package, version_files

    loaded = package.one(options.package, "next")
    current = version_files.current_version(loaded)
    decision = decide(loaded, current, options.pre)
    why = describe(decision.bump)
    if decision.release_as:
        why = f"Release-As in {decision.release_as.sha[:7]} ({decision.release_as.description})"
    print(f"note: {decision.base} -> {decision.version}, {why}", file=sys.stderr)
    print(decision.version)
    return 0
