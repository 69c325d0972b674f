"""A changelog's style, learned from the file itself, and the lines written in it.

The newest released heading is read as a template: its compare link becomes
`{previous_tag}...{tag}`, its date `{date}` (with the date's format), the tag and the
version `{tag}` and `{version}`; what is left is copied as it is. So `## 0.28.1 (6th
December, 2024)`, `## [26.1.0](…/compare/25.5.0...26.1.0) - 2026-06-06` and
`pluggy 1.6.0 (2025-05-15)` are each written back the way the project writes them. The
line under released headings (click's `Released 2026-05-21`, DRF's `**Date**: …`) is
learned when the two newest releases agree on it; the Unreleased heading, the link
definitions at the bottom, the entry headings and the blank lines around headings too.

What cannot be read (a heading with a date in an unknown format, no heading that names a
version) is an error naming the file, the lines, and `[tool.release.changelog-style]`.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from packaging.version import InvalidVersion, Version

from release import versioning
from release.changelog import dates
from release.changelog.document import (
    DEFINITION_LINE,
    MARKDOWN,
    UNRELEASED_MARK,
    Document,
    Form,
    Section,
    names_unreleased,
    parse,
    plain,
    same_version,
    sections,
)
from release.config import ChangelogStyle
from release.errors import ReleaseError

#: The placeholders of a template.
PLACEHOLDER = re.compile(r"\{(version|tag|previous_tag|date)\}")
#: `/compare/OLD...NEW` in GitHub, GitLab and Gitea URLs.
COMPARE = re.compile(r"(?P<head>/compare/)(?P<old>[^\s)\]>]+?)(?P<dots>\.{2,3})(?P<new>[^\s)\]>]+)")
_URL = re.compile(r"https?://[^\s)\]>]*")
_NOT_A_LINE = re.compile(r"[-*+]\s|[>|#<]|\d+[.)]\s|!!!|\.\. ")
_KEY = "[tool.release.changelog-style]"
_RECENT = 20  # the newest sections looked at for the previous release (a backport's too)


@dataclass(frozen=True)
class Tags:
    """How the project spells a version's tag (`tag-format`, `tag-pre-release`)."""

    format: str = "v{version}"
    pre_release: str = versioning.DEFAULT_PRE_RELEASE

    def of(self, version: str) -> str:
        try:
            return versioning.tag_for(version, self.format, self.pre_release)
        except InvalidVersion:
            return self.format.replace("{version}", version)


@dataclass(frozen=True)
class Release:
    """The release being written: its version, its ISO date, and the project's tags."""

    version: str
    date: str
    tags: Tags = Tags()

    @property
    def tag(self) -> str:
        return self.tags.of(self.version)


@dataclass(frozen=True)
class Style:
    """How the project writes a release; templates take {version} {tag} {previous_tag} {date}."""

    markup: str
    form: Form  # how release headings are marked
    title: str  # a released heading's title
    date_format: str  # how {date} is written
    preamble: str  # the line under each released heading ('' when none)
    unreleased: str  # the Unreleased heading's title for the next cycle ('' when none is opened)
    keeps_unreleased: bool  # changes are written under an Unreleased section before a release
    group: Form  # the headings that group entries (`### Fixed`)
    gap: int  # blank lines before a release heading
    spacing: int  # blank lines between a release heading and its entries
    reference: str  # a release's link definition at the bottom ('' when none is kept)
    underline_width: int = 0  # underlined headings: 0 when the underline fits the title


@dataclass(frozen=True)
class Changelog:
    """A changelog read once: its structure, its release sections and its style."""

    document: Document
    sections: tuple[Section, ...]
    style: Style
    links: Mapping[str, tuple[str, int]]  # link definitions: lower label -> (label, line)

    @property
    def path(self) -> str:
        return self.document.path

    @property
    def released(self) -> list[Section]:
        return [section for section in self.sections if section.released]

    def section(self, version: str) -> Section | None:
        """The released section of `version`, if the file has one."""
        return next((s for s in self.released if same_version(s.version, version)), None)

    def unreleased(self, version: str = "") -> Section | None:
        """The section of changes not released yet (for `version`, when it names one)."""
        return find_unreleased(self.sections, self.path, version)


def find_unreleased(found: Sequence[Section], path: str, version: str = "") -> Section | None:
    """The one section of changes not released yet: an Unreleased heading, or the section
    of `version` that says it is not out (click, shapely). Two Unreleased headings, or one
    for another version, are errors that name the lines."""
    named = [s for s in found if s.unreleased and not s.version]
    pending = [s for s in found if s.unreleased and s.version]
    if len(named) > 1 or (named and pending):
        first, second = (named + pending)[:2]
        raise ReleaseError(
            f"{path}: two Unreleased sections, lines {first.heading.number} and"
            f" {second.heading.number}",
            "keep one: move the entries of the second under the first and delete its"
            " heading, then run again",
        )
    if named:
        return named[0]
    matching = [s for s in pending if not version or same_version(s.version, version)]
    if matching or not pending:
        return matching[0] if matching else None
    section = pending[0]
    raise ReleaseError(
        f"{path}:{section.heading.number}: the unreleased section is for {section.version},"
        f" not {version}",
        f"release {section.version}, or change the version on line {section.heading.number}",
    )


def fill(template: str, release: Release, previous_tag: str, date_format: str) -> str:
    """A template with the release's values in it."""
    values = {
        "version": release.version,
        "tag": release.tag,
        "previous_tag": previous_tag,
        "date": dates.render(date_format or dates.ISO, release.date),
    }
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], template)


def heading(style: Style, title: str, form: Form | None = None) -> str:
    """A heading's lines (with their newlines), marked the way the project marks them."""
    form = form or style.form
    if form.hashes:
        return f"{'#' * form.hashes} {title}\n"
    rule = form.adornment * max(style.underline_width, len(title)) + "\n"
    return f"{rule if form.overline else ''}{title}\n{rule}"


def title_line(style: Style, title: str) -> str:
    """The line of a heading that carries its title (`## [1.2.0] - …`, or the title itself)."""
    return heading(style, title).splitlines()[1 if style.form.overline else 0]


def group_heading(style: Style, name: str) -> str:
    """The heading of one group of entries (`### Fixed`), as the project writes them."""
    return heading(style, name, style.group)


def _token(template: str, token: str, placeholder: str) -> str:
    """Every whole-word `token` (a version or tag) replaced by `placeholder`; a `v` before
    a version stays as written."""
    pattern = rf"(?<![\w.+-])(?P<v>[vV]?){re.escape(token)}(?![\w]|\.\d)"
    return re.sub(pattern, lambda match: match.group("v") + placeholder, template)


def learn(text: str, version: str, tag: str, date_format: str = "") -> tuple[str, str]:
    """(template, date format) of one line written for `version`."""
    template = COMPARE.sub(
        lambda match: f"{match['head']}{{previous_tag}}{match['dots']}{{tag}}", text
    )
    found: dates.Found | None = None
    if date_format:
        match = re.search(dates.regex(date_format), template)
        found = dates.Found(match.start(), match.end(), date_format) if match else None
    else:
        found = dates.find(template)
    if found:
        template = f"{template[: found.start]}{{date}}{template[found.end :]}"
    if tag != version:
        template = _token(template, tag, "{tag}")
    return _token(template, version, "{version}"), found.format if found else ""


def _unexplained(template: str) -> bool:
    """True when digits are left outside placeholders and URLs: a date or a number the
    template would copy into every new heading."""
    return bool(re.search(r"\d", _URL.sub("", PLACEHOLDER.sub("", template))))


def _blank_before(document: Document, line: int) -> int:
    count = 0
    while line - count - 1 >= 0 and not document.lines[line - count - 1].strip():
        count += 1
    return count


def _blank_after(document: Document, line: int, end: int) -> int:
    count = 0
    while line + count + 1 < end and not document.lines[line + count + 1].strip():
        count += 1
    return count


def _first_line(document: Document, section: Section) -> str:
    for index in range(section.heading.last + 1, section.end_line):
        if document.lines[index].strip():
            return document.line(index)
    return ""


def _preamble(document: Document, released: Sequence[Section], tags: Tags) -> tuple[str, str]:
    """(template, date format) of the line the project writes under each released heading:
    learned when the two newest releases agree on it, or from one when it is just a date."""
    learned = []
    for section in released[:2]:
        line = _first_line(document, section)
        if not line or len(line) > 120 or _NOT_A_LINE.match(line):
            return "", ""
        learned.append(learn(line, section.version, tags.of(section.version)))
    template = learned[0][0] if learned else ""
    if not PLACEHOLDER.search(template) or _unexplained(template):
        return "", ""
    if len(learned) == 2:
        return learned[0] if learned[0] == learned[1] else ("", "")
    only_a_date = "{date}" in template and len(template.split()) <= 3
    return learned[0] if only_a_date else ("", "")


def preamble_of(document: Document, found: Sequence[Section], tags: Tags) -> str:
    """The line under released headings, from a document's sections (see `_preamble`)."""
    return _preamble(document, [section for section in found if section.released], tags)[0]


def _unclassifiable(path: str, found: Sequence[Section], why: str) -> ReleaseError:
    lines = ", ".join(str(section.heading.number) for section in found[:3])
    where = f"line {lines}" if len(found) == 1 else f"lines {lines}"
    return ReleaseError(
        f"{path} {where}: {why}",
        f"say how releases are headed in pyproject.toml, e.g. {_KEY} heading ="
        ' "## {version} ({date})" and date = "%B %-d, %Y" (README: changelog styles)',
    )


def _released_title(
    document: Document, released: Sequence[Section], tags: Tags, keys: ChangelogStyle
) -> tuple[str, str]:
    newest = released[0]
    template, date_format = learn(
        newest.heading.title, newest.version, tags.of(newest.version), keys.date
    )
    if not _unexplained(template):
        return template, keys.date or date_format
    unreadable = [s for s in released[:3] if _unexplained(learn(s.heading.title, s.version, "")[0])]
    raise _unclassifiable(
        document.path,
        unreadable or [newest],
        f"cannot tell how '{newest.heading.title}' writes its date",
    )


def _first_title(unreleased: Section) -> str:
    """A first release's title, from the Unreleased heading: `[Unreleased]` -> `[{version}]
    - {date}`, `2.2.0 (unreleased)` -> `{version} ({date})`."""
    title = unreleased.heading.title
    title = COMPARE.sub(lambda m: f"{m['head']}{m['old']}{m['dots']}{{tag}}", title)
    if unreleased.version:
        title = _token(title, unreleased.version, "{version}")
        if unreleased.status >= 0:
            return title
        return UNRELEASED_MARK.sub("{date}", title, count=1)
    name = plain(unreleased.heading.title)
    name = name if name in title else name.split(" ")[0]
    return title.replace(name, "{version}", 1) + " - {date}"


def _next_title(unreleased: Section | None) -> str:
    """The Unreleased heading put back after a release: its compare link starts at the new
    tag. A section named after its version (click) is not reopened: the next version is
    not known yet. A file with no Unreleased heading gets none: an `[unreleased]: …` link
    definition alone (tomlkit, between releases) does not say the project keeps one."""
    if unreleased is None or unreleased.version:
        return ""
    return COMPARE.sub(
        lambda m: f"{m['head']}{{tag}}{m['dots']}{m['new']}", unreleased.heading.title
    )


def definitions(document: Document) -> dict[str, tuple[str, int]]:
    """Link definitions (`[14.3.1]: …`) by lower-cased label: the label as written, the line."""
    found: dict[str, tuple[str, int]] = {}
    for match in DEFINITION_LINE.finditer(document.text):
        index = bisect.bisect_right(document.offsets, match.start()) - 1
        if not document.hidden[index]:
            found.setdefault(match["label"].lower(), (match["label"], index))
    return found


def definition_line(links: Mapping[str, tuple[str, int]], label: str) -> int | None:
    """The line of the definition of `label` (any case), if there is one."""
    found = links.get(label.lower())
    return found[1] if found else None


def unreleased_label(links: Mapping[str, tuple[str, int]]) -> str:
    """The label of the `[Unreleased]: …/compare/…` link definition ('' when there is none)."""
    return next((name for name, _ in links.values() if names_unreleased(name)), "")


def label_of(section: Section) -> str:
    """The label a release's link definition would have: the heading's bracketed text."""
    match = re.match(r"\[([^\]]+)\]", section.heading.title)
    return (match.group(1) if match else section.version).lower()


def _reference(
    document: Document,
    links: Mapping[str, tuple[str, int]],
    newest: Section | None,
    unreleased: Section | None,
    tags: Tags,
) -> str:
    """A release's link definition line, when the project keeps them up to date: the newest
    release has one, or (before the first release) the Unreleased section has one."""
    if newest is not None:
        index = definition_line(links, label_of(newest))
        if index is None:
            return ""
        line = document.line(index)
        template, _ = learn(line, newest.version, tags.of(newest.version))
        return template
    index = definition_line(links, label_of(unreleased)) if unreleased is not None else None
    line = document.line(index) if index is not None else ""
    compare = COMPARE.search(line)
    if not compare:
        return ""
    base = line[line.index("]:") + 2 : compare.start()].strip()
    return f"[{{version}}]: {base}/compare/{{previous_tag}}...{{tag}}"


def _group(document: Document, section: Section) -> Form:
    """How entries are grouped: the first heading under the newest section, or one deeper."""
    level = section.heading.level
    for heading in document.headings:
        if section.heading.last < heading.first < section.end_line and heading.level > level:
            return heading.form
    return Form(level + 1) if section.heading.form.hashes else _default(document).group


def _default(document: Document) -> Style:
    """A new Keep a Changelog (Markdown) or underlined (reStructuredText) style."""
    markdown = document.markup == MARKDOWN
    return Style(
        markup=document.markup,
        form=Form(2) if markdown else Form(0, "-"),
        title="[{version}] - {date}" if markdown else "{version} ({date})",
        date_format=dates.ISO,
        preamble="",
        unreleased="",
        keeps_unreleased=False,
        group=Form(3) if markdown else Form(0, "~"),
        gap=1,
        spacing=1,
        reference="",
    )


def _from_keys(style: Style, keys: ChangelogStyle) -> Style:
    """The style with what `[tool.release.changelog-style]` says in place of what was read."""
    if keys.heading:
        hashes = len(keys.heading) - len(keys.heading.lstrip("#"))
        form = Form(hashes) if hashes else Form(0, keys.underline or "-")
        style = replace(style, title=keys.heading[hashes:].strip(), form=form)
    if keys.date:
        style = replace(style, date_format=keys.date)
    if keys.unreleased is not None:
        name = keys.unreleased.lstrip("#").strip()
        style = replace(style, unreleased=name, keeps_unreleased=bool(name))
    return style


def _learned(
    partial: Changelog, unreleased: Section | None, tags: Tags, keys: ChangelogStyle
) -> Style:
    """The style of a changelog with a release or an Unreleased section to learn from."""
    document, links, released = partial.document, partial.links, partial.released
    section = released[0] if released else unreleased
    assert section is not None
    if keys.heading:
        title, date_format = "", ""
    elif released:
        title, date_format = _released_title(document, released, tags, keys)
    else:
        assert unreleased is not None
        title, date_format = _first_title(unreleased), dates.ISO
    preamble, preamble_date = _preamble(document, released, tags)
    underline = document.line(section.heading.last).rstrip()
    fitted = section.heading.form.hashes or len(underline) == len(section.heading.title)
    return Style(
        markup=document.markup,
        form=section.heading.form,
        title=title,
        date_format=keys.date or date_format or preamble_date,
        preamble=preamble,
        unreleased=_next_title(unreleased),
        keeps_unreleased=unreleased is not None,
        group=_group(document, section),
        gap=max(1, _blank_before(document, section.heading.first)),
        spacing=max(1, _blank_after(document, section.heading.last, section.end_line)),
        reference=_reference(document, links, released[0] if released else None, unreleased, tags),
        underline_width=0 if fitted else len(underline),
    )


def classify(document: Document, tags: Tags, keys: ChangelogStyle | None = None) -> Changelog:
    """The changelog's sections and style (an error naming the lines and the key when the
    style cannot be read)."""
    keys = keys or ChangelogStyle()
    found = tuple(sections(document))
    links = definitions(document)
    partial = Changelog(document, found, _default(document), links)
    unreleased = partial.unreleased()
    released = partial.released
    style = partial.style
    if released or unreleased:
        style = _learned(partial, unreleased, tags, keys)
    elif not keys.heading and (extra := [h for h in document.headings if h.level > 1]):
        raise ReleaseError(
            f"{document.path} lines {', '.join(str(h.number) for h in extra[:3])}: no heading"
            " names a version or an Unreleased section",
            f"say how releases are headed in pyproject.toml, e.g. {_KEY} heading ="
            ' "## [{version}] - {date}" (README: changelog styles)',
        )
    return Changelog(document, found, _from_keys(style, keys), links)


_SEPARATORS = {"-": "a hyphen", "\u2013": "an en dash", "\u2014": "an em dash"}


def describe(changelog: Changelog) -> str:
    """One line on the style, for `init`: what the release will write and where."""
    style = changelog.style
    kac = re.fullmatch(r"\[\{version\}\] (.) \{date\}", style.title)
    if kac and kac.group(1) in _SEPARATORS and style.keeps_unreleased and style.form.hashes:
        return f"Keep a Changelog, headings dated with {_SEPARATORS[kac.group(1)]}"
    released = changelog.released
    shown = f"releases headed like '{released[0].heading.title}'" if released else "no release yet"
    unreleased = changelog.unreleased()
    if unreleased is not None:
        where = f"changes go under '{unreleased.heading.title}' until a release"
    elif style.keeps_unreleased:
        where = f"no '{style.unreleased}' section yet: add one above the newest release"
    else:
        where = "no Unreleased section: a release's section is written above the last one"
    return f"{shown}; {where}"


def read(
    text: str, path: str, tags: Tags = Tags(), keys: ChangelogStyle | None = None
) -> Changelog:
    """Parse and classify a changelog's text."""
    return classify(parse(text, path), tags, keys)


def _parsed(version: str) -> Version | None:
    try:
        return Version(version)
    except InvalidVersion:
        return None


def previous_tag(changelog: Changelog, release: Release) -> str:
    """The tag of the release before this one: the newest older version in the file, else the
    start of the Unreleased compare link, else the newest release in the file."""
    new = _parsed(release.version)
    recent = [(_parsed(s.version), s.version) for s in changelog.released[:_RECENT]]
    older = [(parsed, written) for parsed, written in recent if parsed and new and parsed < new]
    if older:
        return release.tags.of(max(older)[1])
    unreleased = changelog.unreleased(release.version)
    document = changelog.document
    if unreleased is not None:
        label = definition_line(changelog.links, label_of(unreleased))
        for text in (unreleased.heading.title, document.line(label) if label is not None else ""):
            compare = COMPARE.search(text)
            if compare:
                return compare["old"]
    released = changelog.released
    return release.tags.of(released[0].version) if released else ""
