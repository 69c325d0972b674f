"""Keep a Changelog sections from Conventional Commits: render them, merge them into Unreleased.

Sections come from `changelog-types` (type -> section name, in that order), after a
"Breaking changes" section that takes every breaking commit whatever its type. Entries
name their scope and link the commit and the issues it mentions when origin is on GitHub
or GitLab. Merging into Unreleased only adds: hand-written lines stay as they are, and a
commit whose short hash is already in the section is not added again.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from release import changelog, proc, version_files
from release.commits import Commit, read, release_tags, since_last_release
from release.config import Config
from release.errors import UsageError

BREAKING = "Breaking changes"
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


def entry(commit: Commit, links: Links | None, detail: bool = False) -> str:
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
        return f"- {scope}{text} ({refs})\n  {' '.join(commit.breaking.split())}"
    return f"- {scope}{text} ({refs})"


class Sections:
    """One release's entries by section. Fed newest commit first, as git log gives them;
    `grouped` lists them oldest first. Counts the commits seen and those left out."""

    def __init__(self, types: Mapping[str, str], links: Links | None) -> None:
        self.links = links
        self.entries: dict[str, list[Entry]] = {BREAKING: []}
        for name in types.values():
            self.entries.setdefault(name, [])
        self.by_type = {kind: self.entries[name] for kind, name in types.items()}
        self.seen = self.left_out = 0

    def add(self, commit: Commit) -> None:
        self.seen += 1
        if commit.breaking:
            self.entries[BREAKING].append((commit.sha, entry(commit, self.links, detail=True)))
        elif (entries := self.by_type.get(commit.type)) is not None:
            entries.append((commit.sha, entry(commit, self.links)))
        elif not commit.type:
            self.left_out += 1

    def grouped(self) -> dict[str, list[Entry]]:
        return {name: entries[::-1] for name, entries in self.entries.items() if entries}


def collect(commits: Iterable[Commit], config: Config, links: Links | None) -> Sections:
    sections = Sections(config.changelog_types, links)
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


def fill_unreleased(config: Config, text: str) -> str:
    """An empty Unreleased section filled from the commits since the last release
    (`--changelog generate`); a section with entries is left exactly as it is."""
    section = changelog.unreleased_section(text, config.changelog)
    if changelog.has_entries(text[section.body_start : section.end]):
        return text
    _, commits = since_last_release(config.root, config.tag_format)
    sections = collect(commits, config, remote_links(config.root))
    return merge(text, config.changelog, sections.grouped())[0]


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
    for commit in read(config.root, ["--topo-order", "HEAD"]):
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


def _note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


def command(options: Mapping[str, Any]) -> int:
    """`changelog`: print the Unreleased entries; --write merges them; --all: every release."""
    loaded = version_files.load()
    write, path = bool(options.get("write")), loaded.changelog
    if write and not path:
        raise UsageError(
            "no changelog is configured", 'set [tool.release] changelog = "CHANGELOG.md"'
        )
    links = remote_links(loaded.root)
    file = loaded.root / path
    if options.get("all"):
        document, releases = render_all(loaded, links)
        if write and file.exists():
            raise UsageError(
                f"{path} exists: --all --write would replace it",
                "run with --all alone and copy what you need, or remove the file first",
            )
        if write:
            file.write_text(document, encoding="utf-8")
            _note(f"wrote {path}")
        else:
            sys.stdout.write(document)
        since = "in the history"
    else:
        last, commits = since_last_release(loaded.root, loaded.tag_format)
        releases = [collect(commits, loaded, links)]
        since = f"since {last.name}" if last else "in the history"
        if write:
            _write_unreleased(loaded, file, releases[0].grouped())
        else:
            sys.stdout.write(render("## [Unreleased]", releases[0].grouped()))
    seen, left_out = sum(r.seen for r in releases), sum(r.left_out for r in releases)
    if left_out:
        _note(f"{left_out} of {seen} commits {since} are not Conventional Commits: left out")
    return 0


def _write_unreleased(config: Config, file: Path, grouped: Mapping[str, Sequence[Entry]]) -> None:
    path = config.changelog
    old = version_files.read_text(config.root, path) if file.exists() else NEW_FILE
    new, added = merge(old, path, grouped)
    entries = f"{added} {'entry' if added == 1 else 'entries'}"
    if not added:
        _note(f"{path}: nothing new, every entry is already under Unreleased")
    elif file.exists():
        edit = version_files.Edit(path, old, new)
        version_files.write_atomically(config.root, [edit], "changelog")
        _note(f"{path}: {entries} added under Unreleased")
    else:
        file.write_text(new, encoding="utf-8")
        _note(f"{path}: created with {entries} under Unreleased")
