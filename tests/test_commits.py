"""Conventional Commits 1.0 parsing: every example of the specification, and its rules.

The examples are the specification's own (conventionalcommits.org/en/v1.0.0, "Examples"
and the FAQ's revert example). The helpers at the bottom make real git histories for
test_next_version.py and test_changelog_gen.py.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from release.commits import MAJOR, MINOR, NONE, PATCH, Commit, level, parse

SPEC_EXAMPLES = {
    "description and breaking change footer": (
        "feat: allow provided config object to extend other configs\n\n"
        "BREAKING CHANGE: `extends` key in config file is now used for extending other config"
        " files"
    ),
    "! to draw attention to breaking change": (
        "feat!: send an email to the customer when a product is shipped"
    ),
    "scope and ! to draw attention to breaking change": (
        "feat(api)!: send an email to the customer when a product is shipped"
    ),
    "both ! and BREAKING CHANGE footer": (
        "chore!: drop support for Node 6\n\n"
        "BREAKING CHANGE: use JavaScript features not available in Node 6."
    ),
    "no body": "docs: correct spelling of CHANGELOG",
    "scope": "feat(lang): add Polish language",
    "multi-paragraph body and multiple footers": (
        "fix: prevent racing of requests\n\n"
        "Introduce a request id and a reference to latest request. Dismiss\n"
        "incoming responses other than from latest request.\n\n"
        "Remove timeouts which were used to mitigate the racing issue but are\n"
        "obsolete now.\n\n"
        "Reviewed-by: Z\n"
        "Refs: #123"
    ),
    "revert (FAQ)": (
        "revert: let us never again speak of the noodle incident\n\nRefs: 676104e, a215868"
    ),
}

SHA = "0123456789abcdef0123456789abcdef01234567"

EXPECTED = {
    "description and breaking change footer": (
        Commit(
            SHA, "feat", "", "allow provided config object to extend other configs",
            "`extends` key in config file is now used for extending other config files",
            (("BREAKING CHANGE",
              "`extends` key in config file is now used for extending other config files"),),
        ),
        MAJOR,
    ),
    "! to draw attention to breaking change": (
        Commit(
            SHA, "feat", "", "send an email to the customer when a product is shipped",
            "send an email to the customer when a product is shipped",
        ),
        MAJOR,
    ),
    "scope and ! to draw attention to breaking change": (
        Commit(
            SHA, "feat", "api", "send an email to the customer when a product is shipped",
            "send an email to the customer when a product is shipped",
        ),
        MAJOR,
    ),
    "both ! and BREAKING CHANGE footer": (
        Commit(
            SHA, "chore", "", "drop support for Node 6",
            "use JavaScript features not available in Node 6.",
            (("BREAKING CHANGE", "use JavaScript features not available in Node 6."),),
        ),
        MAJOR,
    ),
    "no body": (Commit(SHA, "docs", "", "correct spelling of CHANGELOG", ""), NONE),
    "scope": (Commit(SHA, "feat", "lang", "add Polish language", ""), MINOR),
    "multi-paragraph body and multiple footers": (
        Commit(
            SHA, "fix", "", "prevent racing of requests", "",
            (("Reviewed-by", "Z"), ("Refs", "#123")),
        ),
        PATCH,
    ),
    "revert (FAQ)": (
        Commit(
            SHA, "revert", "", "let us never again speak of the noodle incident", "",
            (("Refs", "676104e, a215868"),), ("676104e", "a215868"),
        ),
        NONE,
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", SPEC_EXAMPLES)
def test_every_specification_example(name: str) -> None:
    commit = parse(SHA, SPEC_EXAMPLES[name])
    expected, expected_level = EXPECTED[name]
    assert commit == expected
    assert level(commit) == expected_level


@pytest.mark.parametrize(
    ("message", "kind", "scope", "breaking"),
    [
        ("FEAT: shout", "feat", "", ""),  # types are not case sensitive
        ("Fix(Parser): mixed case", "fix", "Parser", ""),
        ("feat: x\n\nBREAKING-CHANGE: synonym", "feat", "", "synonym"),
        ("feat: x\n\nbreaking change: lower case is not the token", "feat", "", ""),
        ("build(deps-dev)!: drop 3.8", "build", "deps-dev", "drop 3.8"),
        ("feat:no space", "", "", ""),  # a colon and a space are required
        ("feat(): empty scope", "", "", ""),
        ("Update README.md", "", "", ""),
        ("Merge pull request #12 from someone/topic", "", "", ""),
    ],
)
def test_header_rules(message: str, kind: str, scope: str, breaking: str) -> None:
    commit = parse(SHA, message)
    assert (commit.type, commit.scope, commit.breaking) == (kind, scope, breaking)
    assert commit.conventional == bool(kind)
    if not kind:  # kept aside, whole subject as the description, never an error
        assert commit.description == message.split("\n", maxsplit=1)[0]


def test_footer_values_run_until_the_next_token() -> None:
    message = (
        "fix: x\n\nBody text.\n\n"
        "BREAKING CHANGE: the first line\ncontinues here\n\nand in a second paragraph\n"
        "Closes #7\nCo-authored-by: A <a@example.com>"
    )
    commit = parse(SHA, message)
    assert commit.footers == (
        ("BREAKING CHANGE", "the first line\ncontinues here\n\nand in a second paragraph"),
        ("Closes", "#7"),
        ("Co-authored-by", "A <a@example.com>"),
    )
    assert commit.breaking.startswith("the first line")


def test_a_body_paragraph_is_not_a_footer() -> None:
    commit = parse(SHA, "feat: x\n\nThis changes: nothing important\nat all")
    assert commit.footers == ()
    assert level(commit) == MINOR


def test_git_revert_messages_are_reverts() -> None:
    commit = parse(SHA, 'Revert "feat: add x"\n\nThis reverts commit 1234567abcdef.\n')
    assert (commit.type, commit.description, commit.reverts) == (
        "revert",
        "feat: add x",
        ("1234567abcdef",),
    )
    assert level(commit) == NONE


@pytest.mark.parametrize(
    ("message", "expected"),
    [("perf: faster", PATCH), ("refactor: tidy", NONE), ("chore!: drop py38", MAJOR)],
)
def test_levels(message: str, expected: int) -> None:
    assert level(parse(SHA, message)) == expected


# --- real git histories, shared with test_next_version.py and test_changelog_gen.py ---------

#: 2024-03-01T12:00:00Z; commit number n is dated n days later (tag dates follow).
START = 1709294400


def init_project(root: Path, version: str = "1.0.0", config: str = "", tag: str = "") -> Path:
    """A project with one commit ("chore: start"), tagged `tag` when given."""
    root.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        f'[project]\nname = "widget"\nversion = "{version}"\n{config}', encoding="utf-8"
    )
    subprocess.run(["git", "init", "-q", "-b", "main"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    commit(root, "chore: start")
    if tag:
        subprocess.run(["git", "tag", tag], cwd=root, check=True)
    return root


def commit(root: Path, message: str) -> str:
    """An empty commit with `message`, dated one day after the previous one; its hash."""
    count = subprocess.run(
        ["git", "rev-list", "--count", "--all"],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    date = f"@{START + 86400 * int(count or 0)} +0000"
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date}
    subprocess.run(
        ["git", "commit", "-q", "--allow-empty", "-F", "-"],
        cwd=root, input=message, text=True, env=env, check=True,
    )  # fmt: skip
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()
