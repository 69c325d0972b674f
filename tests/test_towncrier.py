"""towncrier projects: the real towncrier builds the changelog, once, whatever kills the run.

The fixture is shaped like attrs (`changelog.d/`, a Markdown CHANGELOG with towncrier's
start line) with three fragment types. The oracle is towncrier itself: the same build run
by hand in a clone of the project (`towncrier build --yes`, its own `git rm`), whose news
file and fragment removals the release must reproduce exactly. towncrier comes from PyPI
into the tool venv the release makes; the first run installs it.
"""

from __future__ import annotations

import difflib
import time
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import RELEASE_EPOCH, git, release_cli, run, tool, tree_state

from release import config, towncrier, towncrier_settings

RELEASE_DAY = time.strftime("%Y-%m-%d", time.gmtime(int(RELEASE_EPOCH)))  # the release's date
PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "newsy"
version = "1.2.0"
description = "A project whose changelog towncrier builds."
readme = "README.md"
requires-python = ">=3.11"
license = "MIT"

[dependency-groups]
docs = ["towncrier>=24.7"]

[tool.release]
package = "newsy"

[tool.release.publish]
where = "local"

[tool.towncrier]
directory = "changelog.d"
filename = "CHANGELOG.md"
title_format = "## [{version}](https://github.com/example/newsy/tree/{version}) - {project_date}"
issue_format = "[#{issue}](https://github.com/example/newsy/issues/{issue})"

[[tool.towncrier.type]]
directory = "added"
name = "Added"
showcontent = true

[[tool.towncrier.type]]
directory = "changed"
name = "Changed"
showcontent = true

[[tool.towncrier.type]]
directory = "fixed"
name = "Fixed"
showcontent = true
"""
CHANGELOG = """\
# Changelog

Entries for the next release are in `changelog.d/`.

<!-- towncrier release notes start -->

## [1.2.0](https://github.com/example/newsy/tree/1.2.0) - 2026-01-05

### Fixed

- Empty policies no longer crash. [#3](https://github.com/example/newsy/issues/3)
"""
FRAGMENTS = {
    "changelog.d/12.added.md": "Every decision is audited.\n",
    "changelog.d/14.changed.md": "Policies load lazily.\n",
    "changelog.d/17.fixed.md": "Timeouts are honoured.\n",
}
FILES = {
    "pyproject.toml": PYPROJECT,
    "CHANGELOG.md": CHANGELOG,
    "README.md": "# newsy\n",
    "newsy/__init__.py": '"""Newsy."""\n',
    "noxfile.py": "from release.adapters.nox_sessions import register\n\nregister()\n",
    ".gitignore": ".release/\n.nox/\ndist/\n",
    "changelog.d/.gitkeep": "",
    **FRAGMENTS,
}


def make_project(root: Path, files: dict[str, str] = FILES) -> Path:
    """The project, its generated workflows committed, and a bare remote as origin."""
    for relative, text in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_text(text, encoding="utf-8")
    assert release_cli(root, "parity", "--write").returncode == 0
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Initial commit")
    git(root.parent, "init", "-q", "--bare", f"{root.name}.git")
    git(root, "remote", "add", "origin", str(root.parent / f"{root.name}.git"))
    git(root, "push", "-q", "-u", "origin", "main")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "newsy")


def towncrier_python(root: Path) -> Path:
    return towncrier.tool_python(towncrier.pin(config.load(root)))


def by_towncrier(root: Path, tmp_path: Path, *args: str) -> tuple[str, list[str]]:
    """What towncrier itself does in a clone: (the news file, `git status` afterwards)."""
    clone = tmp_path / "oracle"
    git(tmp_path, "clone", "-q", str(root), str(clone))
    argv = [str(towncrier_python(root)), "-m", "towncrier", "build", "--version", "1.3.0"]
    argv += ["--date", RELEASE_DAY, *args]
    built = run(argv, clone)
    assert built.returncode == 0, built.stderr
    return (clone / "CHANGELOG.md").read_text(), git(clone, "status", "--short").splitlines()


def draft(root: Path) -> str:
    argv = [str(towncrier_python(root)), "-m", "towncrier", "build", "--draft"]
    argv += ["--version", "1.3.0", "--date", RELEASE_DAY]
    result = run(argv, root)
    assert result.returncode == 0, result.stderr
    return result.stdout


def shown_diff(old: str, new: str) -> str:
    """The unified diff as the plan prints it, indented under its action."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    lines = difflib.unified_diff(old_lines, new_lines, "a/CHANGELOG.md", "b/CHANGELOG.md")
    return "".join("        " + line for line in lines)


def local_release(root: Path, *args: str, **env: str) -> tuple[int, str]:
    result = release_cli(root, "release", *args, "--local-only", **env)
    return result.returncode, result.stdout + result.stderr


def fragments_in_git(root: Path) -> list[str]:
    return git(root, "ls-files", "changelog.d").split()


# --- the real build ------------------------------------------------------------------------


def test_dry_run_shows_towncriers_draft_as_the_diff_and_changes_nothing(
    project: Path, tmp_path: Path
) -> None:
    before = tree_state(project)
    expected, _ = by_towncrier(project, tmp_path, "--yes")

    result = release_cli(project, "release", "1.3.0")

    assert result.returncode == 0, result.stderr
    shown = shown_diff(CHANGELOG, expected)
    assert shown in result.stdout
    added = [line[9:] for line in shown.splitlines()[2:] if line.startswith("        +")]
    assert "\n".join(added).startswith(draft(project).rstrip("\n"))
    assert "remove the 3 fragments towncrier built CHANGELOG.md from" in result.stdout
    for path in FRAGMENTS:
        assert f"        {path}\n" in result.stdout
    assert tree_state(project) == before
    assert git(project, "status", "--porcelain") == ""


def test_execute_builds_once_and_commits_the_consumed_fragments(
    project: Path, tmp_path: Path
) -> None:
    expected, status = by_towncrier(project, tmp_path, "--yes")

    code, output = local_release(project, "1.3.0", "--execute")

    assert code == 0, output
    assert (project / "CHANGELOG.md").read_text() == expected
    assert sorted(status) == sorted(["M  CHANGELOG.md", *(f"D  {path}" for path in FRAGMENTS)])
    assert fragments_in_git(project) == ["changelog.d/.gitkeep"]
    assert git(project, "status", "--porcelain") == ""
    committed = git(project, "show", "--name-status", "--format=%s", "v1.3.0^{commit}").split("\n")
    assert committed[0] == "Release 1.3.0"
    assert sorted(filter(None, committed[1:])) == sorted(
        ["M\tCHANGELOG.md", "M\tpyproject.toml", *(f"D\t{path}" for path in FRAGMENTS)]
    )


@pytest.mark.parametrize("point", ["after-towncrier", "before-commit"])
def test_killed_after_the_build_then_resumed_consumes_the_fragments_once(
    project: Path, tmp_path: Path, point: str
) -> None:
    expected, _ = by_towncrier(project, tmp_path, "--yes")

    code, output = local_release(project, "1.3.0", "--execute", RELEASE_TEST_KILL_AT=point)

    assert code == -9, output
    assert (project / "CHANGELOG.md").read_text() == expected  # written with the version
    left = sorted(path for path in FRAGMENTS if (project / path).exists())
    assert left == (sorted(FRAGMENTS) if point == "after-towncrier" else [])
    assert git(project, "log", "--format=%s", "-1") == "Initial commit\n"
    killed = tree_state(project)
    planned = release_cli(project, "release", "1.3.0", "--local-only")  # the dry run
    assert planned.returncode == 0, planned.stderr
    removal = "remove the 3 fragments towncrier built CHANGELOG.md from"
    assert (removal in planned.stdout) is (point == "after-towncrier")
    assert tree_state(project) == killed

    resumed = run([tool("nox"), "-s", "release", "--", "--resume", "--local-only"], project)

    assert resumed.returncode == 0, resumed.stdout + resumed.stderr
    assert (project / "CHANGELOG.md").read_text() == expected
    for text in FRAGMENTS.values():
        assert expected.count(text.strip()) == 1
    assert fragments_in_git(project) == ["changelog.d/.gitkeep"]
    assert not [path for path in FRAGMENTS if (project / path).exists()]
    assert git(project, "log", "--format=%s").splitlines() == ["Release 1.3.0", "Initial commit"]
    assert git(project, "status", "--porcelain") == ""


def test_allow_empty_changelog_lets_towncrier_write_its_empty_section(
    tmp_path: Path,
) -> None:
    files = {path: text for path, text in FILES.items() if path not in FRAGMENTS}
    root = make_project(tmp_path / "newsy", files)
    expected, _ = by_towncrier(root, tmp_path, "--yes")

    result = release_cli(root, "bump", "1.3.0", "--allow-empty-changelog")

    assert result.returncode == 0, result.stderr
    assert (root / "CHANGELOG.md").read_text() == expected
    assert "No significant changes." in expected


# --- bad input: one line and a hint, nothing changed ---------------------------------------


def _pinned_to_nothing(root: Path) -> None:
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(text.replace("towncrier>=24.7", "towncrier==0.0.1"))


def _unknown_type(root: Path) -> None:
    (root / "changelog.d/13.feature.md").write_text("A feature.\n")


def _no_fragments(root: Path) -> None:
    for path in FRAGMENTS:
        (root / path).unlink()


@pytest.mark.parametrize(
    ("change", "code", "error", "hint"),
    [
        (
            _pinned_to_nothing,
            2,
            "error: towncrier cannot be installed as pyproject.toml dependency group 'docs'"
            " pins it (towncrier==0.0.1): Because there is no version of towncrier==0.0.1",
            "hint: fix the towncrier requirement in pyproject.toml dependency group 'docs'",
        ),
        (
            _unknown_type,
            1,
            "error: changelog.d/13.feature.md: 'feature' is not a towncrier fragment type,"
            " so towncrier would leave this entry out",
            "hint: rename it to <issue>.<type>.md with a type of pyproject.toml's"
            " [tool.towncrier] (added, changed, fixed), or list it under ignore there",
        ),
        (
            _no_fragments,
            1,
            "error: changelog.d/: no news fragments, so the changelog of 1.3.0 would be empty",
            "hint: add one (e.g. changelog.d/123.added.md), or pass --allow-empty-changelog",
        ),
    ],
    ids=["not-installable", "unknown-type", "no-fragments"],
)
def test_bad_input_is_one_line_with_a_hint_and_changes_nothing(
    project: Path, change: Callable[[Path], None], code: int, error: str, hint: str
) -> None:
    change(project)
    git(project, "add", "-A")
    git(project, "commit", "-q", "-m", "The change")
    before = tree_state(project)

    exit_code, output = local_release(project, "1.3.0", "--execute")

    lines = output.splitlines()
    assert exit_code == code, output
    assert lines[0].startswith(error), output
    assert lines[1] == hint
    assert len(lines) == 2
    assert tree_state(project) == before
    assert git(project, "status", "--porcelain") == ""
    assert git(project, "tag") == ""


def test_generate_is_refused_where_towncrier_keeps_the_changelog(project: Path) -> None:
    result = release_cli(project, "bump", "1.3.0", "--changelog", "generate")

    assert result.returncode == 2
    assert result.stderr.splitlines()[0] == (
        "error: --changelog generate: towncrier builds this changelog from its fragments"
    )


# --- reading the configuration as towncrier does --------------------------------------------


ATTRS_SHAPE = """\
[project]
name = "attrs-shaped"

[tool.towncrier]
name = "attrs-shaped"
directory = "changelog.d"
filename = "CHANGELOG.md"
template = "changelog.d/towncrier_template.md.jinja"

[[tool.towncrier.section]]
path = ""

[[tool.towncrier.type]]
directory = "breaking"
name = "Backwards-incompatible Changes"

[[tool.towncrier.type]]
name = "Changes"
"""
PLUGGY_SHAPE = """\
[tool.towncrier]
package = "pluggyish"
package_dir = "src/pluggyish"
filename = "CHANGELOG.rst"
directory = "changelog/"
"""
NEWSFRAGMENTS_SHAPE = """\
[tool.poetry]
name = "poetryish"

[tool.towncrier]
package = "poetryish"

[tool.towncrier.fragment.feature]
[tool.towncrier.fragment.bugfix]
"""


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            ATTRS_SHAPE,
            towncrier_settings.Settings(
                config_file="pyproject.toml",
                name="attrs-shaped",
                news_file="CHANGELOG.md",
                single_file=True,
                fragment_dirs=("changelog.d",),
                types=("breaking", "changes"),
                ignored=(*towncrier_settings.NOT_FRAGMENTS, "towncrier_template.md.jinja"),
                inputs=(
                    "pyproject.toml",
                    "CHANGELOG.md",
                    "changelog.d",
                    "changelog.d/towncrier_template.md.jinja",
                ),
            ),
        ),
        (
            PLUGGY_SHAPE,
            towncrier_settings.Settings(
                config_file="pyproject.toml",
                name="Pluggyish",  # towncrier's name for a package: never imported
                news_file="CHANGELOG.rst",
                single_file=True,
                fragment_dirs=("changelog",),
                types=towncrier_settings.DEFAULT_TYPES,
                ignored=towncrier_settings.NOT_FRAGMENTS,
                inputs=("pyproject.toml", "CHANGELOG.rst", "changelog"),
            ),
        ),
        (
            NEWSFRAGMENTS_SHAPE,
            towncrier_settings.Settings(
                config_file="pyproject.toml",
                name="Poetryish",
                news_file="NEWS.rst",
                single_file=True,
                fragment_dirs=("poetryish/newsfragments",),
                types=("bugfix", "feature"),
                ignored=towncrier_settings.NOT_FRAGMENTS,
                inputs=("pyproject.toml", "NEWS.rst", "poetryish/newsfragments"),
            ),
        ),
    ],
    ids=["attrs", "pluggy", "newsfragments"],
)
def test_settings_are_read_as_towncrier_reads_them(
    tmp_path: Path, text: str, expected: towncrier_settings.Settings
) -> None:
    assert towncrier_settings.settings(tmp_path, tomllib.loads(text)) == expected


def test_towncrier_toml_comes_before_pyproject(tmp_path: Path) -> None:
    (tmp_path / "towncrier.toml").write_text('[tool.towncrier]\nfilename = "NEWS.md"\n')
    found = towncrier_settings.settings(tmp_path, tomllib.loads(ATTRS_SHAPE))
    assert found is not None
    assert (found.config_file, found.news_file) == ("towncrier.toml", "NEWS.md")
    assert towncrier_settings.settings(tmp_path / "elsewhere", {"project": {"name": "x"}}) is None


def test_the_changelog_key_defaults_to_towncriers_news_file(tmp_path: Path) -> None:
    text = '[project]\nname = "p"\nversion = "1.0.0"\n\n' + PLUGGY_SHAPE
    assert config.load_text(tmp_path, text).changelog == "CHANGELOG.rst"
    assert config.load_text(tmp_path, '[project]\nname = "p"\nversion = "1"\n').changelog == (
        "CHANGELOG.md"
    )


def test_a_changelog_key_that_is_not_towncriers_file_is_refused(tmp_path: Path) -> None:
    keyed = PYPROJECT.replace("[tool.release]\n", '[tool.release]\nchangelog = "HISTORY.md"\n')
    files = {**FILES, "pyproject.toml": keyed}
    root = make_project(tmp_path / "newsy", files)

    result = release_cli(root, "bump", "1.3.0", "--dry-run")

    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "error: [tool.release] changelog = 'HISTORY.md', but towncrier writes CHANGELOG.md",
        'hint: set changelog = "CHANGELOG.md" in [tool.release], or leave the key out',
    ]


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"pyproject.toml": "[dependency-groups]\ndocs = ['sphinx', 'towncrier==24.8.0']\n"},
            towncrier.Pin("towncrier==24.8.0", "pyproject.toml dependency group 'docs'"),
        ),
        (
            {
                "pyproject.toml": "[project.optional-dependencies]\n"
                "docs = ['towncrier>=23; python_version>\"3.8\"']\n"
            },
            towncrier.Pin("towncrier>=23", "pyproject.toml extra 'docs'"),
        ),
        (
            {"pyproject.toml": "", "docs/requirements.txt": "sphinx\nTowncrier ~= 24.7  # news\n"},
            towncrier.Pin("Towncrier~=24.7", "docs/requirements.txt"),
        ),
        (
            {"pyproject.toml": "[dependency-groups]\ndocs = ['sphinx']\n"},
            towncrier.Pin("towncrier"),
        ),
    ],
    ids=["group", "extra", "requirements-file", "latest"],
)
def test_towncrier_is_installed_as_the_project_pins_it(
    tmp_path: Path, files: dict[str, str], expected: towncrier.Pin
) -> None:
    for relative, text in files.items():
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relative).write_text(
            '[project]\nname = "p"\nversion = "1.0.0"\n' + text
            if relative == "pyproject.toml"
            else text
        )
    assert towncrier.pin(config.load(tmp_path)) == expected


def test_the_check_gate_from_the_readme_fails_without_a_fragment(project: Path) -> None:
    """The README's gate row: `towncrier check` against the release branch."""
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    start = readme.index("[tool.release.gates.changelog]")
    row = readme[start : readme.index("```", start)]
    gate = tomllib.loads(row)["tool"]["release"]["gates"]["changelog"]
    assert gate["run"] == ["towncrier check --compare-with origin/main"]
    argv = [str(towncrier_python(project)), "-m", *gate["run"][0].split()]
    git(project, "switch", "-q", "-c", "feature")
    (project / "newsy/__init__.py").write_text('"""Newsy, changed."""\n')
    git(project, "commit", "-qam", "A change without a fragment")

    assert run(argv, project).returncode == 1
    (project / "changelog.d/20.added.md").write_text("A fragment.\n")
    git(project, "add", "-A")
    git(project, "commit", "-qm", "Its fragment")
    assert run(argv, project).returncode == 0
