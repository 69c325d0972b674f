"""Release tags: the last release before HEAD, and the style a project's tags follow.

The last release is the nearest release tag reachable from HEAD, as `git describe
--tags --abbrev=0` finds it, never the highest tag anywhere: httpx's `1.0.0.beta0`,
474 commits back on a merged side line, is higher than its last release `0.28.1`, 23
back. Everything that asks "what was released last" (`next`, the changelog, a vcs
project's version) asks `last_release`. Imports stay lean: `next` starts through here.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from packaging.version import InvalidVersion, Version

from release import git, proc
from release.errors import ConfigError, ReleaseError
from release.versioning import DEFAULT_PRE_RELEASE, version_from_tag

DEFAULT_FORMAT = "v{version}"
#: A format is settled by the newest releases: older stray tags (rich's `9.12.0` among
#: 170 `v` tags) do not make it ambiguous, newer ones in two formats do.
RECENT = 10
_GLOB_SPECIAL = re.compile(r"([*?\[\]\\])")
# Where a version starts inside a tag: digits, a dot, digits, not inside another number.
_VERSION_START = re.compile(r"(?<![\d.])\d+\.\d+")
# A prefix is a name (maybe empty) then separators and an optional `v`: `pkg-v`, `pkg@`.
_PREFIX = re.compile(r"(?P<name>.*?)[-_/@.]*[vV]?[-_/@.]*")
_PRE_SPELLING = re.compile(
    r"\d+(?:\.\d+)*(?P<before>[-._]?)(?P<word>alpha|beta|rc|a|b)(?P<between>[-._]?)\d+"
)


class Tag(NamedTuple):
    name: str
    version: Version
    commit: str
    date: str  # YYYY-MM-DD: the tagger's date for annotated tags, else the commit's


def last_release(root: Path, tag_format: str) -> Tag | None:
    """The nearest tag reachable from HEAD that parses with `tag_format`; None before any.

    `git describe` finds the nearest commit with a tag matching the format's glob; of the
    tags on that commit the highest version wins (1.0.0 over 1.0.0rc2). A commit whose
    tags all fail to parse (`v1.0-docs`) is excluded and git asked again.
    """
    excluded: list[str] = []
    while True:
        described = proc.run(
            [
                "git",
                "describe",
                "--tags",
                "--abbrev=0",
                f"--match={_glob(tag_format)}",
                *(f"--exclude={_escape(name)}" for name in excluded),
                "HEAD",
            ],
            cwd=root,
            check=False,
        )
        if not described.ok:
            _require_commits(root)
            return None
        name = described.stdout.strip()
        if name in excluded:  # git did not skip it after all: stop rather than loop
            return None
        names, tags = _tags_at(root, name, tag_format)
        if tags:
            return max(tags, key=lambda tag: tag.version)
        excluded += [name, *names]


def _glob(tag_format: str) -> str:
    """`v{version}` -> `v[0-9]*`: what git's --match takes, so describe skips `vnext`."""
    prefix, _, suffix = tag_format.partition("{version}")
    return f"{_escape(prefix)}[0-9]*{_escape(suffix)}"


def _escape(text: str) -> str:
    """Literal text in a git glob (wildmatch): `*?[]\\` escaped with a backslash."""
    return _GLOB_SPECIAL.sub(r"\\\1", text)


def _tags_at(root: Path, name: str, tag_format: str) -> tuple[list[str], list[Tag]]:
    """Every tag on the commit `name` tags, and those of them that parse as releases."""
    listed = git.git(
        root,
        "for-each-ref",
        f"--points-at=refs/tags/{name}^{{commit}}",
        "--format=%(refname:strip=2) %(objectname) %(*objectname) %(creatordate:short)",
        "refs/tags",
    )
    names, tags = [], []
    for line in listed.splitlines():
        tag, obj, peeled, date = line.split(" ")
        names.append(tag)
        version = version_from_tag(tag, tag_format)
        if version is not None:
            tags.append(Tag(tag, version, peeled or obj, date))
    return names, tags


def _require_commits(root: Path) -> None:
    """describe failed: fine when no tag matches; an error without a repository or a commit."""
    if not git.ok(root, "rev-parse", "--verify", "--quiet", "HEAD"):
        git.require_repository(root)
        raise ReleaseError("the repository has no commits yet", "commit first, then run again")


class _Spelled(NamedTuple):
    """A tag split where its version starts: `recorder-v` + `1.2.0rc1`."""

    prefix: str
    text: str
    version: Version


def _split(tag: str) -> _Spelled | None:
    for start in _VERSION_START.finditer(tag):
        try:
            return _Spelled(
                tag[: start.start()], tag[start.start() :], Version(tag[start.start() :])
            )
        except InvalidVersion:
            continue
    return None


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _prefix_name(prefix: str) -> str:
    """The package a prefix names: `recorder-v` -> recorder, `pkg@` -> pkg, `v` -> ''."""
    match = _PREFIX.fullmatch(prefix)
    return match.group("name") if match else prefix


def detect_tag_style(root: Path, package_name: str, folder: str = "") -> tuple[str, str]:
    """(tag-format, tag-pre-release) as this package's existing tags spell them.

    The prefix: tags naming this package win (`name-v`, `name@`; in a subfolder, its
    folder's name or a part of it too: pydantic-core tags `core-v`), else unnamed ones
    (none, `v`), which in a subfolder are the top package's, not this one's; in a
    monorepo whose tags name only other packages, their shape with this package's name.
    Without tags, the defaults (in a subfolder, `name-v`). The newest releases in two
    formats are a ConfigError: `tag-format` settles which one new tags follow.
    """
    groups: dict[str, list[_Spelled]] = {}
    for tag in git.tags(root):
        spelled = _split(tag)
        if spelled is not None:
            groups.setdefault(spelled.prefix, []).append(spelled)
    names = _names_of(package_name, folder)
    own = {p: g for p, g in groups.items() if _normal(_prefix_name(p)) in names}
    unnamed = {p: g for p, g in groups.items() if not _prefix_name(p) and not folder}
    chosen = own or unnamed
    named = {p: g for p, g in groups.items() if _prefix_name(p)}
    if not chosen and named:  # another package's shape, with this package's name
        prefix, tags = max(named.items(), key=lambda item: len(item[1]))
        name = _prefix_name(prefix)
        return f"{package_name}{prefix[len(name) :]}{{version}}", _pre_release(tags)
    if not chosen:
        return (f"{package_name}-v{{version}}" if folder else DEFAULT_FORMAT), DEFAULT_PRE_RELEASE
    prefix = _settled(chosen)
    return f"{prefix}{{version}}", _pre_release(chosen[prefix])


def _names_of(package_name: str, folder: str) -> set[str]:
    """What a tag prefix may call this package: its name; in a subfolder also the folder's
    name and each dash-separated part of either (`core` for pydantic-core)."""
    names = {_normal(package_name)}
    if folder:
        names.add(_normal(PurePosixPath(folder).name))
        names |= {part for name in list(names) for part in name.split("-")}
    return names


def _settled(groups: dict[str, list[_Spelled]]) -> str:
    """The one prefix of the newest releases; two or more: the error that names the key."""
    newest = sorted((s for g in groups.values() for s in g), key=lambda s: s.version)[-RECENT:]
    prefixes = {spelled.prefix for spelled in newest}
    if len(prefixes) == 1:
        return prefixes.pop()
    ranked = sorted(prefixes, key=lambda p: (-len(groups[p]), p))
    shown = []
    for prefix in ranked:
        sample = max(groups[prefix], key=lambda s: s.version)
        shown.append(f"{len(groups[prefix])} like {prefix}{sample.text} ({prefix}{{version}})")
    choices = " or ".join(f'"{prefix}{{version}}"' for prefix in ranked)
    raise ConfigError(
        f"the tags are in {len(ranked)} formats: {', '.join(shown)}",
        f"set [tool.release] tag-format = {choices}: the format new tags follow",
    )


def _pre_release(tags: list[_Spelled]) -> str:
    """The spelling of the newest pre-release tag as a `tag-pre-release` template."""
    for spelled in sorted(tags, key=lambda s: s.version, reverse=True):
        match = _PRE_SPELLING.fullmatch(spelled.text) if spelled.version.pre else None
        if match:
            word, between = match.group("word"), match.group("between")
            named = word in ("alpha", "beta") or (word == "rc" and bool(between))
            placeholder = "{name}" if named else "{label}"
            return f"{match.group('before')}{placeholder}{between}{{number}}"
    return DEFAULT_PRE_RELEASE
