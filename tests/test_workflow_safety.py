"""Adoption never overwrites a workflow release-parity did not generate.

Hand-written workflows stay byte-identical; the generated ones take free paths and names;
`init --replace-workflows` is the only way over a hand-written file; a workflow that
already publishes on tags is named, and the release then waits for it instead of
publishing the tag a second time.
"""

from __future__ import annotations

import hashlib
import textwrap
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import git, release_cli, tree_state
from e2e.github_api import FakeGitHub, completed, serve, waiting

from release import config, github, project_workflows, workflows
from release.errors import ConfigError

PYPROJECT = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "shipit"
version = "1.4.0"
requires-python = ">=3.11"

[project.optional-dependencies]
dev = ["pytest"]
"""
CHANGELOG = "# Changelog\n\n## [Unreleased]\n\n## [1.4.0] - 2026-01-02\n\n- First.\n"

TESTS_CI = """\
name: ci
on:
  push:
    branches: [main]
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -e .[dev]
      - run: pytest -q
"""
GITHUB_RELEASE = """\
name: Release
on:
  push:
    tags: ["v*"]
jobs:
  notes:
    runs-on: ubuntu-latest
    steps:
      - run: gh release create "$GITHUB_REF_NAME" --generate-notes
"""
PUBLISH = """\
name: Publish
on:
  push:
    tags: ["*"]
jobs:
  pypi:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: actions/download-artifact@v4
      - uses: pypa/gh-action-pypi-publish@76f52bc884231f62b9a034ebfe128415bbaabdfc # v1.12.4
"""


RENAMED_CI = ".github/workflows/release-parity-ci.yml"
RENAMED_RELEASE = ".github/workflows/release-parity-release.yml"


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    """A small hatchling project with a changelog and the given workflows, committed."""
    root = tmp_path / "shipit"
    every = {
        "pyproject.toml": PYPROJECT,
        "CHANGELOG.md": CHANGELOG,
        "src/shipit/__init__.py": '"""Ship it."""\n',
        "tests/test_shipit.py": "def test_import() -> None:\n    import shipit  # noqa: F401\n",
        **files,
    }
    for path, text in every.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "Initial commit")
    return root


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def release_table(root: Path) -> dict[str, Any]:
    table: dict[str, Any] = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["release"]
    return table


def workflow_keys(root: Path) -> dict[str, str]:
    """The generated workflows' paths in [tool.release.ci] (its other keys are the gates')."""
    ci = release_table(root).get("ci", {})
    return {key: ci[key] for key in ("ci-file", "release-file") if key in ci}


def notes(stderr: str) -> list[str]:
    return [line.removeprefix("note: ") for line in stderr.splitlines()]


def generated_workflows(root: Path) -> list[str]:
    return sorted(
        p.name for p in project_workflows.paths(root) if workflows.generated(p.read_text())
    )


def assert_parity_passes(root: Path, said: str) -> None:
    parity = release_cli(root, "parity")
    assert parity.returncode == 0, parity.stderr
    assert parity.stdout == f"parity: {said} the flags table\n"


# --- init --------------------------------------------------------------------------------


def test_hand_written_ci_and_release_stay_byte_identical(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {".github/workflows/ci.yml": TESTS_CI, ".github/workflows/release.yml": GITHUB_RELEASE},
    )
    theirs = {name: sha256(root / ".github/workflows" / name) for name in ("ci.yml", "release.yml")}

    shown = release_cli(root, "init")
    assert shown.returncode == 0, shown.stderr
    assert "+++ b/.github/workflows/release-parity-ci.yml" in shown.stdout
    assert "a/.github/workflows/ci.yml" not in shown.stdout
    assert (
        ".github/workflows/ci.yml: hand-written, kept as it is; the generated workflow is"
        " .github/workflows/release-parity-ci.yml ([tool.release.ci] ci-file)"
    ) in notes(shown.stderr)

    written = release_cli(root, "init", "--write")
    assert written.returncode == 0, written.stderr
    assert {name: sha256(root / ".github/workflows" / name) for name in theirs} == theirs
    assert workflow_keys(root) == {
        "ci-file": ".github/workflows/release-parity-ci.yml",
        "release-file": ".github/workflows/release-parity-release.yml",
    }
    assert generated_workflows(root) == ["release-parity-ci.yml", "release-parity-release.yml"]
    names = {
        yaml.safe_load((root / ".github/workflows" / name).read_text())["name"]
        for name in generated_workflows(root)
    }
    assert names == {"release-parity-ci", "release-parity-release"}  # never "ci" twice
    assert_parity_passes(root, f"{RENAMED_CI} and {RENAMED_RELEASE} match")

    after = tree_state(root)
    again = release_cli(root, "init", "--write")
    assert again.returncode == 0, again.stderr
    assert "already adopted here: nothing to change" in again.stdout
    assert tree_state(root) == after


def test_a_workflow_name_is_taken_like_a_path(tmp_path: Path) -> None:
    """`tests.yml` named "ci" and a `release.yaml`: neither name nor stem is reused."""
    root = project(
        tmp_path,
        {".github/workflows/tests.yml": TESTS_CI, ".github/workflows/release.yaml": GITHUB_RELEASE},
    )
    assert release_cli(root, "init", "--write").returncode == 0
    assert generated_workflows(root) == ["release-parity-ci.yml", "release-parity-release.yml"]
    assert_parity_passes(root, f"{RENAMED_CI} and {RENAMED_RELEASE} match")


def test_defaults_are_used_when_free_and_no_key_is_written(tmp_path: Path) -> None:
    root = project(tmp_path, {".github/workflows/tests.yml": TESTS_CI.replace("name: ci", "")})
    assert release_cli(root, "init", "--write").returncode == 0
    assert generated_workflows(root) == ["ci.yml", "release.yml"]
    assert workflow_keys(root) == {}
    assert "publish" not in release_table(root)


def test_a_tag_publishing_workflow_is_named_and_keeps_publishing(tmp_path: Path) -> None:
    root = project(
        tmp_path, {".github/workflows/ci.yml": TESTS_CI, ".github/workflows/publish.yml": PUBLISH}
    )
    before = {p.name: sha256(p) for p in project_workflows.paths(root)}

    written = release_cli(root, "init", "--write")
    assert written.returncode == 0, written.stderr
    assert (
        ".github/workflows/publish.yml publishes on push: tags (pypa/gh-action-pypi-publish):"
        ' it keeps publishing. [tool.release.publish] where = "external": no release workflow'
        " is generated (it would publish the same tag a second time); a release pushes the tag,"
        " waits for publish.yml's run and verifies the index. To let release-parity publish"
        ' instead: delete publish.yml and set where = "ci"'
    ) in notes(written.stderr)
    assert release_table(root)["publish"] == {
        "where": "external",
        "workflow": ".github/workflows/publish.yml",
        "pre-release": "pypi",
    }
    assert {name: sha256(root / ".github/workflows" / name) for name in before} == before
    assert generated_workflows(root) == ["release-parity-ci.yml"]  # no second publisher
    assert_parity_passes(root, ".github/workflows/release-parity-ci.yml matches")

    after = tree_state(root)
    assert release_cli(root, "init", "--write").returncode == 0
    assert tree_state(root) == after


def test_a_workflow_run_by_a_github_release_is_named_with_that_step(tmp_path: Path) -> None:
    on_release = PUBLISH.replace('push:\n    tags: ["*"]', "release:\n    types: [published]")
    root = project(tmp_path, {".github/workflows/publish.yml": on_release})
    shown = release_cli(root, "init")
    assert shown.returncode == 0, shown.stderr
    (note,) = [line for line in notes(shown.stderr) if "publishes on" in line]
    assert note.startswith(
        ".github/workflows/publish.yml publishes on release: published"
        " (pypa/gh-action-pypi-publish): it keeps publishing."
    )
    assert note.endswith(
        "; if it uploads only for a published GitHub Release, publish one for each tag as today"
        " (verify waits for the index)"
    )


def test_an_existing_table_that_publishes_too_is_told_so(tmp_path: Path) -> None:
    root = project(tmp_path, {})
    assert release_cli(root, "init", "--write").returncode == 0
    (root / ".github/workflows/publish.yml").write_text(PUBLISH)
    shown = release_cli(root, "init")
    assert shown.returncode == 0, shown.stderr
    assert (
        ".github/workflows/publish.yml publishes on push: tags (pypa/gh-action-pypi-publish):"
        " release-parity's .github/workflows/release.yml publishes the same tag a second time:"
        ' delete publish.yml, or set [tool.release.publish] where = "external" and workflow ='
        ' ".github/workflows/publish.yml"'
    ) in notes(shown.stderr)


def test_replace_workflows_replaces_only_the_files_at_the_generated_paths(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {
            ".github/workflows/ci.yml": TESTS_CI,
            ".github/workflows/release.yml": PUBLISH,
            ".github/workflows/docs.yml": GITHUB_RELEASE.replace("Release", "Docs"),
        },
    )
    docs = sha256(root / ".github/workflows/docs.yml")
    before = tree_state(root)

    shown = release_cli(root, "init", "--replace-workflows")
    assert shown.returncode == 0, shown.stderr
    assert "--- a/.github/workflows/ci.yml" in shown.stdout
    assert "-      - run: pytest -q" in shown.stdout
    assert "--- a/.github/workflows/release.yml" in shown.stdout
    assert (
        "replacing hand-written .github/workflows/release.yml (--replace-workflows): its whole"
        " diff follows; it publishes on push: tags (pypa/gh-action-pypi-publish): from now on"
        " release-parity's .github/workflows/release.yml publishes the tag"
    ) in notes(shown.stderr)
    assert tree_state(root) == before  # shown, not written

    written = release_cli(root, "init", "--write", "--replace-workflows")
    assert written.returncode == 0, written.stderr
    assert generated_workflows(root) == ["ci.yml", "release.yml"]
    assert sha256(root / ".github/workflows/docs.yml") == docs
    assert workflow_keys(root) == {}
    assert "publish" not in release_table(root)  # release.yml publishes now: no "external"
    assert_parity_passes(root, ".github/workflows/ci.yml and .github/workflows/release.yml match")


# --- parity ------------------------------------------------------------------------------


def test_parity_never_overwrites_a_hand_written_file_at_a_generated_path(tmp_path: Path) -> None:
    root = project(tmp_path, {})
    assert release_cli(root, "init", "--write").returncode == 0
    (root / ".github/workflows/ci.yml").write_text(TESTS_CI)
    hint = (
        'hint: set [tool.release.ci] ci-file = ".github/workflows/release-parity-ci.yml" to'
        " generate beside it, or replace it on purpose: python -m release init"
        " --replace-workflows"
    )

    checked = release_cli(root, "parity")
    assert checked.returncode == 1
    assert checked.stderr.splitlines()[:2] == [
        "error: the workflows do not match the flags table: .github/workflows/ci.yml",
        hint,
    ]

    before = tree_state(root)
    refused = release_cli(root, "parity", "--write")
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[:2] == [
        "error: .github/workflows/ci.yml: hand-written (no release-parity header), never"
        " overwritten; nothing was written",
        hint,
    ]
    assert tree_state(root) == before


def test_a_generated_file_the_table_no_longer_produces_is_reported_then_removed(
    tmp_path: Path,
) -> None:
    root = project(tmp_path, {})
    assert release_cli(root, "init", "--write").returncode == 0
    (root / ".github/workflows/publish.yml").write_text(PUBLISH)
    pyproject = root / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text()
        + '\n[tool.release.publish]\nwhere = "external"\n'
        + 'workflow = ".github/workflows/publish.yml"\n'
    )

    checked = release_cli(root, "parity")
    assert checked.returncode == 1
    assert (
        ".github/workflows/release.yml was generated, and the table no longer produces it:"
        " `nox -s parity -- --write` removes it"
    ) in checked.stderr

    written = release_cli(root, "parity", "--write")
    assert written.returncode == 0, written.stderr
    assert written.stdout.splitlines() == [
        "removed .github/workflows/release.yml (generated; the table no longer produces it)"
    ]
    assert (root / ".github/workflows/publish.yml").read_text() == PUBLISH
    assert_parity_passes(root, ".github/workflows/ci.yml matches")


# --- what counts as publishing on a tag ------------------------------------------------------


def workflow(text: str, tmp_path: Path, files: dict[str, str] | None = None) -> Any:
    root = tmp_path / "project"
    for path, content in {
        ".github/workflows/w.yml": textwrap.dedent(text),
        **(files or {}),
    }.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(content)
    (found,) = project_workflows.read(root)
    return found


STEP_PYPA = "steps: [{uses: pypa/gh-action-pypi-publish@release/v1}]"


@pytest.mark.parametrize(
    ("text", "triggers", "publishers"),
    [
        (
            f"on:\n  push:\n    tags: ['*']\njobs:\n  p:\n    {STEP_PYPA}\n",
            ("push: tags",),
            ("pypa/gh-action-pypi-publish",),
        ),
        (
            f"on: push\njobs:\n  p:\n    {STEP_PYPA}\n",
            ("push: tags",),
            ("pypa/gh-action-pypi-publish",),
        ),
        (
            f"on: [push, pull_request]\njobs:\n  p:\n    {STEP_PYPA}\n",
            ("push: tags",),
            ("pypa/gh-action-pypi-publish",),
        ),
        (
            "on:\n  push:\n    paths: ['src/**']\njobs:\n  p:\n    steps:\n"
            "      - run: pipx run twine upload dist/*\n",
            ("push: tags",),
            ("twine upload",),
        ),
        (
            "on:\n  release:\n    types: [published]\njobs:\n  p:\n    steps:\n"
            "      - run: |\n          uv build\n"
            "          uv publish --trusted-publishing always\n",
            ("release: published",),
            ("uv publish",),
        ),
        (
            "on:\n  push:\n    tags: ['*.*.*']\njobs:\n  p:\n    steps:\n"
            "      - run: poetry publish\n"
            "      - run: poetry  publish --build\n",
            ("push: tags",),
            ("poetry publish",),
        ),
        (
            "on:\n  push:\n    tags: ['**']\njobs:\n  p:\n    steps:\n"
            "      - uses: PyO3/maturin-action@v1\n        with: {command: upload, args: dist/*}\n",
            ("push: tags",),
            ("PyO3/maturin-action",),
        ),
        (
            "on:\n  push:\n    tags: ['*']\njobs:\n  p:\n    steps:\n"
            '      - run: "scripts/publish"\n',
            ("push: tags",),
            ("twine upload in scripts/publish",),
        ),
        # what does not publish a tag: a branch-only push, a release draft, no upload step
        (
            f"on:\n  push:\n    branches: [main]\njobs:\n  p:\n    {STEP_PYPA}\n",
            (),
            ("pypa/gh-action-pypi-publish",),
        ),
        (
            f"on:\n  release:\n    types: [drafted]\njobs:\n  p:\n    {STEP_PYPA}\n",
            (),
            ("pypa/gh-action-pypi-publish",),
        ),
        (
            "on:\n  push:\n    tags: ['*']\njobs:\n  p:\n    steps:\n"
            "      - uses: PyO3/maturin-action@v1\n        with: {command: build}\n"
            "      - run: echo twine-upload && uv build\n",
            ("push: tags",),
            (),
        ),
    ],
)
def test_what_publishes_on_a_tag(
    text: str, triggers: tuple[str, ...], publishers: tuple[str, ...], tmp_path: Path
) -> None:
    script = {"scripts/publish": "#!/bin/sh -e\n${PREFIX}twine upload dist/*\nmkdocs gh-deploy\n"}
    found = workflow(text, tmp_path, script)
    assert (found.triggers, found.publishers) == (triggers, publishers)
    assert found.publishes_tags == bool(triggers and publishers)


def test_an_unreadable_workflow_is_still_theirs(tmp_path: Path) -> None:
    """Not YAML: not read for publishing, but its path is still taken."""
    found = workflow("on: [push\njobs: {\n", tmp_path)
    assert (found.generated, found.publishes_tags) == (False, False)
    free = project_workflows.free_path(".github/workflows/w.yml", [found])
    assert free == ".github/workflows/release-parity-w.yml"


@pytest.mark.parametrize(
    ("theirs", "free"),
    [
        ({}, ".github/workflows/ci.yml"),
        ({"ci.yml": "name: Tests\n"}, ".github/workflows/release-parity-ci.yml"),
        ({"ci.yaml": "on: push\n"}, ".github/workflows/release-parity-ci.yml"),
        ({"tests.yml": "name: CI\n"}, ".github/workflows/release-parity-ci.yml"),
        (
            {"ci.yml": "name: x\n", "release-parity-ci.yml": "name: y\n"},
            ".github/workflows/release-parity-ci-2.yml",
        ),
        ({"ci.yml": workflows.HEADER + "name: ci\n"}, ".github/workflows/ci.yml"),  # ours
    ],
)
def test_free_path(theirs: dict[str, str], free: str, tmp_path: Path) -> None:
    folder = tmp_path / ".github/workflows"
    folder.mkdir(parents=True)
    for name, text in theirs.items():
        (folder / name).write_text(text)
    found = project_workflows.read(tmp_path)
    assert project_workflows.free_path(workflows.CI_FILE, found) == free


# --- configuration -------------------------------------------------------------------------


def load(tmp_path: Path, table: str) -> config.Config:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT + table)
    return config.load(tmp_path)


def test_external_generates_no_release_workflow(tmp_path: Path) -> None:
    loaded = load(
        tmp_path,
        '[tool.release.publish]\nwhere = "external"\nworkflow = ".github/workflows/publish.yml"\n'
        '[tool.release.ci]\nci-file = ".github/workflows/gates.yaml"\n',
    )
    generated = workflows.generate(loaded, ())
    assert list(generated) == [".github/workflows/gates.yaml", ".github/release-parity.txt"]
    assert yaml.safe_load(generated[".github/workflows/gates.yaml"])["name"] == "gates"
    assert loaded.publish.on_tag


@pytest.mark.parametrize(
    ("table", "error"),
    [
        (
            '[tool.release.publish]\nwhere = "external"\n',
            "[tool.release.publish] where = 'external' names no workflow",
        ),
        (
            '[tool.release.publish]\nwhere = "elsewhere"\n',
            "[tool.release.publish] where = 'elsewhere' is not 'ci', 'local' or 'external'",
        ),
        (
            '[tool.release.ci]\nci-file = "ci.yml"\n',
            "[tool.release.ci] ci-file = 'ci.yml' is not a workflow file",
        ),
        (
            '[tool.release.publish]\nwhere = "external"\nworkflow = ".github/publish.yml"\n',
            "[tool.release.publish] workflow = '.github/publish.yml' is not a workflow file",
        ),
        (
            '[tool.release.ci]\nrelease-file = ".github/workflows/ci.yml"\n',
            "[tool.release.ci] ci-file and release-file are both .github/workflows/ci.yml",
        ),
    ],
)
def test_bad_workflow_keys(table: str, error: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, table)
    assert caught.value.message == f"{tmp_path / 'pyproject.toml'}: {error}"


# --- the release waits for the workflow that publishes ---------------------------------------

SLUG = "acme/shipit"
SHA = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def api() -> Iterator[FakeGitHub]:
    yield from serve()


def test_the_publish_wait_watches_only_the_publishing_workflow(api: FakeGitHub) -> None:
    api.add_run(SLUG, SHA, "v1.4.1", "Publish", completed("success", pypi="success"))
    api.add_run(SLUG, SHA, "v1.4.1", "Docs", waiting("in_progress", deploy="in_progress"))
    client = github.Client(SLUG, api=api.url, deadline=time.monotonic() + 5)
    note = github.wait_for_runs(
        client,
        SHA,
        "v1.4.1",
        poll=0.01,
        what="release workflow",
        workflow=".github/workflows/publish.yml",
    )
    assert note == f"release workflow passed on {SHA[:12]}: Publish"
