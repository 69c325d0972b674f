"""A changelog's structure: its headings, the sections they open, the versions they name.

Headings are ATX (`## 1.2.0`) or underlined (setext Markdown, reStructuredText with or
without an overline). Front matter, HTML comments and fenced code are never read for
headings: starlette's notes open with a YAML header, PyPSA keeps a commented-out
`## Upcoming Release` for the next cycle. Release sections are the headings of the level
that names the most versions (DRF's `### 3.17.2` under `## 3.17.x series`); a section
runs to the next heading of its level or above, or to the link definitions at the end.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import PurePosixPath

from packaging.version import InvalidVersion, Version

MARKDOWN, RST = "markdown", "rst"

#: A version as headings write it: `1.2.0`, `v2.14.0b1`, `1.0.0-rc.1`, `8.5.0.dev`; not
#: `3.17.x` (a series) and not a date.
VERSION = re.compile(
    r"(?<![\w.+-])[vV]?(?P<version>\d+(?:\.\d+)+"
    r"(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview|dev|post)[-_.]?\d*)*)(?![\w*]|\.\w)"
)
#: Titles that name the section of changes not released yet.
_UNRELEASED_NAME = re.compile(
    r"unreleased\b.*|dev|develop|development|in development|in progress|upcoming"
    r"(?: release| changes| version)?|next(?: release| version)?|not (?:yet )?released|main"
    r"|master|head|tbd",
    re.IGNORECASE,
)
#: A version's title that says it is not out yet: shapely's `2.2.0 (unreleased)`.
UNRELEASED_MARK = re.compile(
    r"\b(?:unreleased|not (?:yet )?released|in development|in progress|upcoming|tbd|tba)\b",
    re.IGNORECASE,
)
#: The line under a version heading that says it is not out yet: click's `Unreleased`.
_UNRELEASED_STATUS = re.compile(
    r"[\s*_]*(?:(?:release date|date|released)[\s*_]*:[\s*_]*)?"
    r"(?:unreleased(?: yet)?|not (?:yet )?released|in development|tbd|tba)[\s*_.]*",
    re.IGNORECASE,
)
_ATX = re.compile(r"(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*")
_ADORNMENT = re.compile(r"([!-/:-@\[-`{-~])\1+[ \t]*")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n.*?^(?:---|\.\.\.)[ \t]*$", re.DOTALL | re.MULTILINE)
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)
_FENCED = re.compile(
    r"^ {0,3}(`{3,}|~{3,})[^\n]*\n.*?(?:^ {0,3}\1[ \t]*$|\Z)", re.DOTALL | re.MULTILINE
)
_MARKDOWN_CANDIDATE = re.compile(r"^(?:(?P<atx>#)|[=-]+[ \t]*\r?$)", re.MULTILINE)
_RST_CANDIDATE = re.compile(r"^([!-/:-@\[-`{-~])\1+[ \t]*\r?$", re.MULTILINE)
_BLOCK_START = re.compile(r"[-*+>|]\s|\d+[.)]\s|<")
_DEFINITION = re.compile(r"\[(?P<label>[^\]]+)\]:[ \t]*(?P<url>\S+).*")
DEFINITION_LINE = re.compile(r"^\[(?P<label>[^\]\n]+)\]:[ \t]*\S", re.MULTILINE)
_MARKS = re.compile(r"[\[\]*_`<]")
_NOT_DIGITS = str.maketrans("", "", "".join(chr(c) for c in range(128) if not chr(c).isdigit()))
_LINK_TARGET = re.compile(r"\]\([^)]*\)|\]\[[^\]]*\]|<[^>]*>")


@dataclass(frozen=True)
class Form:
    """How a heading is marked: `hashes` for ATX, else the underline (and overline) character."""

    hashes: int = 0
    adornment: str = ""
    overline: bool = False


@dataclass(frozen=True)
class Heading:
    """One heading: its lines, its title as written, its level and what its title names."""

    first: int  # index of its first line (the overline, or the title)
    title_line: int
    last: int  # index of its last line (the title, or the underline)
    title: str
    form: Form
    level: int  # 1 is the outermost
    version: str  # the version the title names, as it writes it ('' when none)
    names_unreleased: bool  # the title is a name for unreleased changes (`Unreleased`, `Dev`)

    @property
    def number(self) -> int:
        """The title's line number, as an editor shows it."""
        return self.title_line + 1


@dataclass(frozen=True)
class Document:
    """A changelog's text, read once: its lines, where each starts, and its headings."""

    text: str
    path: str
    markup: str
    lines: tuple[str, ...]  # with their line endings
    offsets: tuple[int, ...]  # where each line starts, then len(text)
    hidden: tuple[bool, ...]  # front matter, comments, fenced code
    headings: tuple[Heading, ...]

    def offset(self, line: int) -> int:
        return self.offsets[line]

    def line(self, index: int) -> str:
        return self.lines[index].rstrip("\r\n")


@dataclass(frozen=True)
class Section:
    """A heading of the release level and the text it heads, up to the next one."""

    heading: Heading
    version: str  # as the title writes it; '' when it names none
    unreleased: bool
    status: int  # index of the line under the heading that says "Unreleased"; -1 if none
    end_line: int  # index of the line after the section
    start: int  # offsets: the heading, the body, the end
    body_start: int
    end: int

    @property
    def released(self) -> bool:
        return bool(self.version) and not self.unreleased


def markup_of(path: str, text: str) -> str:
    """reStructuredText for .rst, Markdown for .md; other names by their headings."""
    suffix = PurePosixPath(path).suffix.lower()
    if suffix == ".rst":
        return RST
    if suffix in (".md", ".markdown", ".mdx") or re.search(r"^#{1,6} ", text, re.MULTILINE):
        return MARKDOWN
    return RST if re.search(r"^([=~^-])\1{2,}[ \t]*$", text, re.MULTILINE) else MARKDOWN


def _hidden(text: str, offsets: list[int], markup: str) -> list[bool]:
    """Lines never read for headings: Markdown front matter, HTML comments (from where one
    opens at the start of a line) and fenced code."""
    count = len(offsets) - 1
    hidden = [False] * count
    if markup != MARKDOWN:
        return hidden
    spans = [match.span() for match in _FRONT_MATTER.finditer(text)]
    spans += [match.span() for match in _FENCED.finditer(text)]
    for match in _COMMENT.finditer(text):
        start, end = match.span()
        line = bisect.bisect_right(offsets, start) - 1
        if text[offsets[line] : start].strip():  # `## 1.0 <!-- note -->`: the line counts
            start = offsets[line + 1] if line + 1 < count else end
        spans.append((start, end))
    for start, end in spans:
        first = bisect.bisect_right(offsets, start) - 1
        last = bisect.bisect_right(offsets, max(start, end - 1)) - 1
        for index in range(first, min(last, count - 1) + 1):
            hidden[index] = True
    return hidden


def _is_title(line: str, markup: str) -> bool:
    """A line that may be a title: not indented, not a rule, not a Markdown list or quote."""
    if not line.strip() or line[0].isspace() or _ADORNMENT.fullmatch(line):
        return False
    return markup != MARKDOWN or not _BLOCK_START.match(line)


def _underline(line: str, title: str, markup: str) -> str:
    """The adornment character when `line` underlines `title`, else ''."""
    match = _ADORNMENT.fullmatch(line)
    if not match or (markup == MARKDOWN and match.group(1) not in "=-"):
        return ""
    width = len(line.rstrip())
    return match.group(1) if width >= 3 or width >= len(title.rstrip()) else ""


def _candidates(text: str, offsets: list[int], markup: str) -> list[tuple[int, bool]]:
    """(line, is ATX) of every line that may be a title: found by one regular expression
    over the whole text, so a 10,000-line changelog is not walked line by line."""
    pattern = _MARKDOWN_CANDIDATE if markup == MARKDOWN else _RST_CANDIDATE
    found = set()
    for match in pattern.finditer(text):
        index = bisect.bisect_right(offsets, match.start()) - 1
        atx = match.groupdict().get("atx") is not None
        found.add((index, True) if atx else (index - 1, False))
    return sorted(found)


def _headings(
    text: str, lines: list[str], offsets: list[int], hidden: list[bool], markup: str
) -> list[tuple[int, int, int, str, Form]]:
    """(first line, title line, last line, title, form) of every heading, in order."""
    found: list[tuple[int, int, int, str, Form]] = []
    count = len(lines)
    done = -1  # the last line of the last heading found
    for index, atx in _candidates(text, offsets, markup):
        if index <= done or index < 0 or hidden[index]:
            continue
        line = lines[index].rstrip("\r\n")
        if not line or line[0].isspace():  # blank or indented: no title
            continue
        if atx:
            match = _ATX.fullmatch(line)
            if match:
                found.append((index, index, index, match.group(2).strip(), Form(len(match[1]))))
                done = index
            continue
        if index + 1 >= count or hidden[index + 1]:
            continue
        after = lines[index + 1].rstrip("\r\n")
        before = lines[index - 1].rstrip("\r\n") if index > 0 else ""
        over = _ADORNMENT.fullmatch(before) if markup == RST and index > done + 1 else None
        if over and before.rstrip() == after.rstrip() and _is_title(line, markup):
            found.append((index - 1, index, index + 1, line.strip(), Form(0, over[1], True)))
            done = index + 1
            continue
        opens = index == 0 or not before.strip() or done == index - 1
        char = _underline(after, line, markup) if opens and _is_title(line, markup) else ""
        if char:
            found.append((index, index, index + 1, line.strip(), Form(0, char)))
            done = index + 1
    return found


def _level(form: Form, markup: str, seen: dict[tuple[str, bool], int]) -> int:
    """Markdown: the `#` count, `=` 1 and `-` 2; reStructuredText: in order of first use."""
    if form.hashes:
        return form.hashes
    if markup == MARKDOWN:
        return 1 if form.adornment == "=" else 2
    return seen.setdefault((form.adornment, form.overline), len(seen) + 1)


def parse(text: str, path: str) -> Document:
    """Read a changelog's structure; `path` tells Markdown from reStructuredText."""
    markup = markup_of(path, text)
    lines = text.splitlines(keepends=True)
    offsets = [0, *itertools.accumulate(map(len, lines))]
    hidden = _hidden(text, offsets, markup)
    raw = _headings(text, lines, offsets, hidden, markup)
    levels: dict[tuple[str, bool], int] = {}
    headings = []
    for first, title_line, last, title, form in raw:
        shown = plain(title)
        found = VERSION.search(shown)
        version = found.group("version") if found else ""
        unreleased = not version and bool(_UNRELEASED_NAME.fullmatch(shown))
        level = _level(form, markup, levels)
        headings.append(Heading(first, title_line, last, title, form, level, version, unreleased))
    return Document(
        text, path, markup, tuple(lines), tuple(offsets), tuple(hidden), tuple(headings)
    )


def plain(title: str) -> str:
    """A title without link targets, brackets, emphasis and code marks: what a reader sees."""
    if not _MARKS.search(title):
        return " ".join(title.split()).rstrip(":")
    text = _LINK_TARGET.sub("]", title)
    return " ".join(re.sub(r"[\[\]*_`]", " ", text).split()).rstrip(":")


def version_in(title: str) -> str:
    """The first version a title names ('' when none), as it writes it (without a `v`)."""
    match = VERSION.search(plain(title))
    return match.group("version") if match else ""


def same_version(written: str, version: str) -> bool:
    """`1.0.0-rc.1` names 1.0.0rc1: compared as PEP 440 versions when both parse (only when
    their digits agree: a 10,000-line changelog is not parsed whole)."""
    if written == version:
        return True
    if written.translate(_NOT_DIGITS) != version.translate(_NOT_DIGITS):
        return False
    try:
        return Version(written) == Version(version)
    except InvalidVersion:
        return written == version


def names_unreleased(title: str) -> bool:
    """`Unreleased`, `[UNRELEASED]`, `Dev`, `Upcoming Release`: a name for unreleased changes."""
    return bool(_UNRELEASED_NAME.fullmatch(plain(title)))


def _release_level(headings: tuple[Heading, ...]) -> int:
    """The level whose headings name the most versions (or an Unreleased section)."""
    counts = Counter(h.level for h in headings if h.version or h.names_unreleased)
    if not counts:
        return 0
    most = max(counts.values())
    return next(h.level for h in headings if counts.get(h.level) == most)


def _first_body_line(document: Document, start: int, end: int) -> int:
    """The first non-blank line in [start, end), or -1."""
    return next((i for i in range(start, end) if document.lines[i].strip()), -1)


def definitions_start(document: Document) -> int:
    """The line where the link definitions at the end of the file begin (or the line count)."""
    start = len(document.lines)
    for index in range(len(document.lines) - 1, -1, -1):
        line = document.line(index)
        if _DEFINITION.fullmatch(line) and not document.hidden[index]:
            start = index
        elif line.strip():
            break
    return start


def sections(document: Document) -> list[Section]:
    """Every heading of the release level, with its version, its span and whether it is out."""
    level = _release_level(document.headings)
    ends_at = definitions_start(document)
    spans = []
    end_line = ends_at
    for heading in reversed(document.headings):  # from the end: each section's end is known
        if heading.level < level:
            end_line = heading.first
        if heading.level == level:
            spans.append((heading, end_line))
            end_line = heading.first
    result = []
    pending = True  # above the newest release, a version's section may say it is not out
    for heading, end in reversed(spans):
        section = _section(document, heading, end, pending)
        pending = pending and not section.released
        result.append(section)
    return result


def _section(document: Document, heading: Heading, end_line: int, pending: bool) -> Section:
    """The section a heading opens; `pending`: above every release, where a version's section
    may say it is not out (shapely's `2.2.0 (unreleased)`, click's `Unreleased` line)."""
    body = heading.last + 1
    status = -1
    unreleased = heading.names_unreleased
    if heading.version and pending:
        rest = VERSION.sub(" ", plain(heading.title), count=1)
        first = _first_body_line(document, body, end_line)
        if UNRELEASED_MARK.search(rest):
            unreleased = True
        elif first >= 0 and _UNRELEASED_STATUS.fullmatch(document.line(first)):
            unreleased, status = True, first
    return Section(
        heading,
        heading.version,
        unreleased,
        status,
        end_line,
        document.offset(heading.first),
        document.offset(status + 1 if status >= 0 else body),
        document.offset(end_line),
    )
