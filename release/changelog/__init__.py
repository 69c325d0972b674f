"""Changelogs as projects keep them: read the style, write a release the same way, extract notes.

- `document`: the file's headings and release sections (Markdown or reStructuredText);
- `dates`: the date formats headings use;
- `styles`: the style learned from the file (`read` -> `Changelog`), the lines written in it;
- `render`: the release commit's text, the next cycle's Unreleased heading;
- `notes`: one version's section as Markdown.
"""

from __future__ import annotations

from release.changelog.document import Section, parse, sections
from release.changelog.notes import extract
from release.changelog.render import has_entries, missing, next_cycle, promoted, release_text
from release.changelog.styles import (
    Changelog,
    Release,
    Style,
    Tags,
    describe,
    fill,
    find_unreleased,
    group_heading,
    heading,
    read,
)
from release.errors import ReleaseError

__all__ = [
    "Changelog",
    "Release",
    "Section",
    "Style",
    "Tags",
    "describe",
    "extract",
    "fill",
    "group_heading",
    "has_entries",
    "heading",
    "missing",
    "next_cycle",
    "parse",
    "promote",
    "promoted",
    "read",
    "release_text",
    "sections",
    "unreleased_section",
]


def tags_from(version: str, tag: str) -> Tags:
    """The tag format one tag implies (`v1.2.0` for 1.2.0: `v{version}`)."""
    return Tags(tag.replace(version, "{version}", 1) if version in tag else "{version}")


def promote(
    text: str,
    version: str,
    date: str,
    tag: str,
    path: str,
    allow_empty: bool = False,
    *,
    tags: Tags | None = None,
) -> str:
    """The release written into `text` in the file's own style, and the next cycle opened."""
    chosen = tags or tags_from(version, tag)
    return promoted(read(text, path, chosen), Release(version, date, chosen), allow_empty)


def unreleased_section(text: str, path: str) -> Section:
    """The Unreleased section (an error naming the file when there is none, or two)."""
    section = find_unreleased(sections(parse(text, path)), path)
    if section is None:
        raise ReleaseError(
            f"{path}: no '## [Unreleased]' section",
            "add '## [Unreleased]' above the newest release, with the changes under it",
        )
    return section
