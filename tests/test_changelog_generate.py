"""`--changelog generate` in any style: the section is written the way the file writes them.

The release-please cases are tetra-rp's real release commits (../shared/changelogs): a git
history is built whose commits are the ones behind the maintainer's entries (their
subjects read back from the entries, in another order, among commits release-please
hides), then the bump writes the section. It must equal the maintainer's, every byte
except the commit hashes, which are this history's.
"""

from __future__ import annotations

import calendar
import re
import subprocess
import time
from pathlib import Path

import pytest
from conftest import release_cli, tree_state
from test_commits import commit, init_project

SHARED = Path(__file__).resolve().parents[2] / "shared" / "changelogs"
TETRA = SHARED / "tetra-rp"
FLASH = "https://github.com/runpod/flash"
#: release-please's section -> the commit type behind it.
TYPES = {
    "Features": "feat",
    "Bug Fixes": "fix",
    "Performance Improvements": "perf",
    "Code Refactoring": "refactor",
}
#: `([abc1234](…/commit/<hash>))` at the end of an entry.
COMMIT_LINK = re.compile(r" \(\[(?P<short>[0-9a-f]{7})\]\(\S+/commit/(?P<sha>[0-9a-f]{40})\)\)$")
ISSUE_LINK = re.compile(r"\[#(\d+)\]\(\S+?/issues/\d+\)")
needs_shared = pytest.mark.skipif(not TETRA.is_dir(), reason="../shared/changelogs is absent")


def epoch(day: str) -> str:
    """SOURCE_DATE_EPOCH for that day (the release date is its UTC day)."""
    return str(calendar.timegm(time.strptime(day, "%Y-%m-%d")))


def section(text: str, version: str) -> str:
    """The lines of one release's section, its heading first."""
    start = text.index(f"## [{version}]")
    end = text.find("\n## ", start)
    return text[start : end + 1 if end >= 0 else len(text)]


def history(section_text: str) -> dict[str, str]:
    """The commit message behind each entry of a release-please section -> its hash there."""
    messages = {}
    kind = ""
    for line in section_text.splitlines():
        if line.startswith("### "):
            kind = TYPES.get(line[4:], "")
        link = COMMIT_LINK.search(line)
        if kind and line.startswith("* ") and link:
            subject = ISSUE_LINK.sub(r"#\1", line[2 : link.start()])
            messages[f"{kind}: {subject}"] = link["sha"]
    return messages


def project(root: Path, changelog: str, tag: str) -> Path:
    init_project(root, version=tag.removeprefix("v"), tag=tag)
    (root / "CHANGELOG.md").write_text(changelog, encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "--amend", "--no-edit"], cwd=root, check=True)
    subprocess.run(["git", "tag", "-f", tag], cwd=root, check=True, capture_output=True)
    subprocess.run(["git", "remote", "add", "origin", f"{FLASH}.git"], cwd=root, check=True)
    return root


def with_hashes(text: str, theirs_to_ours: dict[str, str]) -> str:
    for theirs, ours in theirs_to_ours.items():
        text = text.replace(theirs, ours).replace(theirs[:7], ours[:7])
    return text


def generate(root: Path, version: str, day: str) -> str:
    result = release_cli(
        root, "bump", version, "--changelog", "generate", SOURCE_DATE_EPOCH=epoch(day)
    )
    assert result.returncode == 0, result.stderr
    return (root / "CHANGELOG.md").read_text(encoding="utf-8")


@needs_shared
def test_a_release_please_file_gets_the_maintainers_section(tmp_path: Path) -> None:
    before = (TETRA / "before.md").read_text(encoding="utf-8")
    after = (TETRA / "after.md").read_text(encoding="utf-8")
    root = project(tmp_path / "tetra", before, "v1.0.0")
    messages = history(section(after, "1.1.0"))
    assert len(messages) == 3
    ours = {}
    commit(root, "chore: tidy the release workflow")  # release-please hides chores
    for message, theirs in messages.items():  # git log reads them back newest first
        ours[theirs] = commit(root, message)
        commit(root, "test: cover it")  # and tests
    commit(root, "Merge branch 'main' of github.com:runpod/flash")  # not conventional

    written = generate(root, "1.1.0", "2026-02-06")

    assert written == with_hashes(after, ours)


@needs_shared
def test_breaking_changes_come_first_and_under_their_type(tmp_path: Path) -> None:
    """tetra-rp's 1.0.0: a breaking refactor and a fix. The heading is not compared: the
    repository was renamed in that release, which no file could tell."""
    before = (TETRA / "before.md").read_text(encoding="utf-8")
    maintainers = section(before, "1.0.0")
    older = before.replace(maintainers, "")
    root = project(tmp_path / "tetra", older, "v0.25.1")
    ours = {}
    for message, theirs in history(maintainers).items():
        breaking = message.replace("refactor:", "refactor!:")
        ours[theirs] = commit(root, breaking)

    written = section(generate(root, "1.0.0", "2026-02-04"), "1.0.0")

    expected = with_hashes(maintainers, ours)
    assert written.split("\n", 1)[1] == expected.split("\n", 1)[1]
    assert "### \u26a0 BREAKING CHANGES\n\n* rename tetra to flash (" in written


KEPT_NO_UNRELEASED = """\
---
toc_depth: 2
---

## 1.3.0 (June 11, 2026)

#### Added

* Add `httpx2` to the `full` extra [#3323](https://github.com/encode/starlette/pull/3323).
"""


def test_a_file_without_unreleased_gets_a_new_section_in_its_style(tmp_path: Path) -> None:
    root = project(tmp_path / "starlettish", KEPT_NO_UNRELEASED, "v1.3.0")
    fix = commit(root, "fix(forms): enforce max_fields in FormParser (#3329)")
    feat = commit(root, "feat: annotate URLPath with Literal")

    written = generate(root, "1.3.1", "2026-06-12")

    link = f"{FLASH}/commit/"
    assert written == KEPT_NO_UNRELEASED.replace(
        "## 1.3.0",
        "## 1.3.1 (June 12, 2026)\n\n"
        "#### Added\n\n"
        f"* annotate URLPath with Literal ([{feat[:7]}]({link}{feat}))\n\n"
        "#### Fixed\n\n"
        f"* **forms:** enforce max_fields in FormParser ([#3329]({FLASH}/issues/3329))"
        f" ([{fix[:7]}]({link}{fix}))\n\n"
        "## 1.3.0",
        1,
    )


def test_generate_with_no_commits_to_write_is_the_empty_changelog_error(tmp_path: Path) -> None:
    root = project(tmp_path / "starlettish", KEPT_NO_UNRELEASED, "v1.3.0")
    before = tree_state(root)

    result = release_cli(root, "bump", "1.3.1", "--changelog", "generate")

    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: CHANGELOG.md: no Unreleased section and nothing written for 1.3.1\n"
    )
    assert tree_state(root) == before
