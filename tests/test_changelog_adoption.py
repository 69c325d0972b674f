"""Changelogs as adopted projects keep them at release time, and what each run does with them.

Shapes seen in real projects, written here by hand: a release section written only at
release time and no Unreleased heading (starlette, rich, pydantic), a bare Unreleased
heading between releases (structlog), bracketed headings with an `[unreleased]:` link
definition but no Unreleased heading (tomlkit), and towncrier configured with a package
the release must not import (pip). A dry run warns where a run that acts stops.
"""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest
from conftest import git, make_repo, release_cli, tree_state
from test_commits import commit, init_project

from release import changelog, towncrier_settings
from release.config import ChangelogStyle
from release.errors import ReleaseError

#: A release section only at release time: no Unreleased heading.
NO_UNRELEASED = """\
# Release notes

## 1.0.22 (May 1, 2024)

#### Fixed

* A crash on empty policies.

## 1.0.21 (April 2, 2024)

#### Added

* Policies.
"""
#: A bare Unreleased heading with a compare link, two blank lines around headings.
BARE_UNRELEASED = """\
# Changelog


## [Unreleased](https://github.com/owner/widget/compare/1.0.0...HEAD)


## [1.0.0](https://github.com/owner/widget/compare/0.9.0...1.0.0) - 2024-05-01

### Fixed

- A crash on empty policies.


## [0.9.0](https://github.com/owner/widget/compare/0.8.0...0.9.0) - 2024-04-02

### Added

- Policies.
"""
#: Bracketed headings, and an `[unreleased]:` definition without its heading.
LINK_WITHOUT_HEADING = """\
# Change Log

## [1.0.0] - 2024-05-01

### Fixed

- A crash on empty policies.

## [0.9.0] - 2024-04-02

### Added

- Policies.

[unreleased]: https://github.com/owner/widget/compare/1.0.0...master
[1.0.0]: https://github.com/owner/widget/releases/tag/1.0.0
[0.9.0]: https://github.com/owner/widget/releases/tag/0.9.0
"""
#: The shapes' tags: the bare version (tomlkit, structlog).
TAGS = changelog.Tags("{version}")
NOTHING_WRITTEN = "no Unreleased section and nothing written for 1.0.23"
THREE_WAYS = (
    "write its section ('## 1.0.23 (November 18, 2026)') at the top of CHANGELOG.md and"
    " commit it, generate it with --changelog generate, or pass --allow-empty-changelog"
)


def realistic_with(tmp_path: Path, text: str) -> Path:
    """The realistic fixture (gates, version files) with `text` as its changelog."""
    root = make_repo("realistic", tmp_path / "enforcecore")
    (root / "CHANGELOG.md").write_text(text, encoding="utf-8")
    git(root, "commit", "-qam", "notes")
    return root


def generated_project(root: Path, text: str, tag: str = "1.0.0") -> Path:
    """A project tagged `tag` with `text` as its changelog, then a fix and a feature."""
    init_project(root, version=tag, tag=tag, config='[tool.release]\ntag-format = "{version}"\n')
    (root / "CHANGELOG.md").write_text(text, encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "--amend", "--no-edit"], cwd=root, check=True)
    subprocess.run(["git", "tag", "-f", tag], cwd=root, check=True, capture_output=True)
    commit(root, "fix: keep the cursor")
    commit(root, "feat: add truncate")
    return root


def entries(root: Path, group: str = "###", marker: str = "-") -> str:
    """The generated entries (the commits' subjects, their short hashes) as the file has
    its group headings and list markers."""
    feat, fix = git(root, "log", "--format=%h", "-2").split()
    added = f"{group} Added\n\n{marker} add truncate ({feat})\n"
    return f"{added}\n{group} Fixed\n\n{marker} keep the cursor ({fix})\n"


def test_the_dry_run_warns_and_names_the_three_ways_out(tmp_path: Path) -> None:
    root = realistic_with(tmp_path, NO_UNRELEASED)
    before = tree_state(root)

    result = release_cli(root, "release", "1.0.23")

    assert result.returncode == 0, result.stderr
    warning = f"      - WARNING: CHANGELOG.md: {NOTHING_WRITTEN} (a run that acts stops here): "
    assert warning + THREE_WAYS in result.stdout.splitlines()
    assert "write pyproject.toml" in result.stdout  # the rest of the plan is there
    assert "create the annotated tag v1.0.23 on that commit (locally)" in result.stdout
    assert tree_state(root) == before


@pytest.mark.parametrize(
    "args", [("release", "1.0.23", "--execute"), ("bump", "1.0.23")], ids=["execute", "bump"]
)
def test_a_run_that_acts_stops_before_any_step(tmp_path: Path, args: tuple[str, ...]) -> None:
    root = realistic_with(tmp_path, NO_UNRELEASED)
    before = tree_state(root)

    result = release_cli(root, *args)

    assert result.returncode == 1
    assert result.stderr.splitlines()[-2:] == [
        f"error: CHANGELOG.md: {NOTHING_WRITTEN}",
        f"hint: {THREE_WAYS}",
    ]
    assert tree_state(root) == before
    assert not (root / ".release" / "logs").exists()  # no step ran, not even a gate


def test_an_empty_unreleased_section_is_a_warning_in_a_dry_run(tmp_path: Path) -> None:
    root = realistic_with(tmp_path, BARE_UNRELEASED.replace("1.0.0", "1.0.22"))

    dry = release_cli(root, "bump", "1.0.23", "--dry-run")
    acting = release_cli(root, "bump", "1.0.23")

    assert dry.returncode == 0, dry.stderr
    assert "      - WARNING: CHANGELOG.md: the Unreleased section is empty" in dry.stdout
    assert acting.returncode == 1
    assert "error: CHANGELOG.md: the Unreleased section is empty" in acting.stderr


def test_allow_empty_changelog_writes_the_heading_without_a_warning(tmp_path: Path) -> None:
    root = realistic_with(tmp_path, NO_UNRELEASED)

    result = release_cli(root, "bump", "1.0.23", "--allow-empty-changelog")

    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    assert (root / "CHANGELOG.md").read_text() == NO_UNRELEASED.replace(
        "## 1.0.22", "## 1.0.23 (November 18, 2026)\n\n## 1.0.22", 1
    )


def test_generate_writes_a_new_section_where_none_is_kept(tmp_path: Path) -> None:
    root = generated_project(tmp_path / "widget", NO_UNRELEASED.replace("1.0.22", "1.0.0"))

    result = release_cli(root, "bump", "1.0.1", "--changelog", "generate")

    assert result.returncode == 0, result.stderr
    new = "## 1.0.1 (November 18, 2026)\n\n" + entries(root, "####", "*")
    written = NO_UNRELEASED.replace("1.0.22", "1.0.0").replace("## 1.0.0", new + "\n## 1.0.0")
    assert (root / "CHANGELOG.md").read_text() == written


def test_a_link_definition_alone_does_not_keep_an_unreleased_section() -> None:
    read = changelog.read(LINK_WITHOUT_HEADING, "CHANGELOG.md", TAGS)
    assert (read.style.keeps_unreleased, read.style.unreleased) == (False, "")
    problem = changelog.missing(read, changelog.Release("1.0.1", "2026-11-18", TAGS))
    assert problem is not None
    assert problem.message == "CHANGELOG.md: no Unreleased section and nothing written for 1.0.1"


def test_the_unreleased_link_moves_without_its_heading() -> None:
    read = changelog.read(LINK_WITHOUT_HEADING, "CHANGELOG.md", TAGS)
    release = changelog.Release("1.0.1", "2026-11-18", TAGS)

    written = changelog.promoted(read, release, body="### Fixed\n\n- A leak.")

    assert written == LINK_WITHOUT_HEADING.replace(
        "## [1.0.0]", "## [1.0.1] - 2026-11-18\n\n### Fixed\n\n- A leak.\n\n## [1.0.0]"
    ).replace("1.0.0...master", "1.0.1...master").replace(
        "[1.0.0]: ", "[1.0.1]: https://github.com/owner/widget/releases/tag/1.0.1\n[1.0.0]: "
    )


def test_the_configuration_says_an_unreleased_section_is_kept() -> None:
    keys = ChangelogStyle(unreleased="## [Unreleased]")
    read = changelog.read(LINK_WITHOUT_HEADING, "CHANGELOG.md", TAGS, keys)
    release = changelog.Release("1.0.1", "2026-11-18", TAGS)

    with pytest.raises(ReleaseError, match=r"^CHANGELOG.md: no '## \[Unreleased\]' section$"):
        changelog.promoted(read, release, body="### Fixed\n\n- A leak.")


PIP_SHAPE = """\
[project]
name = "pipish"
version = "1.0.0"

[tool.towncrier]
package = "pipish"
package_dir = "src"
filename = "NEWS.rst"
directory = "news/"
"""


def test_towncrier_is_told_the_name_it_would_import() -> None:
    found = towncrier_settings.settings(Path("."), tomllib.loads(PIP_SHAPE))
    assert found is not None
    assert found.name == "Pipish"  # towncrier's name for a package: its title
    assert "src/pipish" not in found.inputs


def test_towncrier_never_imports_the_package(tmp_path: Path) -> None:
    """pip's package cannot be imported from a copy of towncrier's inputs: the build must
    not need it."""
    root = tmp_path / "pipish"
    (root / "news").mkdir(parents=True)
    (root / "src" / "pipish").mkdir(parents=True)
    (root / "src" / "pipish" / "__init__.py").write_text("import not_installed_anywhere\n")
    (root / "pyproject.toml").write_text(PIP_SHAPE + '\n[tool.release]\ntag-format = "{version}"\n')
    (root / "NEWS.rst").write_text(".. towncrier release notes start\n")
    (root / "news" / "12.feature.rst").write_text("Faster installs.\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    git(root, "tag", "1.0.0")

    result = release_cli(root, "bump", "1.0.1")

    assert result.returncode == 0, result.stderr
    news = (root / "NEWS.rst").read_text()
    assert ".. towncrier release notes start\n\nPipish 1.0.1 (2026-11-18)\n" in news
    assert "- Faster installs. (#12)" in news
