"""Release notes: one version's section, as Markdown for a GitHub Release.

Markdown sections are given as written (without the line under the heading that only
repeats the date, click's `Released 2026-05-21`). reStructuredText sections are converted
well enough for GitHub: section titles become `###` headings, ``literals`` and roles
become code, `text <url>`_ links become Markdown links, `:issue:`12`` becomes #12,
admonitions become quotes and literal blocks fenced code. MyST roles in Markdown
(`{issue}`12``) are converted the same way.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from release.changelog.document import (
    RST,
    Document,
    Section,
    parse,
    same_version,
    sections,
)
from release.changelog.styles import PLACEHOLDER, Tags, preamble_of
from release.errors import ReleaseError

_LITERAL = re.compile(r"``(.+?)``")
_LINK = re.compile(r"`([^`<]*?)\s*<([^<>`]+)>`__?")
_REFERENCE = re.compile(r"`([^`<]+)`__?(?!\w)")
_RST_ROLE = re.compile(r"(?<![\w`]):(?P<role>[\w.+-]+(?::[\w.+-]+)*):`(?P<text>[^`]+)`")
#: A Markdown code span, after a MyST role or not: spans are read left to right, so a `{`
#: inside code (`doc["a"] = {...}`) is never taken for a role.
_MYST_CODE = re.compile(
    r"(?:\{(?P<role>[A-Za-z][\w.+-]*(?::[\w.+-]+)*)\})?(?P<ticks>`+)(?P<text>.+?)(?P=ticks)"
)
_TITLED = re.compile(r"(?P<title>.*?)\s*<(?P<target>[^<>]+)>", re.DOTALL)
_DIRECTIVE = re.compile(r"(?P<indent> *)\.\.(?:\s+(?P<name>[\w:.-]+)::(?P<args>.*)|.*)")
_TARGET = re.compile(r"\.\. _(?P<name>[^:]+):\s*(?P<url>\S+)\s*")
_ENUMERATED = re.compile(r"(?P<indent> *)#\.(?=\s)")
_ISSUES = ("issue", "issues", "pr", "pull", "gh", "ghissue", "ghpull", "bug", "merge")
_PROSE_ROLES = frozenset(
    [
        "doc",
        "ref",
        "term",
        "any",
        "numref",
        "download",
        "abbr",
        "dfn",
        "guilabel",
        "menuselection",
        "sub",
        "sup",
        "emphasis",
        "strong",
        "cve",
        "cwe",
        "cite",
    ]
)
_ADMONITIONS = frozenset(
    [
        "note",
        "warning",
        "tip",
        "important",
        "caution",
        "attention",
        "danger",
        "error",
        "hint",
        "seealso",
        "admonition",
    ]
)
_CODE_BLOCKS = ("code-block", "code", "sourcecode", "highlight")


def _code(text: str) -> str:
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _role(role: str, text: str) -> str:
    """One Sphinx or MyST role in Markdown: issues as #12, PEPs linked, Python objects as code."""
    name = role.rsplit(":", maxsplit=1)[-1].lower()
    titled = _TITLED.fullmatch(text)
    shown = titled.group("title") if titled and titled.group("title") else text
    target = titled.group("target") if titled else text
    if name in _ISSUES:
        return f"#{target}" if target.isdigit() else shown
    if name == "user":
        return f"@{target.lstrip('@')}" if not titled else shown
    if name in ("pep", "rfc") and target.split("#")[0].isdigit():
        number = int(target.split("#")[0])
        url = (
            f"https://peps.python.org/pep-{number:04d}/"
            if name == "pep"
            else f"https://datatracker.ietf.org/doc/html/rfc{number}"
        )
        return f"[{name.upper()} {number}]({url})"
    if name in _PROSE_ROLES:
        return shown
    if not titled and shown.startswith("~"):
        shown = shown[1:].rsplit(".", 1)[-1]
    return _code(shown.lstrip("!~"))


def _inline(text: str, targets: dict[str, str], rst: bool) -> str:
    """One line's inline markup in Markdown; literals are kept apart from the other rules."""
    kept: list[str] = []

    def keep(markdown: str) -> str:
        kept.append(markdown)
        return f"\x00{len(kept) - 1}\x00"

    if rst:
        text = _LITERAL.sub(lambda m: keep(_code(m.group(1))), text)
        text = _RST_ROLE.sub(lambda m: keep(_role(m["role"], m["text"])), text)
        text = _LINK.sub(lambda m: keep(_link(m.group(1), m.group(2), targets)), text)
        text = _REFERENCE.sub(lambda m: keep(_named(m.group(1), targets)), text)
        text = text.replace("\\ ", "")
    text = _MYST_CODE.sub(lambda m: keep(_role(m["role"], m["text"]) if m["role"] else m[0]), text)
    return re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], text)


def _link(text: str, url: str, targets: dict[str, str]) -> str:
    if url.endswith("_") and not url.startswith(("http", "/", ".")):
        return _named(text or url[:-1], targets, url[:-1])
    return f"[{text}]({url})" if text else f"<{url}>"


def _named(text: str, targets: dict[str, str], name: str = "") -> str:
    url = targets.get((name or text).lower())
    return f"[{text}]({url})" if url else text


def _block(lines: list[str], start: int, indent: int) -> int:
    """The index after the block indented deeper than `indent` that starts at `start`."""
    end = start
    while end < len(lines) and (
        not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent
    ):
        end += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return end


def _dedented(lines: list[str]) -> list[str]:
    widths = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    cut = min(widths, default=0)
    return [line[cut:] for line in lines]


def _rst(
    lines: list[str], headings: dict[int, tuple[int, int]], targets: dict[str, str]
) -> Iterator[str]:
    """reStructuredText lines as Markdown lines; `headings` maps a heading's first line to
    (its last line, the number of `#` it gets)."""
    index = 0
    while index < len(lines):
        line = lines[index]
        if index in headings:
            last, hashes = headings[index]
            title = next(t for t in lines[index : last + 1] if not re.fullmatch(r"(\W)\1+\s*", t))
            yield f"{'#' * hashes} {_inline(title.strip(), targets, True)}"
            index = last + 1
            continue
        directive = _DIRECTIVE.fullmatch(line)
        if directive:
            indent = len(directive["indent"])
            end = _block(lines, index + 1, indent)
            body = _dedented(lines[index + 1 : end])
            pad = " " * indent
            name = (directive["name"] or "").lower()
            if name in _ADMONITIONS:
                label = directive["args"].strip() if name == "admonition" else name.capitalize()
                yield f"{pad}> **{label}**"
                for text in body:
                    yield f"{pad}> {_inline(text, targets, True)}".rstrip()
            elif name in _CODE_BLOCKS:
                yield f"{pad}```{directive['args'].strip()}"
                yield from (f"{pad}{text}".rstrip() for text in body)
                yield f"{pad}```"
            elif name:  # versionadded, deprecated, …: their words stay
                yield from (f"{pad}{_inline(text, targets, True)}".rstrip() for text in body)
            index = end
            continue
        if line.rstrip().endswith("::") and not line.lstrip().startswith(".."):
            indent = len(line) - len(line.lstrip())
            start = index + 1
            while start < len(lines) and not lines[start].strip():
                start += 1
            end = _block(lines, start, indent)
            intro = line.rstrip()[:-2].rstrip()
            if intro:
                intro = intro if line.rstrip().endswith(" ::") else intro + ":"
                yield _inline(intro, targets, True)
                yield ""
            pad = " " * indent
            yield f"{pad}```"
            yield from (f"{pad}{text}".rstrip() for text in _dedented(lines[start:end]))
            yield f"{pad}```"
            index = end
            continue
        yield _inline(_ENUMERATED.sub(lambda m: f"{m['indent']}1.", line), targets, True)
        index += 1


def _sub_headings(document: Document, section: Section) -> dict[int, tuple[int, int]]:
    """The section's own headings by first line (relative to its body), one `#` deeper
    per level below the release's `##`."""
    start = section.heading.last + 1
    found: dict[int, tuple[int, int]] = {}
    for heading in document.headings:
        if start <= heading.first < section.end_line:
            hashes = min(6, 2 + heading.level - section.heading.level)
            found[heading.first - start] = (heading.last - start, hashes)
    return found


def _targets(document: Document) -> dict[str, str]:
    """reStructuredText's named link targets (`.. _pip docs: https://…`), by lower-cased name."""
    found = {}
    for line in document.lines:
        match = _TARGET.fullmatch(line.rstrip("\r\n"))
        if match:
            found[match["name"].strip().lower()] = match["url"]
    return found


def _without_preamble(lines: list[str], preamble: str) -> list[str]:
    """The section's lines without the leading line that only repeats its date."""
    if not preamble:
        return lines
    parts = PLACEHOLDER.split(preamble)
    pattern = "".join(re.escape(part) if i % 2 == 0 else ".+?" for i, part in enumerate(parts))
    first = next((i for i, line in enumerate(lines) if line.strip()), -1)
    if first >= 0 and re.fullmatch(pattern, lines[first].strip()):
        return lines[first + 1 :]
    return lines


def _trimmed(lines: list[str]) -> str:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return "\n".join(lines) + "\n" if lines else ""


def extract(text: str, version: str, path: str, tags: Tags | None = None) -> str:
    """One version's section as Markdown: the body of its GitHub Release."""
    document = parse(text, path)
    found = sections(document)
    section = next((s for s in found if s.version and same_version(s.version, version)), None)
    if section is None:
        raise ReleaseError(
            f"{path}: no section for {version}",
            f"add a section headed like the others for {version} to {path}",
        )
    body_lines = document.lines[section.heading.last + 1 : section.end_line]
    lines = [line.rstrip("\r\n") for line in body_lines]
    if section.status >= 0:
        lines[section.status - section.heading.last - 1] = ""
    else:
        lines = _blank_preamble(lines, preamble_of(document, found, tags or Tags()))
    if document.markup == RST:
        body = list(_rst(lines, _sub_headings(document, section), _targets(document)))
    else:
        body = [_inline(line, {}, False) for line in lines]
    return _trimmed(body)


def _blank_preamble(lines: list[str], preamble: str) -> list[str]:
    kept = _without_preamble(lines, preamble)
    return [""] * (len(lines) - len(kept)) + kept
