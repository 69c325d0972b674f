"""Changelog entries from Conventional Commits, in the shape the file already has.

Sections come from `changelog-types` (type -> section name, in that order), after a
"Breaking changes" section that takes every breaking commit whatever its type. Entries
name their scope and link the commit and the issues it mentions when origin is on GitHub
or GitLab, with the file's own list marker. Merging into Unreleased only adds: hand-written
lines stay as they are, and a commit whose short hash is already in the section is not
added again.

A file release-please writes (`* subject ([abc1234](…/commit/…))`) gets release-please's
sections instead: `⚠ BREAKING CHANGES` first (each also listed under its type), then its
default sections (Features, Bug Fixes, Performance Improvements, Reverts) and any other of
its sections the file already shows, each sorted by scope and subject, laid out as
release-please lays them out. Where the file keeps no Unreleased section, `--changelog
generate` writes the body of the release's new section; the release puts it under a
heading in the file's style.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from release import changelog, files, package, proc
from release.commits import Commit, read, release_tags, scope, since_last_release
from release.config import Config
from release.console import note
from release.errors import UsageError
from release.options import Options

BREAKING = "Breaking changes"
RELEASE_PLEASE_BREAKING = "\u26a0 BREAKING CHANGES"
#: release-please's sections (its default `changelog-sections`), in its order.
RELEASE_PLEASE_TYPES: Mapping[str, str] = {
    "feat": "Features",
    "feature": "Features",
    "fix": "Bug Fixes",
    "perf": "Performance Improvements",
    "revert": "Reverts",
    "docs": "Documentation",
    "style": "Styles",
    "chore": "Miscellaneous Chores",
    "refactor": "Code Refactoring",
    "test": "Tests",
    "build": "Build System",
    "ci": "Continuous Integration",
}
#: The ones it shows unless configured to show more.
RELEASE_PLEASE_SHOWN = frozenset({"Features", "Bug Fixes", "Performance Improvements", "Reverts"})
#: An entry as release-please writes it: `* subject ([abc1234](…/commit/<full hash>))`.
_RELEASE_PLEASE_ENTRY = re.compile(
    r"^\* .*\(\[[0-9a-f]{7,12}\]\([^\s)]+/commit/[0-9a-f]{40}\)\)", re.MULTILINE
)
_MARKER = re.compile(r"^([-*+]) \S", re.MULTILINE)
_TITLE = re.compile(r"^#{2,6} +(.+?)[ \t]*$", re.MULTILINE)
NEW_FILE = "# Changelog\n\n## [Unreleased]\n"
_CLOSING = ("closes", "fixes", "resolves", "refs")
_ISSUE = re.compile(r"(?<![\w/\[])#(\d+)\b")
_REMOTE = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^@/]+@)?(?P<host>[^/:]+)(?::\d+)?[:/]+(?P<path>.+?)(?:\.git)?/*$"
)

#: One entry: the commit's full hash (to tell whether it is already present) and its text.
Entry = tuple[str, str]


class Links(NamedTuple):
    """URL prefixes for a commit and an issue on the project's forge."""

    commit: str
    issue: str


def links_for(url: str) -> Links | None:
    """GitHub and GitLab remotes (https, ssh or scp-like); None for anything else.

    Credentials in the URL (`https://user:token@host/...`) are dropped, never printed.
    """
    match = _REMOTE.match(url.strip())
    if not match:
        return None
    host, path = match["host"], match["path"]
    base = f"https://{host}/{path}"
    if host == "github.com":
        return Links(f"{base}/commit/", f"{base}/issues/")
    if "gitlab" in host.split("."):
        return Links(f"{base}/-/commit/", f"{base}/-/issues/")
    return None


def remote_links(root: Path) -> Links | None:
    result = proc.run(["git", "config", "--get", "remote.origin.url"], cwd=root, check=False)
    return links_for(result.stdout) if result.ok else None


def _link_issues(text: str, links: Links | None) -> str:
    if not links or "#" not in text:
        return text
    return _ISSUE.sub(lambda m: f"[#{m[1]}]({links.issue}{m[1]})", text)


def entry(commit: Commit, links: Links | None, detail: bool = False, marker: str = "-") -> str:
    """`- **scope:** description (hash, closes #12)`, linked when `links` is known."""
    sha, text = commit.sha, commit.description
    refs = f"[{sha[:7]}]({links.commit}{sha})" if links else sha[:7]
    if commit.footers or commit.reverts:
        for token, value in commit.footers:
            if token.lower() in _CLOSING and "#" in value:
                refs += f", {token.lower()} {_link_issues(value, links)}"
        refs += "".join(f", reverts {reverted[:7]}" for reverted in commit.reverts)
    if "#" in text:
        text = _link_issues(text, links)
    scope = f"**{commit.scope}:** " if commit.scope else ""
    if detail and commit.breaking != commit.description:
        return f"{marker} {scope}{text} ({refs})\n  {' '.join(commit.breaking.split())}"
    return f"{marker} {scope}{text} ({refs})"


class Sections:
    """One release's entries by section. Fed newest commit first, as git log gives them;
    `grouped` lists them oldest first. Counts the commits seen and those left out."""

    def __init__(self, types: Mapping[str, str], links: Links | None, marker: str = "-") -> None:
        self.links = links
        self.marker = marker
        self.entries: dict[str, list[Entry]] = {BREAKING: []}
        for name in types.values():
            self.entries.setdefault(name, [])
        self.by_type = {kind: self.entries[name] for kind, name in types.items()}
        self.seen = self.left_out = 0

    def add(self, commit: Commit) -> None:
        self.seen += 1
        if commit.breaking:
            line = entry(commit, self.links, detail=True, marker=self.marker)
            self.entries[BREAKING].append((commit.sha, line))
        elif (entries := self.by_type.get(commit.type)) is not None:
            entries.append((commit.sha, entry(commit, self.links, marker=self.marker)))
        elif not commit.type:
            self.left_out += 1

    def grouped(self) -> dict[str, list[Entry]]:
        return {name: entries[::-1] for name, entries in self.entries.items() if entries}


def collect(
    commits: Iterable[Commit], config: Config, links: Links | None, marker: str = "-"
) -> Sections:
    sections = Sections(config.changelog_types, links, marker)
    for commit in commits:
        sections.add(commit)
    return sections


def render(heading: str, grouped: Mapping[str, Sequence[Entry]]) -> str:
    parts = [heading, "\n\n"]
    for name, entries in grouped.items():
        parts += ["### ", name, "\n\n", "\n".join(line for _, line in entries), "\n\n"]
    return "".join(parts)


def merge(text: str, path: str, grouped: Mapping[str, Sequence[Entry]]) -> tuple[str, int]:
    """`text` with the entries not yet in Unreleased appended to their sections; the count."""
    section = changelog.unreleased_section(text, path)
    body = text[section.body_start : section.end]
    lines = body.rstrip().split("\n") if body.strip() else [""]
    style = re.search(r"^### .*\n(\n?)", text, re.MULTILINE)  # the file's own, else a blank
    blank_after_heading = style is None or bool(style[1])
    added = 0
    for name, entries in grouped.items():
        new = [line for sha, line in entries if sha[:7] not in body]
        if not new:
            continue
        added += len(new)
        heading = next(
            (i for i, line in enumerate(lines) if line.strip().lower() == f"### {name.lower()}"),
            None,
        )
        if heading is None:
            if lines[-1].strip():
                lines.append("")
            lines += [f"### {name}", *([""] if blank_after_heading else []), *new]
            continue
        end = next((i for i in range(heading + 1, len(lines)) if lines[i].startswith("#")), None)
        end = len(lines) if end is None else end
        while end > heading + 1 and not lines[end - 1].strip():
            end -= 1
        lines[end:end] = new
    if not added:
        return text, 0
    new_body = "\n".join(lines).strip("\n")
    return f"{text[: section.body_start]}\n{new_body}\n\n{text[section.end :]}", added


def release_please(text: str) -> bool:
    """The file's entries are release-please's (it wrote them, or the project writes alike)."""
    return _RELEASE_PLEASE_ENTRY.search(text) is not None


def _marker(text: str) -> str:
    """The list marker most of the file's entries start with (`-` when it has none)."""
    counts = Counter(_MARKER.findall(text))
    return counts.most_common(1)[0][0] if counts else "-"


def _release_please_types(config: Config, text: str) -> Mapping[str, str]:
    """`changelog-types` when set; else the sections release-please shows by default and
    those of its sections the file already shows (a project that turned them on)."""
    if "changelog-types" in config.pyproject.get("tool", {}).get("release", {}):
        return config.changelog_types
    shown = RELEASE_PLEASE_SHOWN | set(_TITLE.findall(text))
    return {kind: name for kind, name in RELEASE_PLEASE_TYPES.items() if name in shown}


def _collation(text: str) -> tuple[tuple[int, str], ...]:
    """Close to JavaScript's localeCompare, which release-please sorts with: case aside,
    punctuation before digits and letters."""
    return tuple((int(char.isalnum()), char.casefold()) for char in text)


def _release_please_line(commit: Commit, links: Links | None, note: bool = False) -> str:
    """`* **scope:** subject ([abc1234](…/commit/…)), closes [#12](…)`; a breaking change's
    note is its text alone."""
    scope = f"**{commit.scope}:** " if commit.scope else ""
    if note:
        return f"* {scope}{_link_issues(' '.join(commit.breaking.split()), links)}"
    ref = f"[{commit.sha[:7]}]({links.commit}{commit.sha})" if links else commit.sha[:7]
    closes = [
        _link_issues(value, links)
        for token, value in commit.footers
        if token.lower() in _CLOSING and "#" in value
    ]
    tail = f", closes {' '.join(closes)}" if closes else ""
    return f"* {scope}{_link_issues(commit.description, links)} ({ref}){tail}"


def _release_please_groups(
    commits: Iterable[Commit], types: Mapping[str, str], links: Links | None
) -> dict[str, list[Entry]]:
    """release-please's sections: the breaking changes' notes, then each type's commits,
    sorted by scope (scoped ones first) and subject."""
    notes: list[Commit] = []
    by_name: dict[str, list[Commit]] = {name: [] for name in types.values()}
    for commit in commits:
        if commit.breaking:
            notes.append(commit)
        if commit.type in types:
            by_name[types[commit.type]].append(commit)
    notes.sort(key=lambda commit: _collation(commit.breaking))
    grouped = {
        RELEASE_PLEASE_BREAKING: [(c.sha, _release_please_line(c, links, True)) for c in notes]
    }
    for name, members in by_name.items():
        members.sort(key=lambda c: (not c.scope, _collation(c.scope), _collation(c.description)))
        grouped[name] = [(c.sha, _release_please_line(c, links)) for c in members]
    return {name: entries for name, entries in grouped.items() if entries}


def _grouped(config: Config, text: str, commits: Iterable[Commit]) -> dict[str, list[Entry]]:
    """The commits' entries by section, in the shape of the file's entries."""
    links = remote_links(config.root)
    if release_please(text):
        return _release_please_groups(commits, _release_please_types(config, text), links)
    return collect(commits, config, links, _marker(text)).grouped()


def _body(style: changelog.Style, grouped: Mapping[str, Sequence[Entry]], spaced: bool) -> str:
    """A new release section's entries, each group under a heading in the file's style;
    `spaced` is release-please's layout: two blank lines between groups (one after the
    breaking changes)."""
    parts = []
    for name, entries in grouped.items():
        lines = "\n".join(line for _, line in entries)
        gap = "\n" if spaced and name != RELEASE_PLEASE_BREAKING else ""
        parts.append(f"{changelog.group_heading(style, name)}\n{lines}\n{gap}")
    return "\n".join(parts).strip("\n")


def generate(config: Config, current: changelog.Changelog) -> tuple[str, str]:
    """`--changelog generate`: (the changelog's text, the body of the release's section).

    An empty Unreleased section is filled from the commits since the last release (the
    body is then ''); where the file keeps no Unreleased section, the text stays as it is
    and the body holds the entries, for the release to write under its new heading.
    """
    text = current.document.text
    if current.unreleased() is not None:
        return fill_unreleased(config, text), ""
    _, commits = since_last_release(config)
    grouped = _grouped(config, text, commits)
    return text, _body(current.style, grouped, spaced=release_please(text))


def fill_unreleased(config: Config, text: str) -> str:
    """An empty Unreleased section filled from the commits since the last release
    (`--changelog generate`); a section with entries is left exactly as it is."""
    section = changelog.unreleased_section(text, config.changelog)
    if changelog.has_entries(text[section.body_start : section.end]):
        return text
    _, commits = since_last_release(config)
    return merge(text, config.changelog, _grouped(config, text, commits))[0]


def render_all(config: Config, links: Links | None) -> tuple[str, list[Sections]]:
    """The whole history by release, newest first, as a Keep a Changelog document.

    One pass over `git log --topo-order` (children before parents): a commit belongs to
    the oldest release among its own tag's and its children's, so a branch merged after
    a release lands in the release that merged it. Commits are not kept: each becomes
    its entry at once.
    """
    tags = release_tags(config.root, config.tag_format)
    unreleased = len(tags)
    owner = {tag.commit: index for index, tag in enumerate(tags)}
    releases = [Sections(config.changelog_types, links) for _ in range(unreleased + 1)]
    for commit in read(config.root, ["--topo-order", "HEAD"], scope(config)):
        index = owner.pop(commit.sha, unreleased)
        for parent in commit.parents:
            if owner.get(parent, unreleased) > index:
                owner[parent] = index
        releases[index].add(commit)
    headings = [f"## [{tag.version}] - {tag.date}" for tag in tags] + ["## [Unreleased]"]
    parts = ["# Changelog\n\n"]
    for heading, sections in zip(reversed(headings), reversed(releases), strict=True):
        parts.append(render(heading, sections.grouped()))
    return "".join(parts), releases


def command(options: Options) -> int:
    """`changelog`: print the Unreleased entries; --write merges them; --all: every release."""
    loaded = package.one(options.package, "changelog")
    write, path = options.write, loaded.changelog
    if write and not path:
        raise UsageError(
            "no changelog is configured", 'set [tool.release] changelog = "CHANGELOG.md"'
        )
    links = remote_links(loaded.root)
    file = loaded.root / path
    if options.all:
        document, releases = render_all(loaded, links)
        if write and file.exists():
            raise UsageError(
                f"{path} exists: --all --write would replace it",
                "run with --all alone and copy what you need, or remove the file first",
            )
        if write:
            file.write_text(document, encoding="utf-8")
            note(f"wrote {path}")
        else:
            sys.stdout.write(document)
        since = "in the history"
    else:
        last, commits = since_last_release(loaded)
        releases = [collect(commits, loaded, links)]
        since = f"since {last.name}" if last else "in the history"
        if write:
            _write_unreleased(loaded, file, releases[0].grouped())
        else:
            sys.stdout.write(render("## [Unreleased]", releases[0].grouped()))
    seen, left_out = sum(r.seen for r in releases), sum(r.left_out for r in releases)
    if left_out:
        note(f"{left_out} of {seen} commits {since} are not Conventional Commits: left out")
    return 0


def _write_unreleased(config: Config, file: Path, grouped: Mapping[str, Sequence[Entry]]) -> None:
    path = config.changelog
    old = files.read_text(config.root, path) if file.exists() else NEW_FILE
    new, added = merge(old, path, grouped)
    entries = f"{added} {'entry' if added == 1 else 'entries'}"
    if not added:
        note(f"{path}: nothing new, every entry is already under Unreleased")
    elif file.exists():
        edit = files.Edit(path, old, new)
        files.write_atomically(config.root, [edit], "changelog")
        note(f"{path}: {entries} added under Unreleased")
    else:
        file.write_text(new, encoding="utf-8")
        note(f"{path}: created with {entries} under Unreleased")
