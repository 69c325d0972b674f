"""Bad input: one `error:` line (plus a hint), the right exit code, and nothing changed.

Each case edits a fresh copy of the realistic fixture (committing the edit when the
case is about configuration, so the tree is clean), runs a command as a user would,
and checks the first stderr line, the exit code, `git status --porcelain` and the
hash of every file.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import git, make_repo, release_cli, run, tool, tree_state

from release.errors import UsageError
from release.graph import Step, order, select


def edit(relative: str, old: str, new: str, commit: bool = True) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        path = root / relative
        text = path.read_text(encoding="utf-8")
        assert old in text, f"fixture changed: {old!r} not in {relative}"
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        if commit:
            git(root, "commit", "-qam", f"edit {relative}")

    return apply


def shell(*commands: list[str]) -> Callable[[Path], None]:
    def apply(root: Path) -> None:
        for argv in commands:
            git(root, *argv)

    return apply


def latin1_version_file(root: Path) -> None:
    path = root / "enforcecore/telemetry/instrumentor.py"
    path.write_bytes(path.read_bytes() + "# café\n".encode("latin-1"))
    git(root, "commit", "-qam", "latin-1")


def read_only_version_file(root: Path) -> None:
    path = root / "CITATION.cff"
    path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)


def no_changelog(root: Path) -> None:
    git(root, "rm", "-q", "CHANGELOG.md")
    git(root, "commit", "-qm", "no changelog")


def no_pyproject(root: Path) -> None:
    git(root, "rm", "-q", "pyproject.toml")
    git(root, "commit", "-qm", "no pyproject")


@dataclass(frozen=True)
class Case:
    id: str
    args: tuple[str, ...]
    error: str
    exit_code: int
    setup: Callable[[Path], None] | None = None
    hint: str = ""


TOOL = '[tool.release]\npackage = "enforcecore"\n'
VERSION_FILES = '  "enforcecore/telemetry/instrumentor.py:_SCOPE_VERSION",\n'
UNRELEASED = "### Added\n- `Enforcer.audit()` records every decision.\n\n### Fixed\n"
UNRELEASED += "- Telemetry scope version now follows the package version.\n\n"

CASES = [
    Case("not-pep440", ("bump", "1.0.x"), "error: '1.0.x' is not a PEP 440 version", 2,
         hint="use e.g. 1.0.23"),
    Case("downgrade", ("bump", "1.0.21"), "error: 1.0.21 is older than the current 1.0.22", 2,
         hint="give a version greater than 1.0.22, e.g. 1.0.23"),
    Case("same-version", ("release", "1.0.22"), "error: 1.0.22 is the current version", 2),
    Case("unknown-config-key", ("bump", "1.0.23a1"),
         "error: {root}/pyproject.toml: unknown key 'tag_format' in [tool.release]", 2,
         edit("pyproject.toml", TOOL, TOOL + 'tag_format = "v{version}"\n'),
         hint="did you mean 'tag-format'?"),
    Case("wrong-type", ("release", "1.0.23a1"),
         "error: {root}/pyproject.toml: [tool.release] branch must be a string, not int", 2,
         edit("pyproject.toml", TOOL, TOOL + "branch = 1\n")),
    Case("missing-version-file", ("bump", "1.0.23a1"),
         "error: docs/conf.py: version file not found", 2,
         edit("pyproject.toml", VERSION_FILES, VERSION_FILES + '  "docs/conf.py:release",\n')),
    Case("locator-matches-nothing", ("bump", "1.0.23a1"),
         "error: enforcecore/__init__.py:__release__: assignment to __release__ matches nothing;"
         " it must match exactly once", 2,
         edit("pyproject.toml", "__init__.py:__version__", "__init__.py:__release__")),
    Case("regex-matches-twice", ("bump", "1.0.23a1"),
         "error: enforcecore/telemetry/instrumentor.py ~ /\"(?P<version>[0-9.]+)\"/: pattern"
         " /\"(?P<version>[0-9.]+)\"/ matches 2 places (lines 2, 3); it must match exactly once",
         2,
         edit("pyproject.toml", VERSION_FILES,
              """  { path = "enforcecore/telemetry/instrumentor.py", """
              """pattern = '"(?P<version>[0-9.]+)"' },\n""")),
    Case("files-disagree", ("release", "1.0.23a1"),
         "error: the version files disagree (1.0.21, 1.0.22)", 1,
         edit("CITATION.cff", 'version: "1.0.22"', 'version: "1.0.21"'),
         hint="set them all to the released version by hand"),
    Case("no-unreleased-section", ("bump", "1.0.23a1"),
         "error: CHANGELOG.md: no Unreleased section and nothing written for 1.0.23a1", 1,
         edit("CHANGELOG.md", "## [Unreleased]\n\n" + UNRELEASED, "")),
    Case("no-changelog-file", ("bump", "1.0.23a1"),
         "error: CHANGELOG.md: no changelog here", 2, no_changelog,
         hint="or set changelog = \"\""),
    Case("empty-unreleased", ("bump", "1.0.23a1"),
         "error: CHANGELOG.md: the Unreleased section is empty", 1,
         edit("CHANGELOG.md", UNRELEASED, "### Added\n\n"),
         hint="or pass --allow-empty-changelog"),
    Case("dirty-tree", ("release", "1.0.23a1"),
         "error: not ready to release: 1 problem", 1,
         edit("README.md", "Policy", "Polcy", commit=False)),
    Case("wrong-branch", ("release", "1.0.23a1"),
         "error: not ready to release: 1 problem", 1, shell(["switch", "-q", "-c", "feature"])),
    Case("detached-head", ("release", "1.0.23a1"),
         "error: not ready to release: 1 problem", 1, shell(["switch", "-q", "--detach"])),
    Case("existing-tag", ("release", "1.0.23a1"),
         "error: not ready to release: 1 problem", 1,
         shell(["tag", "-a", "v1.0.23a1", "-m", "early"])),
    Case("malformed-toml", ("release", "1.0.23a1"),
         "error: {root}/pyproject.toml: not valid TOML: ", 2,
         edit("pyproject.toml", '[project]\nname = "', '[project\nname = "'),
         hint="fix the syntax"),
    Case("unknown-keyword", ("bump", "huge"), "error: unknown bump keyword 'huge'", 2,
         hint="give a PEP 440 version or one of: major, minor, patch"),
    Case("final-of-a-final", ("bump", "final"),
         "error: 1.0.22 is already a final release", 2, hint="use patch, minor or major"),
    Case("not-utf8", ("bump", "1.0.23a1"),
         "error: enforcecore/telemetry/instrumentor.py: not UTF-8 text (byte ", 2,
         latin1_version_file),
    Case("read-only-file", ("bump", "1.0.23a1"),
         "error: CITATION.cff: not writable", 1, read_only_version_file,
         hint="chmod u+w"),
    Case("no-version-given", ("release",), "error: no version given", 2),
    Case("unknown-option", ("release", "1.0.23a1", "--excute"),
         "error: python -m release release: unrecognized arguments: --excute", 2),
    Case("tag-format-without-version", ("release", "1.0.23a1"),
         "error: {root}/pyproject.toml: [tool.release] tag-format 'v' must contain {version}"
         " once", 2,
         edit("pyproject.toml", TOOL, TOOL + 'tag-format = "v"\n')),
    Case("missing-pyproject", ("release", "1.0.23a1"),
         "error: {root}/pyproject.toml: no pyproject.toml here", 2, no_pyproject),
    Case("publish-where-typo", ("release", "1.0.23a1"),
         "error: {root}/pyproject.toml: [tool.release.publish] where = 'cloud' is not 'ci',"
         " 'local' or 'external'", 2,
         edit("pyproject.toml", 'where = "local"', 'where = "cloud"')),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_is_one_error_line_and_changes_nothing(case: Case, tmp_path: Path) -> None:
    root = make_repo("realistic", tmp_path / "project")
    if case.setup:
        case.setup(root)
    status_before = run(["git", "status", "--porcelain"], root).stdout
    files_before = tree_state(root)
    refs_before = git(root, "show-ref")

    result = release_cli(root, *case.args)

    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("error: ")]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith(case.error.replace("{root}", str(root))), result.stderr
    assert result.returncode == case.exit_code, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    if case.hint:
        assert any(line.startswith("hint: ") and case.hint in line for line in lines)
    assert run(["git", "status", "--porcelain"], root).stdout == status_before
    assert tree_state(root) == files_before
    assert git(root, "show-ref") == refs_before


def test_preflight_reports_every_problem_at_once(project: Path) -> None:
    git(project, "tag", "-a", "v1.0.23a1", "-m", "early")
    git(project, "switch", "-q", "-c", "feature")
    (project / "README.md").write_text("changed\n")
    result = release_cli(project, "release", "1.0.23a1")
    assert result.returncode == 1
    assert "error: not ready to release: 3 problems" in result.stderr
    assert "on branch 'feature', releases are made from 'main'" in result.stderr
    assert "uncommitted changes: README.md" in result.stderr
    assert "tag v1.0.23a1 already exists" in result.stderr


def test_debug_shows_the_traceback(project: Path) -> None:
    result = release_cli(project, "bump", "1.0.x", "--debug")
    assert result.returncode == 2
    assert "Traceback" in result.stderr
    assert "error: '1.0.x' is not a PEP 440 version" in result.stderr


def test_nox_and_invoke_report_bad_input_the_same_way(project: Path) -> None:
    nox = run([tool("nox"), "-s", "bump", "--", "1.0.x"], project)
    invoke = run([tool("invoke"), "bump", "--version", "1.0.x"], project)
    for result in (nox, invoke):
        assert result.returncode == 2
        assert "error: '1.0.x' is not a PEP 440 version" in result.stderr
        assert "Traceback" not in result.stderr


def steps(*edges: tuple[str, tuple[str, ...]]) -> list[Step]:
    return [Step(name, name, lambda context: [], requires) for name, requires in edges]


def test_a_step_cycle_is_named() -> None:
    with pytest.raises(UsageError) as caught:
        order(steps(("build", ("bump",)), ("bump", ("tag",)), ("tag", ("build",))))
    assert caught.value.message == "the steps form a cycle: build -> bump -> tag -> build"
    assert caught.value.exit_code == 2


def test_an_unknown_step_is_named() -> None:
    with pytest.raises(UsageError) as caught:
        select(steps(("build", ()), ("bump", ())), ["biuld"])
    assert caught.value.message == "unknown step 'biuld'"
    assert caught.value.hint == "known steps: build, bump"
    with pytest.raises(UsageError, match="step 'tag' requires unknown step 'push'"):
        order(steps(("tag", ("push",))))


def test_root_can_not_write_a_read_only_file_either(project: Path) -> None:
    """The read-only case holds for root too: the write bit is what is checked."""
    read_only_version_file(project)
    assert os.access(project / "pyproject.toml", os.W_OK)
    result = release_cli(project, "bump", "1.0.23a1")
    assert "error: CITATION.cff: not writable" in result.stderr
