"""Where a project keeps its changelog: CHANGELOG.md, CHANGES.rst, HISTORY.rst, NEWS.md,
docs/changelog.md, docs/release-notes.md, … (any case, .md/.rst/.txt or none).

The top level is looked at before docs/; a name that is a link (uvicorn's CHANGELOG.md
-> docs/release-notes.md) stands for the file it points to, since the release edits that
file; a file with release headings wins over one without (pluggy's docs/changelog.rst
only includes the top-level CHANGELOG.rst).
"""

from __future__ import annotations

from pathlib import Path

from release.changelog.document import parse, sections

STEMS: tuple[str, ...] = ("changelog", "changes", "history", "news", "release-notes")
STEMS += ("release_notes", "releasenotes", "releases")
SUFFIXES = (".md", ".rst", ".txt", ".markdown", "")
FOLDERS = ("", "docs", "doc", "docs/source", "docs/community")


def _real(root: Path, path: Path) -> str:
    """`path` relative to `root`, through a link when it is one ('' when it leaves the root)."""
    target = path.resolve()
    try:
        return target.relative_to(root.resolve()).as_posix()
    except ValueError:
        return ""


def candidates(root: Path) -> list[str]:
    """Every changelog-looking file, in the order looked at, links followed, once each."""
    found: list[str] = []
    for folder in FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        names = {path.name.lower(): path for path in base.iterdir() if path.is_file()}
        for stem in STEMS:
            for suffix in SUFFIXES:
                path = names.get(stem + suffix)
                real = _real(root, path) if path else ""
                if real and real not in found:
                    found.append(real)
    return found


def locate(root: Path) -> str:
    """The project's changelog ('' when it keeps none): the first candidate with releases."""
    found = candidates(root)
    for relative in found:
        try:
            text = (root / relative).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if any(
            section.version or section.unreleased for section in sections(parse(text, relative))
        ):
            return relative
    return found[0] if found else ""
