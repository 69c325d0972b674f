"""Write a release into a changelog the way the project writes releases.

`release_text` makes the release commit's changelog, as maintainers do: the Unreleased
section becomes the release (heading, the line under it, its compare links), or, where the
project keeps no Unreleased section (starlette), a new section goes above the last
release. `next_cycle` puts a fresh Unreleased heading back on top. `promoted` does both in
one edit: the release commit is the one commit release-parity makes before the tag, so the
tagged file already has the empty Unreleased heading that structlog adds in the commit
after. Only the lines the tool writes change: entries, prose and spacing stay as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from release.changelog.document import Section
from release.changelog.styles import (
    COMPARE,
    Changelog,
    Release,
    Style,
    definition_line,
    fill,
    heading,
    label_of,
    previous_tag,
    read,
    title_line,
    unreleased_label,
)
from release.errors import ReleaseError

_ADORNMENT_OR_HEADING = re.compile(r"#{1,6}\s.*|([!-/:-@\[-`{-~])\1+\s*")


@dataclass(frozen=True)
class _Splice:
    """Replace text[start:end] by `new` (offsets in the original text)."""

    start: int
    end: int
    new: str


def _apply(text: str, splices: list[_Splice]) -> str:
    for splice in sorted(splices, key=lambda s: s.start, reverse=True):
        text = text[: splice.start] + splice.new + text[splice.end :]
    return text


def has_entries(body: str) -> bool:
    """True when a section body says something beyond empty `### Added`-style headings."""
    lines = body.splitlines()
    return any(
        line.strip()
        and not _ADORNMENT_OR_HEADING.fullmatch(line.strip())
        and not (index + 1 < len(lines) and _ADORNMENT_OR_HEADING.fullmatch(lines[index + 1]))
        for index, line in enumerate(lines)
    )


def _already(changelog: Changelog, section: Section, version: str) -> ReleaseError:
    return ReleaseError(
        f"{changelog.path}:{section.heading.number}: {version} already has a section",
        f"release a later version, or delete line {section.heading.number}'s section (its"
        " entries belong under Unreleased)",
    )


def _release_unreleased(
    changelog: Changelog, section: Section, release: Release, previous: str
) -> list[_Splice]:
    """The Unreleased heading becomes the release's; click's `Unreleased` line under it
    becomes `Released <date>`."""
    style, document = changelog.style, changelog.document
    title = fill(style.title, release, previous, style.date_format)
    splices = []
    if title != section.heading.title:  # click's `Version 8.4.1` stays as written
        start = document.offset(section.heading.first)
        end = document.offset(section.heading.last + 1)
        splices.append(_Splice(start, end, heading(style, title)))
    preamble = fill(style.preamble or "Released {date}", release, previous, style.date_format)
    if section.status >= 0:
        start = document.offset(section.status)
        line = document.line(section.status)
        splices.append(_Splice(start, start + len(line), preamble))
    elif style.preamble:
        after = document.offset(section.heading.last + 1)
        splices.append(_Splice(after, after, "\n" * style.spacing + preamble + "\n"))
    return splices


def _new_section(changelog: Changelog, release: Release, previous: str, body: str) -> _Splice:
    """A section written above the newest release (or at the end of a file with none)."""
    style, document = changelog.style, changelog.document
    parts = [heading(style, fill(style.title, release, previous, style.date_format))]
    if style.preamble:
        parts += ["\n" * style.spacing, fill(style.preamble, release, previous, style.date_format)]
        parts.append("\n")
    if body.strip():
        parts += ["\n" * style.spacing, body.strip("\n"), "\n"]
    released = changelog.released
    if released:
        at = released[0].start
        return _Splice(at, at, "".join(parts) + "\n" * style.gap)
    text = document.text
    newlines = len(text) - len(text.rstrip("\n"))  # a blank line before the new section
    lead = "\n" * max(0, 2 - newlines) if text.strip() else ""
    return _Splice(len(text), len(text), lead + "".join(parts))


def _links(changelog: Changelog, release: Release, previous: str) -> list[_Splice]:
    """`[Unreleased]: …/compare/OLD...HEAD` starts at the new tag (with or without its
    heading: tomlkit keeps the definition between cycles); the release's own definition
    goes above the previous release's (or under Unreleased's)."""
    document, style = changelog.document, changelog.style
    links = changelog.links
    splices = []
    unreleased = changelog.unreleased(release.version)
    label = label_of(unreleased) if unreleased is not None else unreleased_label(links)
    at = -1
    if label and (index := definition_line(links, label)) is not None:
        line = document.line(index)
        moved = COMPARE.sub(lambda m: f"{m['head']}{release.tag}{m['dots']}{m['new']}", line)
        start = document.offset(index)
        splices.append(_Splice(start, start + len(line), moved))
        at = document.offset(index + 1)
    released = changelog.released
    if released and (index := definition_line(links, label_of(released[0]))) is not None:
        at = document.offset(index)
    if style.reference and at >= 0:
        line = fill(style.reference, release, previous, style.date_format)
        splices.append(_Splice(at, at, line + "\n"))
    return splices


def missing(
    changelog: Changelog, release: Release, allow_empty: bool = False, body: str = ""
) -> ReleaseError | None:
    """Why the release would say nothing in the changelog: its Unreleased section is empty,
    or the file keeps none and `body` (generated entries) is empty too; None when it says
    something or `allow_empty`. A dry run shows it as a warning, a run that acts stops."""
    if allow_empty:
        return None
    path = changelog.path
    unreleased = changelog.unreleased(release.version)
    text = changelog.document.text
    if unreleased is not None:
        if has_entries(text[unreleased.body_start : unreleased.end]) or has_entries(body):
            return None
        return ReleaseError(
            f"{path}: the Unreleased section is empty",
            f"describe the changes under line {unreleased.heading.number}"
            f" ('{unreleased.heading.title}'), generate them with --changelog generate,"
            " or pass --allow-empty-changelog",
        )
    if changelog.style.keeps_unreleased or has_entries(body):
        return None
    style = changelog.style
    title = fill(style.title, release, previous_tag(changelog, release), style.date_format)
    return ReleaseError(
        f"{path}: no Unreleased section and nothing written for {release.version}",
        f"write its section ('{title_line(style, title)}') at the top of {path} and commit"
        " it, generate it with --changelog generate, or pass --allow-empty-changelog",
    )


def _release(
    changelog: Changelog, release: Release, allow_empty: bool, body: str
) -> tuple[str, int]:
    """The release commit's text, and where the release's heading starts in it."""
    unreleased = changelog.unreleased(release.version)
    existing = changelog.section(release.version)
    if existing is not None:
        raise _already(changelog, existing, release.version)
    problem = missing(changelog, release, allow_empty, body)
    if problem is not None:
        raise problem
    previous = previous_tag(changelog, release)
    if unreleased is not None:
        splices = _release_unreleased(changelog, unreleased, release, previous)
    elif changelog.style.keeps_unreleased:
        expected = title_line(changelog.style, changelog.style.unreleased)
        raise ReleaseError(
            f"{changelog.path}: no '{expected}' section",
            f"add '{expected}' above the newest release, with the changes under it",
        )
    else:
        splices = [_new_section(changelog, release, previous, body)]
    at = unreleased.start if unreleased is not None else splices[0].start
    return _apply(changelog.document.text, splices + _links(changelog, release, previous)), at


def release_text(
    changelog: Changelog, release: Release, allow_empty: bool = False, body: str = ""
) -> str:
    """The changelog as the release commit leaves it (no fresh Unreleased heading yet).

    `body` is what the new section says when the project keeps no Unreleased section
    (entries generated from the commits, say).
    """
    return _release(changelog, release, allow_empty, body)[0]


def _open(text: str, at: int, style: Style, release: Release) -> str:
    fresh = heading(style, fill(style.unreleased, release, release.tag, style.date_format))
    return text[:at] + fresh + "\n" * style.gap + text[at:]


def next_cycle(text: str, path: str, style: Style, release: Release) -> str:
    """`text` (a release's changelog) with a fresh Unreleased heading above the release, as
    `style` (read before the release) writes it; unchanged when the project opens none."""
    released = read(text, path, release.tags).section(release.version)
    if not style.unreleased or released is None:
        return text
    return _open(text, released.start, style, release)


def promoted(
    changelog: Changelog, release: Release, allow_empty: bool = False, body: str = ""
) -> str:
    """The release written in, then the next cycle's Unreleased heading opened."""
    text, at = _release(changelog, release, allow_empty, body)
    return _open(text, at, changelog.style, release) if changelog.style.unreleased else text
