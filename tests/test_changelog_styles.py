"""Changelogs as projects keep them: the style read from the file, written back the same way.

The shared cases are real release commits (read at test time from ../shared/changelogs,
skipped when absent): the step's headings and link lines must be the maintainer's. The
other fixtures are written here, in the shapes real projects use.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from conftest import git, make_repo, release_cli, run, tree_state

from release import changelog
from release.changelog import files
from release.changelog.document import plain
from release.config import ChangelogStyle
from release.errors import ReleaseError

SHARED = Path(__file__).parents[2] / "shared" / "changelogs"
#: The projects' tag formats, as their `tag-format` would say (their compare links use them).
TAG_FORMATS = {"rich": "v{version}", "tetra-rp": "v{version}"}


def shared_cases() -> list[dict[str, Any]]:
    if not (SHARED / "cases.json").exists():
        return []
    cases: list[dict[str, Any]] = json.loads((SHARED / "cases.json").read_text())
    return cases


needs_shared = pytest.mark.skipif(not shared_cases(), reason=f"no shared cases at {SHARED}")


def text_of(case: dict[str, Any], which: str) -> str:
    folder = SHARED / str(case["case"])
    return next(folder.glob(f"{which}.*")).read_text(encoding="utf-8")


def release_of(case: dict[str, Any]) -> changelog.Release:
    tags = changelog.Tags(TAG_FORMATS.get(case["case"], "{version}"))
    return changelog.Release(case["version"], case["date"], tags)


def outline(text: str) -> list[str]:
    """The heading and link definition lines (these files' headings are all ATX)."""
    return [line for line in text.splitlines() if re.match(r"#{1,6} |\[[^\]]+\]: ", line)]


def release_heading(text: str, version: str) -> int:
    """The index of the line that heads `version`'s section."""
    lines = text.splitlines()
    return next(
        i for i, line in enumerate(lines) if re.match(rf"## \[?{re.escape(version)}[\] ]", line)
    )


def section_as_written(text: str, version: str) -> str:
    """The lines under `version`'s heading, up to the next `## `, blank lines trimmed."""
    lines = text.splitlines()
    start = release_heading(text, version) + 1
    end = next((i for i in range(start, len(lines)) if lines[i].startswith("## ")), len(lines))
    body = lines[start:end]
    while body and not body[0].strip():
        body.pop(0)
    while body and not body[-1].strip():
        body.pop()
    return "\n".join(body) + "\n"


@needs_shared
@pytest.mark.parametrize("case", shared_cases(), ids=lambda case: case["case"])
def test_the_release_headings_and_links_are_the_maintainers(case: dict[str, Any]) -> None:
    before, after = text_of(case, "before"), text_of(case, "after")
    release = release_of(case)
    read = changelog.read(before, case["file"], release.tags)
    if read.section(case["version"]) is not None:  # the next cycle's case: released already
        with pytest.raises(ReleaseError, match=f"{case['version']} already has a section"):
            changelog.release_text(read, release)
        return
    ours = changelog.release_text(read, release, allow_empty=True)
    if read.style.keeps_unreleased:
        assert outline(ours) == outline(after)
        return
    heading = after.splitlines()[release_heading(after, case["version"])]  # no Unreleased
    assert release_heading(ours, case["version"]) == release_heading(after, case["version"])
    assert ours.splitlines()[release_heading(ours, case["version"])] == heading
    assert [line for line in outline(ours) if line != heading] == outline(before)


@needs_shared
@pytest.mark.parametrize("case", shared_cases(), ids=lambda case: case["case"])
def test_the_next_cycle_opens_as_the_project_does(case: dict[str, Any]) -> None:
    """structlog puts its linked Unreleased heading back in the commit after the release:
    the release's changelog plus the fresh heading is that commit's file, byte for byte.
    Elsewhere the fresh heading is the project's own, right above the release."""
    before, after = text_of(case, "before"), text_of(case, "after")
    release = release_of(case)
    read = changelog.read(before, case["file"], release.tags)
    released = [c for c in shared_cases() if text_of(c, "after") == before]
    if released:  # this case opens the cycle after that one's release
        original = changelog.read(text_of(released[0], "before"), case["file"], release.tags)
        assert changelog.next_cycle(before, case["file"], original.style, release) == after
        assert changelog.promoted(original, release) == after
        return
    if not read.style.keeps_unreleased:
        assert read.style.unreleased == ""
        return
    promoted = changelog.promoted(read, release, allow_empty=True)
    at = release_heading(promoted, case["version"])
    unreleased, reopened = read.unreleased(), changelog.read(promoted, case["file"]).unreleased()
    assert unreleased is not None
    assert reopened is not None
    assert reopened.heading.title_line == at - read.style.gap - 1
    assert plain(reopened.heading.title) == plain(unreleased.heading.title)


@needs_shared
@pytest.mark.parametrize("case", shared_cases(), ids=lambda case: case["case"])
def test_notes_are_the_section_as_written(case: dict[str, Any]) -> None:
    after = text_of(case, "after")
    notes = changelog.extract(after, case["version"], case["file"], release_of(case).tags)
    assert notes == section_as_written(after, case["version"])


CLICK = """\
Changes
=======

Version 2.1.0
-------------

Unreleased

-   Add ``--color``. :issue:`12`


Version 2.0.0
-------------

Released 2026-01-05

-   Fix a crash.


Version 1.9.0
-------------

Released 2025-11-02

-   Old.
"""

PLUGGY = """\
=========
Changelog
=========

.. towncrier release notes start

mypkg 1.6.0 (2025-05-15)
========================

Bug Fixes
---------

- `#556 <https://github.com/o/mypkg/issues/556>`_: Fix :func:`hook() <mypkg.hook>`.
"""

RICH = """\
# Changelog

## Unreleased

### Fixed

- A loop.

## [14.3.2] - 2026-02-01

### Fixed

- A crash.

[14.3.2]: https://github.com/o/rich/compare/v14.3.1...v14.3.2
[14.3.1]: https://github.com/o/rich/compare/v14.3.0...v14.3.1
"""


def promote(text: str, path: str, version: str, tag_format: str = "{version}", **kw: Any) -> str:
    tags = changelog.Tags(tag_format)
    read = changelog.read(text, path, tags, kw.pop("keys", None))
    return changelog.promoted(read, changelog.Release(version, "2026-06-24", tags), **kw)


def test_an_underlined_version_section_says_released_with_the_date() -> None:
    assert promote(CLICK, "CHANGES.rst", "2.1.0") == CLICK.replace(
        "Unreleased\n", "Released 2026-06-24\n", 1
    )


def test_a_section_for_another_version_is_refused() -> None:
    with pytest.raises(ReleaseError, match=r"CHANGES.rst:4: the unreleased section is for 2.1.0"):
        promote(CLICK, "CHANGES.rst", "2.0.1")


def test_without_unreleased_the_new_section_goes_above_the_last_underlined() -> None:
    body = "Features\n--------\n\n- New.\n"
    assert promote(PLUGGY, "CHANGELOG.rst", "1.7.0", body=body) == PLUGGY.replace(
        "mypkg 1.6.0",
        "mypkg 1.7.0 (2026-06-24)\n========================\n\n" + body + "\nmypkg 1.6.0",
    )


def test_an_underline_follows_the_title_length() -> None:
    text = "Changes\n=======\n\n2.2.0 (unreleased)\n------------------\n\n- New.\n"
    text += "\n2.1.10 (2025-09-24)\n-------------------\n\n- Old.\n"
    assert promote(text, "CHANGES.txt", "2.2.0").startswith(
        "Changes\n=======\n\n2.2.0 (2026-06-24)\n------------------\n\n- New.\n"
    )
    assert "\n2.10.0 (2026-06-24)\n-------------------\n" in promote(
        text.replace("2.2.0 (unreleased)\n", "2.10.0 (unreleased)\n"), "CHANGES.txt", "2.10.0"
    )


def test_reference_links_are_kept_up_to_date_with_the_tag_format() -> None:
    assert promote(RICH, "CHANGELOG.md", "14.3.3", "v{version}") == (
        "# Changelog\n\n## Unreleased\n\n## [14.3.3] - 2026-06-24\n\n### Fixed\n\n- A loop.\n\n"
        "## [14.3.2] - 2026-02-01\n\n### Fixed\n\n- A crash.\n\n"
        "[14.3.3]: https://github.com/o/rich/compare/v14.3.2...v14.3.3\n"
        "[14.3.2]: https://github.com/o/rich/compare/v14.3.1...v14.3.2\n"
        "[14.3.1]: https://github.com/o/rich/compare/v14.3.0...v14.3.1\n"
    )


def test_no_link_line_is_added_once_the_project_stopped_writing_them() -> None:
    stopped = RICH.replace("[14.3.2]: https://github.com/o/rich/compare/v14.3.1...v14.3.2\n", "")
    assert "[14.3.3]:" not in promote(stopped, "CHANGELOG.md", "14.3.3", "v{version}")


def test_a_linked_unreleased_heading_and_definition_move_to_the_new_tag() -> None:
    text = (
        "## [Unreleased](https://gitlab.com/a/b/-/compare/r1.0...main)\n\n- New.\n\n"
        "## [1.0](https://gitlab.com/a/b/-/compare/r0.9...r1.0) - 2026-01-01\n\n- Old.\n\n"
        "[unreleased]: https://gitlab.com/a/b/-/compare/r1.0...main\n"
        "[1.0]: https://gitlab.com/a/b/-/releases/r1.0\n"
    )
    assert promote(text, "CHANGELOG.md", "1.1", "r{version}") == (
        "## [Unreleased](https://gitlab.com/a/b/-/compare/r1.1...main)\n\n"
        "## [1.1](https://gitlab.com/a/b/-/compare/r1.0...r1.1) - 2026-06-24\n\n- New.\n\n"
        "## [1.0](https://gitlab.com/a/b/-/compare/r0.9...r1.0) - 2026-01-01\n\n- Old.\n\n"
        "[unreleased]: https://gitlab.com/a/b/-/compare/r1.1...main\n"
        "[1.1]: https://gitlab.com/a/b/-/releases/r1.1\n"
        "[1.0]: https://gitlab.com/a/b/-/releases/r1.0\n"
    )


@pytest.mark.parametrize(
    ("newest", "version", "written"),
    [
        ("## 0.28.0 (28th November, 2024)", "0.28.1", "## 0.28.1 (24th June, 2026)"),
        ("## 1.3.0 (June 11, 2026)", "1.3.1", "## 1.3.1 (June 24, 2026)"),
        ("## v2.2.3(2026-05-28)", "2.2.4", "## v2.2.4(2026-06-24)"),
        ("## 1.2.4 - 2026/03/01", "1.2.5", "## 1.2.5 - 2026/06/24"),
        (
            "## [**v1.2.4**](https://x.org/releases/tag/v1.2.4) <small>27th June 2026</small>",
            "1.3.0",
            "## [**v1.3.0**](https://x.org/releases/tag/v1.3.0) <small>24th June 2026</small>",
        ),
    ],
)
def test_headings_and_dates_are_written_as_the_newest_release(
    newest: str, version: str, written: str
) -> None:
    text = f"# Changes\n\n## Dev\n\n- New.\n\n{newest}\n\n- Old.\n"
    assert promote(text, "CHANGES.md", version, "v{version}") == (
        f"# Changes\n\n## Dev\n\n{written}\n\n- New.\n\n{newest}\n\n- Old.\n"
    )


def test_the_style_key_settles_what_the_headings_cannot_tell() -> None:
    text = "# Changelog\n\n## Unreleased\n\n- New.\n\n## 1.6.0 (Q1 2026)\n\n- Old.\n"
    with pytest.raises(ReleaseError) as raised:
        promote(text, "CHANGELOG.md", "1.7.0")
    assert raised.value.message == (
        "CHANGELOG.md line 7: cannot tell how '1.6.0 (Q1 2026)' writes its date"
    )
    assert "[tool.release.changelog-style] heading =" in raised.value.hint
    keys = ChangelogStyle(heading="## {version} ({date})", date="%B %-d, %Y", unreleased="")
    assert promote(text, "CHANGELOG.md", "1.7.0", keys=keys) == text.replace(
        "## Unreleased", "## 1.7.0 (June 24, 2026)"
    )


def test_a_new_file_gets_keep_a_changelog_headings() -> None:
    assert promote("# Changelog\n", "CHANGELOG.md", "0.1.0", body="- First.\n") == (
        "# Changelog\n\n## [0.1.0] - 2026-06-24\n\n- First.\n"
    )


RST_NOTES = """\
Changelog
=========

mypkg 1.6.0 (2025-05-15)
------------------------

Bug Fixes
~~~~~~~~~

- `#556 <https://github.com/o/mypkg/issues/556>`_: Fix :func:`hook() <mypkg.hook>`.

mypkg 1.5.0 (2025-01-02)
------------------------

-   Add ``--color``. :issue:`12`

.. note::

    Read ``docs``.

Run this::

    pip install mypkg

See `the guide <https://example.org/guide>`__ and :pep:`621`.
"""


def test_rst_notes_are_markdown_for_github() -> None:
    assert changelog.extract(RST_NOTES, "1.6.0", "CHANGELOG.rst") == (
        "### Bug Fixes\n\n- [#556](https://github.com/o/mypkg/issues/556): Fix `hook()`.\n"
    )
    assert changelog.extract(RST_NOTES, "1.5.0", "CHANGELOG.rst") == (
        "-   Add `--color`. #12\n\n"
        "> **Note**\n>\n> Read `docs`.\n\n"
        "Run this:\n\n```\npip install mypkg\n```\n\n"
        "See [the guide](https://example.org/guide) and"
        " [PEP 621](https://peps.python.org/pep-0621/).\n"
    )


def test_myst_roles_in_markdown_notes_become_github_markdown() -> None:
    text = (
        "## Version 8.5.0\n\nReleased 2026-06-01\n\n- Fix {func}`echo` with `{...}`. {issue}`12`\n"
    )
    text += "\n## Version 8.4.0\n\nReleased 2026-05-01\n\n- Old.\n"
    assert changelog.extract(text, "8.5.0", "CHANGES.md") == "- Fix `echo` with `{...}`. #12\n"


def test_changelog_files_are_found_where_projects_keep_them(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "release-notes.md").write_text("## 1.0.0 (June 1, 2026)\n\n- x\n")
    (tmp_path / "CHANGELOG.md").symlink_to("docs/release-notes.md")
    (tmp_path / "HISTORY.rst").write_text("See the docs.\n")
    assert files.candidates(tmp_path) == ["docs/release-notes.md", "HISTORY.rst"]
    assert files.locate(tmp_path) == "docs/release-notes.md"
    (tmp_path / "CHANGELOG.md").unlink()
    (tmp_path / "docs" / "release-notes.md").unlink()
    assert files.locate(tmp_path) == "HISTORY.rst"


# The command line on a project: one error line with a hint, and nothing changed.


def project_with(tmp_path: Path, path: str, text: str, keys: str = "") -> Path:
    root = make_repo("realistic", tmp_path / "project")
    (root / "CHANGELOG.md").unlink()
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text, encoding="utf-8")
    pyproject = root / "pyproject.toml"
    table = f'package = "enforcecore"\nchangelog = "{path}"\n'
    text = pyproject.read_text().replace('package = "enforcecore"\n', table, 1)
    pyproject.write_text(text + keys)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the changelog")
    return root


KAC = "# Changelog\n\n## [Unreleased]\n\n- New.\n\n## [1.0.22] - 2024-05-01\n\n- Old.\n"


@pytest.mark.parametrize(
    ("text", "error", "hint"),
    [
        (
            KAC.replace("## [1.0.22]", "## Unreleased\n\n- Other.\n\n## [1.0.22]"),
            "error: CHANGELOG.md: two Unreleased sections, lines 3 and 7",
            "hint: keep one: move the entries of the second under the first",
        ),
        (
            KAC.replace("## [1.0.22]", "## [1.0.23] - 2026-01-01\n\n- Early.\n\n## [1.0.22]"),
            "error: CHANGELOG.md:7: 1.0.23 already has a section",
            "hint: release a later version, or delete line 7's section",
        ),
        (
            KAC.replace("## [1.0.22] - 2024-05-01", "## [1.0.22] - 1 May 24"),
            "error: CHANGELOG.md line 7: cannot tell how '[1.0.22] - 1 May 24' writes its date",
            "hint: say how releases are headed in pyproject.toml, e.g."
            " [tool.release.changelog-style] heading =",
        ),
    ],
    ids=["two-unreleased", "version-has-a-section", "unclassifiable"],
)
def test_bad_changelogs_are_one_error_line_and_change_nothing(
    text: str, error: str, hint: str, tmp_path: Path
) -> None:
    root = project_with(tmp_path, "CHANGELOG.md", text)
    before = tree_state(root)
    result = release_cli(root, "bump", "1.0.23")
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(error), result.stderr
    assert any(line.startswith(hint) for line in result.stderr.splitlines()), result.stderr
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert tree_state(root) == before
    assert run(["git", "status", "--porcelain"], root).stdout == ""


def test_a_bad_style_key_is_named_with_its_file(tmp_path: Path) -> None:
    root = project_with(
        tmp_path, "CHANGELOG.md", KAC, '[tool.release.changelog-style]\ndate = "%Y"\n'
    )
    result = release_cli(root, "bump", "1.0.23")
    assert result.returncode == 2
    assert (
        f"error: {root / 'pyproject.toml'}: [tool.release.changelog-style] date '%Y': it needs %Y"
        " and a month (%m, %-m, %B or %b)"
    ) in result.stderr.splitlines()


def test_bump_writes_the_release_in_the_files_own_style(tmp_path: Path) -> None:
    text = CLICK.replace("Version 2.1.0\n-------------", "Version 1.0.23\n--------------")
    root = project_with(tmp_path, "CHANGES.rst", text)
    result = release_cli(root, "bump", "1.0.23")
    assert result.returncode == 0, result.stderr
    written = text.replace("Unreleased\n", "Released 2026-11-18\n", 1)
    assert (root / "CHANGES.rst").read_text() == written
    notes = release_cli(root, "notes", "1.0.23")
    assert notes.stdout == "-   Add `--color`. #12\n"


def test_a_section_written_ahead_is_released_as_it_is(tmp_path: Path) -> None:
    """starlette writes the release's section on top, then releases: the bump keeps it."""
    text = "---\ntoc_depth: 2\n---\n\n## 1.0.23 (November 18, 2026)\n\n- New.\n\n"
    text += "## 1.0.22 (May 1, 2024)\n\n- Old.\n"
    root = project_with(tmp_path, "docs/release-notes.md", text)
    result = release_cli(root, "bump", "1.0.23")
    assert result.returncode == 0, result.stderr
    assert (root / "docs/release-notes.md").read_text() == text
    missing = release_cli(root, "bump", "1.0.24")
    assert missing.returncode == 1
    assert missing.stderr.splitlines()[-2:] == [
        "error: docs/release-notes.md: no Unreleased section and nothing written for 1.0.24",
        "hint: write its section ('## 1.0.24 (November 18, 2026)') at the top of"
        " docs/release-notes.md and commit it, generate it with --changelog generate, or pass"
        " --allow-empty-changelog",
    ]


def test_a_linked_changelog_is_named_with_the_file_to_configure(tmp_path: Path) -> None:
    root = project_with(tmp_path, "docs/release-notes.md", KAC)
    (root / "CHANGELOG.md").symlink_to("docs/release-notes.md")
    pyproject = root / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("docs/release-notes.md", "CHANGELOG.md"))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "link")
    result = release_cli(root, "bump", "1.0.23")
    assert result.returncode == 2
    assert "error: CHANGELOG.md: a link to docs/release-notes.md" in result.stderr
    assert (root / "CHANGELOG.md").is_symlink()


def test_init_finds_the_changelog_and_says_its_style(tmp_path: Path) -> None:
    root = make_repo("adopt/static", tmp_path / "static")
    (root / "CHANGELOG.md").rename(root / "docs" / "release-notes.md")
    (root / "docs" / "release-notes.md").write_text("## 0.4.1 (January 5, 2026)\n\n- Sorting.\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "notes")
    shown = release_cli(root, "init", "--write")
    assert shown.returncode == 0, shown.stderr
    assert (
        "note: docs/release-notes.md: releases headed like '0.4.1 (January 5, 2026)'; no"
        " Unreleased section: a release's section is written above the last one"
    ) in shown.stderr.splitlines()
    assert 'changelog = "docs/release-notes.md"' in (root / "pyproject.toml").read_text()
