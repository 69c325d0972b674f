"""`changelog`: Keep a Changelog sections from the commits, merged without losing a line."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import release_cli, run, tool, tree_state
from test_commits import SPEC_EXAMPLES, commit, init_project

from release.changelog_gen import Links, links_for

GITHUB = "https://github.com/acme/widget"
NOXFILE = "from release.adapters.nox_sessions import register\n\nregister()\n"


def add_remote(root: Path, url: str) -> None:
    subprocess.run(["git", "remote", "add", "origin", url], cwd=root, check=True)


def changelog(root: Path, *args: str) -> str:
    result = release_cli(root, "changelog", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_specification_examples_render_by_section(tmp_path: Path) -> None:
    root = init_project(tmp_path / "p", tag="v1.0.0")
    add_remote(root, "git@github.com:acme/widget.git")
    sha = {name: commit(root, message) for name, message in SPEC_EXAMPLES.items()}

    def ref(name: str) -> str:
        return f"[{sha[name][:7]}]({GITHUB}/commit/{sha[name]})"

    assert changelog(root) == (
        "## [Unreleased]\n\n"
        "### Breaking changes\n\n"
        "- allow provided config object to extend other configs"
        f" ({ref('description and breaking change footer')})\n"
        "  `extends` key in config file is now used for extending other config files\n"
        "- send an email to the customer when a product is shipped"
        f" ({ref('! to draw attention to breaking change')})\n"
        "- **api:** send an email to the customer when a product is shipped"
        f" ({ref('scope and ! to draw attention to breaking change')})\n"
        f"- drop support for Node 6 ({ref('both ! and BREAKING CHANGE footer')})\n"
        "  use JavaScript features not available in Node 6.\n\n"
        "### Added\n\n"
        f"- **lang:** add Polish language ({ref('scope')})\n\n"
        "### Fixed\n\n"
        f"- prevent racing of requests ({ref('multi-paragraph body and multiple footers')},"
        f" refs [#123]({GITHUB}/issues/123))\n\n"
        "### Reverted\n\n"
        "- let us never again speak of the noodle incident"
        f" ({ref('revert (FAQ)')}, reverts 676104e, reverts a215868)\n\n"
        "### Documentation\n\n"
        f"- correct spelling of CHANGELOG ({ref('no body')})\n\n"
    )
    assert release_cli(root, "next").stdout == "2.0.0\n"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/acme/widget.git", Links(f"{GITHUB}/commit/", f"{GITHUB}/issues/")),
        ("git@github.com:acme/widget", Links(f"{GITHUB}/commit/", f"{GITHUB}/issues/")),
        ("ssh://git@github.com/acme/widget.git", Links(f"{GITHUB}/commit/", f"{GITHUB}/issues/")),
        (  # a token in the URL is never carried into the links
            "https://x-access-token:ghs_SECRET@github.com/acme/widget.git",
            Links(f"{GITHUB}/commit/", f"{GITHUB}/issues/"),
        ),
        (
            "git@gitlab.com:group/sub/widget.git",
            Links(
                "https://gitlab.com/group/sub/widget/-/commit/",
                "https://gitlab.com/group/sub/widget/-/issues/",
            ),
        ),
        (
            "https://gitlab.example.org:8443/team/widget",
            Links(
                "https://gitlab.example.org/team/widget/-/commit/",
                "https://gitlab.example.org/team/widget/-/issues/",
            ),
        ),
        ("https://bitbucket.org/acme/widget.git", None),
        ("/srv/git/widget.git", None),
    ],
)
def test_links_for_remotes(url: str, expected: Links | None) -> None:
    assert links_for(url) == expected


HAND_WRITTEN = (
    "# Changelog\n\n"
    "## [Unreleased]\n\n"
    "### Fixed\n\n"
    "- A hand-written note about the parser.\n\n"
    "### Notes\n\n"
    "Upgrade with care.\n\n"
    "## [1.0.0] - 2024-03-01\n\n"
    "### Added\n\n"
    "- First release.\n"
)


def test_write_merges_without_touching_hand_written_lines(tmp_path: Path) -> None:
    root = init_project(tmp_path / "p", tag="v1.0.0")
    (root / "CHANGELOG.md").write_text(HAND_WRITTEN, encoding="utf-8")
    fix = commit(root, "fix(parser): handle tabs\n\nFixes #9")
    feat = commit(root, "feat: new option")
    chore = commit(root, "chore: tidy")

    result = release_cli(root, "changelog", "--write")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "note: CHANGELOG.md: 2 entries added under Unreleased\n"
    expected = (
        "# Changelog\n\n"
        "## [Unreleased]\n\n"
        "### Fixed\n\n"
        "- A hand-written note about the parser.\n"
        f"- **parser:** handle tabs ({fix[:7]}, fixes #9)\n\n"
        "### Notes\n\n"
        "Upgrade with care.\n\n"
        "### Added\n\n"
        f"- new option ({feat[:7]})\n\n"
        "## [1.0.0] - 2024-03-01\n\n"
        "### Added\n\n"
        "- First release.\n"
    )
    assert (root / "CHANGELOG.md").read_text(encoding="utf-8") == expected
    assert chore[:7] not in expected

    again = release_cli(root, "changelog", "--write")  # nothing duplicated, nothing rewritten
    assert (again.returncode, again.stderr) == (
        0,
        "note: CHANGELOG.md: nothing new, every entry is already under Unreleased\n",
    )
    assert (root / "CHANGELOG.md").read_text(encoding="utf-8") == expected

    perf = commit(root, "perf: faster")
    assert release_cli(root, "changelog", "--write").returncode == 0
    assert (root / "CHANGELOG.md").read_text(encoding="utf-8") == expected.replace(
        "## [1.0.0]", f"### Performance\n\n- faster ({perf[:7]})\n\n## [1.0.0]"
    )


def test_write_creates_a_missing_changelog(tmp_path: Path) -> None:
    root = init_project(tmp_path / "p", tag="v1.0.0")
    feat = commit(root, "feat: a")
    result = release_cli(root, "changelog", "--write")
    assert result.stderr == "note: CHANGELOG.md: created with 1 entry under Unreleased\n"
    assert (root / "CHANGELOG.md").read_text(encoding="utf-8") == (
        f"# Changelog\n\n## [Unreleased]\n\n### Added\n\n- a ({feat[:7]})\n\n"
    )


def test_all_renders_every_release_and_merged_branches_land_where_merged(tmp_path: Path) -> None:
    root = init_project(tmp_path / "p", tag="v1.0.0")
    subprocess.run(["git", "switch", "-q", "-c", "topic"], cwd=root, check=True)
    topic = commit(root, "feat(topic): started before 1.0.1, merged after")  # 2024-03-02
    subprocess.run(["git", "switch", "-q", "main"], cwd=root, check=True)
    fix = commit(root, "fix: on main")  # 2024-03-03
    for tag in ("v1.0.1rc1", "v1.0.1", "not-a-version"):  # one commit, two release tags
        subprocess.run(["git", "tag", tag], cwd=root, check=True)
    subprocess.run(
        ["git", "merge", "-q", "--no-ff", "--no-edit", "topic"],
        cwd=root, check=True, env={**os.environ, "GIT_COMMITTER_DATE": "@1709640000 +0000"},
    )  # fmt: skip
    docs = commit(root, "docs: after the merge")

    assert changelog(root, "--all") == (
        "# Changelog\n\n"
        "## [Unreleased]\n\n"
        "### Added\n\n"
        f"- **topic:** started before 1.0.1, merged after ({topic[:7]})\n\n"
        "### Documentation\n\n"
        f"- after the merge ({docs[:7]})\n\n"
        "## [1.0.1] - 2024-03-03\n\n"
        "### Fixed\n\n"
        f"- on main ({fix[:7]})\n\n"
        "## [1.0.0] - 2024-03-01\n\n"
    )
    (root / "noxfile.py").write_text(NOXFILE, encoding="utf-8")  # the two adoption lines
    through_nox = run([tool("nox"), "-s", "changelog", "--", "--all"], root)
    assert through_nox.returncode == 0, through_nox.stderr
    assert through_nox.stdout == changelog(root, "--all")


def test_custom_sections_and_the_count_of_commits_left_out(tmp_path: Path) -> None:
    config = (
        "[tool.release.changelog-types]\n"
        'fix = "Bug fixes"\nfeat = "Features"\nsecurity = "Bug fixes"\n'
    )
    root = init_project(tmp_path / "p", "1.0.0", config, tag="v1.0.0")
    feat = commit(root, "feat: a")
    sec = commit(root, "security: b")
    commit(root, "docs: not mapped")
    commit(root, "Update README.md")
    commit(root, "wip")
    result = release_cli(root, "changelog")
    assert result.stdout == (
        "## [Unreleased]\n\n"
        f"### Bug fixes\n\n- b ({sec[:7]})\n\n"
        f"### Features\n\n- a ({feat[:7]})\n\n"
    )
    assert result.stderr == (
        "note: 2 of 5 commits since v1.0.0 are not Conventional Commits: left out\n"
    )


def test_all_write_refuses_to_replace_an_existing_changelog(tmp_path: Path) -> None:
    root = init_project(tmp_path / "p", tag="v1.0.0")
    (root / "CHANGELOG.md").write_text(HAND_WRITTEN, encoding="utf-8")
    commit(root, "feat: a")
    before = tree_state(root)
    result = release_cli(root, "changelog", "--all", "--write")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == (
        "error: CHANGELOG.md exists: --all --write would replace it\n"
        "hint: run with --all alone and copy what you need, or remove the file first\n"
    )
    assert tree_state(root) == before


def test_write_without_a_configured_changelog(tmp_path: Path) -> None:
    root = init_project(tmp_path / "p", "1.0.0", '[tool.release]\nchangelog = ""\n')
    result = release_cli(root, "changelog", "--write")
    assert (result.returncode, result.stderr) == (
        2,
        'error: no changelog is configured\nhint: set [tool.release] changelog = "CHANGELOG.md"\n',
    )


def test_write_needs_an_unreleased_section(tmp_path: Path) -> None:
    root = init_project(tmp_path / "p", tag="v1.0.0")
    (root / "CHANGELOG.md").write_text("# Changelog\n\n## [1.0.0]\n", encoding="utf-8")
    commit(root, "feat: a")
    before = tree_state(root)
    result = release_cli(root, "changelog", "--write")
    assert (result.returncode, result.stderr) == (
        1,
        "error: CHANGELOG.md: no '## [Unreleased]' section\n"
        "hint: add '## [Unreleased]' above the newest release, with the changes under it\n",
    )
    assert tree_state(root) == before
