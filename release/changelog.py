"""Keep a Changelog: promote Unreleased to a release, extract a release's section.

The file's own style is kept: the separator between version and date (`-` or an em
dash) is read from its existing release headings, and compare links at the bottom
are updated only when the file has them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from release.errors import ReleaseError

_HEADING = re.compile(r"^## +\[?(?P<name>[^\]\s]+)\]?(?P<rest>.*)$", re.MULTILINE)
_RELEASE_REST = re.compile(r"^ +(?P<sep>[-\u2013\u2014]) +\d{4}-\d{2}-\d{2}")
_LINK = re.compile(r"^\[(?P<name>[^\]]+)\]: *(?P<url>\S+)[ \t]*$", re.MULTILINE)
_COMPARE = re.compile(r"^(?P<base>.*/compare/)(?P<old>[^/]+?)\.\.\.(?P<new>\S+)$")


@dataclass(frozen=True)
class Section:
    name: str
    heading_start: int
    body_start: int
    end: int


def sections(text: str) -> list[Section]:
    """Every `## ` heading with the span of its body (up to the next `## ` or the links)."""
    found = list(_HEADING.finditer(text))
    links = _LINK.search(text, found[-1].end()) if found else None
    result = []
    for index, match in enumerate(found):
        if index + 1 < len(found):
            end = found[index + 1].start()
        else:
            end = links.start() if links else len(text)
        result.append(Section(match.group("name"), match.start(), match.end() + 1, end))
    return result


def unreleased_section(text: str, path: str) -> Section:
    """The Unreleased section's span (an error naming the file when there is none)."""
    for section in sections(text):
        if section.name.lower() == "unreleased":
            return section
    raise ReleaseError(
        f"{path}: no '## [Unreleased]' section",
        "add '## [Unreleased]' above the newest release, with the changes under it",
    )


def has_entries(body: str) -> bool:
    """True when a section body says something beyond empty `### Added`-style headings."""
    return any(line.strip() and not line.lstrip().startswith("###") for line in body.splitlines())


def _separator(text: str) -> str:
    for match in _HEADING.finditer(text):
        rest = _RELEASE_REST.match(match.group("rest"))
        if rest:
            return rest.group("sep")
    return "-"


def promote(text: str, version: str, date: str, tag: str, path: str, allow_empty: bool) -> str:
    """Unreleased becomes `## [version] - date`; a fresh empty Unreleased goes above it."""
    section = unreleased_section(text, path)
    if not allow_empty and not has_entries(text[section.body_start : section.end]):
        raise ReleaseError(
            f"{path}: the Unreleased section is empty",
            "describe the changes under '## [Unreleased]', or pass --allow-empty-changelog",
        )
    heading = text[section.heading_start : section.body_start].rstrip("\n")
    fresh = heading + "\n\n"
    released = f"## [{version}] {_separator(text)} {date}"
    text = text[: section.heading_start] + fresh + released + text[section.body_start - 1 :]
    return _update_links(text, version, tag)


def _update_links(text: str, version: str, tag: str) -> str:
    """`[Unreleased]: .../compare/vOLD...HEAD` -> new tag, plus a link for the release."""
    for link in _LINK.finditer(text):
        if link.group("name").lower() != "unreleased":
            continue
        compare = _COMPARE.match(link.group("url"))
        if not compare:
            return text
        base, old, new = compare.group("base", "old", "new")
        unreleased = f"[{link.group('name')}]: {base}{tag}...{new}"
        released = f"[{version}]: {base}{old}...{tag}"
        return text[: link.start()] + unreleased + "\n" + released + text[link.end() :]
    return text


def extract(text: str, version: str, path: str) -> str:
    """The body of one release's section, for release notes."""
    for section in sections(text):
        if section.name == version:
            return text[section.body_start : section.end].strip("\n") + "\n"
    raise ReleaseError(f"{path}: no section for {version}", f"add '## [{version}]' to {path}")
