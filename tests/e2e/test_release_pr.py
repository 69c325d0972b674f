"""Release pull requests end to end, with a bare remote, pypiserver and the loopback API:
`auto --pr` opens one, a new commit updates it (still one), merging it on the remote and
`--tag-merged` tags the merge commit and ships it to the index; then nothing is left to do.
"""

from __future__ import annotations

import secrets
import subprocess
from pathlib import Path

import pytest

from e2e.conftest import Sample, git, on_index
from e2e.github_api import FakeGitHub
from e2e.servers import Server

SLUG = "acme/enforcecore"
BRANCH = "release-pr/{name}/main"


def commit(sample: Sample, message: str, entry: str) -> None:
    """A change on main with its line under Unreleased, pushed."""
    changelog = sample.root / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8")
    changelog.write_text(text.replace("### Added\n", f"### Added\n- {entry}\n", 1), "utf-8")
    git(sample.root, "commit", "-q", "-am", message)
    git(sample.root, "push", "-q", "origin", "main")


def merge_on_remote(sample: Sample, branch: str, tmp: Path) -> str:
    """The merge button: a merge commit of `branch` into main, made on the remote."""
    clone = tmp / "merger"
    git(tmp, "clone", "-q", "-b", "main", str(sample.remote), str(clone))
    git(
        clone,
        "merge",
        "-q",
        "--no-ff",
        f"origin/{branch}",
        "-m",
        f"Merge pull request #1 from {branch}",
    )
    git(clone, "push", "-q", "origin", "main")
    return git(clone, "rev-parse", "HEAD").strip()


def writes(fake: FakeGitHub) -> list[tuple[str, str]]:
    return [(method, path) for method, path in fake.calls if method != "GET"]


def test_a_release_pull_request_opened_updated_merged_tagged_and_published(
    sample: Sample, pypiserver: Server, github_api: FakeGitHub, tmp_path: Path
) -> None:
    token = f"ghp_{secrets.token_hex(18)}"
    github_api.add_repository(SLUG)
    env = {"RELEASE_GITHUB_API": github_api.url, "GITHUB_REPOSITORY": SLUG, "GITHUB_TOKEN": token}
    branch = BRANCH.format(name=sample.name)
    git(sample.root, "tag", "-a", "v1.0.22", "-m", "Release 1.0.22")
    git(sample.root, "push", "-q", "origin", "v1.0.22")
    commit(sample, "fix: telemetry scope follows the version", "nothing new")
    main = sample.head()

    plan = sample.release("auto", "--pr", **env)
    assert plan.returncode == 0, plan.stderr
    assert f"force-push {branch}" in plan.stdout
    assert "dry run: nothing was changed" in plan.stdout
    assert (github_api.pulls.get(SLUG, []), sample.remote_refs().get(f"refs/heads/{branch}")) == (
        [],
        None,
    )

    opened = sample.release("auto", "--pr", "--execute", **env)
    assert opened.returncode == 0, opened.stderr
    (pull,) = github_api.pulls[SLUG]
    assert (pull["title"], pull["head"]["ref"], pull["base"]["ref"]) == (
        "Release 1.0.23",
        branch,
        "main",
    )
    assert pull["body"].startswith("### Added\n- nothing new\n")
    proposed = sample.remote_refs()[f"refs/heads/{branch}"]
    assert git(sample.root, "rev-parse", f"{proposed}^").strip() == main
    assert 'version = "1.0.23"' in git(sample.root, "show", f"{proposed}:pyproject.toml")
    assert (sample.head(), git(sample.root, "status", "--porcelain")) == (main, "")
    assert sample.remote_refs()["refs/heads/main"] == main
    assert token not in opened.stdout + opened.stderr

    commit(sample, "feat: Enforcer.explain() says why", "`Enforcer.explain()`")
    updated = sample.release("auto", "--pr", "--execute", **env)
    assert updated.returncode == 0, updated.stderr
    (pull,) = github_api.pulls[SLUG]
    assert pull["title"] == "Release 1.1.0"
    assert pull["body"].startswith("### Added\n- `Enforcer.explain()`\n- nothing new\n")
    assert [m for m, _ in writes(github_api)] == ["POST", "PATCH"]
    moved = sample.remote_refs()[f"refs/heads/{branch}"]
    assert git(sample.root, "rev-parse", f"{moved}^").strip() == sample.head() != main

    again = sample.release("auto", "--pr", "--execute", **env)
    assert again.returncode == 0, again.stderr
    assert sample.remote_refs()[f"refs/heads/{branch}"] == moved
    assert [m for m, _ in writes(github_api)] == ["POST", "PATCH"]

    merged = merge_on_remote(sample, branch, tmp_path)
    github_api.merge(SLUG, pull["number"], merged)
    git(sample.root, "pull", "-q", "--ff-only", "origin", "main")

    refused = sample.release("auto", "--pr", **env)
    assert refused.returncode == 2
    assert refused.stderr.splitlines() == [
        "error: --pr: the files already say 1.1.0, which no tag names: a merged release pull"
        " request, not tagged yet",
        "hint: tag it and ship it: nox -s release -- --tag-merged --execute",
    ]
    dry = sample.release("--tag-merged", **env)
    assert dry.returncode == 0, dry.stderr
    assert "create the annotated tag v1.1.0" in dry.stdout
    assert "v1.1.0" not in sample.remote_tags()

    tagged = sample.release("--tag-merged", "--execute", "--no-wait-ci", **env)
    assert tagged.returncode == 0, tagged.stderr
    assert sample.remote_refs()["refs/tags/v1.1.0"] == merged
    names = [name for name, _ in on_index(pypiserver, sample)]
    assert names == sorted(f"{sample.stem}1.1.0{end}" for end in ("-py3-none-any.whl", ".tar.gz"))
    verified = sample.cli("verify", "1.1.0", **env)
    assert verified.returncode == 0, verified.stderr

    refs, calls = sample.remote_refs(), list(github_api.calls)
    for args in (("auto", "--pr", "--execute"), ("--tag-merged", "--execute")):
        nothing = sample.release(*args, **env)
        assert nothing.returncode == 0, nothing.stderr
        assert "nothing to" in nothing.stdout + nothing.stderr
    assert (sample.remote_refs(), writes_after(github_api, calls)) == (refs, [])


def writes_after(fake: FakeGitHub, before: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(m, p) for m, p in fake.calls[len(before) :] if m != "GET"]


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GITHUB_TOKEN": "", "GH_TOKEN": ""}, "--pr: no GitHub token"),
        ({"GITHUB_REPOSITORY": ""}, "--pr: the release remote is not on GitHub"),
    ],
)
def test_pr_without_github_or_token_is_refused_with_nothing_changed(
    sample: Sample, github_api: FakeGitHub, env: dict[str, str], message: str
) -> None:
    github_api.add_repository(SLUG)
    base = {"RELEASE_GITHUB_API": github_api.url, "GITHUB_REPOSITORY": SLUG}
    base["GITHUB_TOKEN"] = f"ghp_{secrets.token_hex(18)}"
    git(sample.root, "tag", "-a", "v1.0.22", "-m", "Release 1.0.22")
    commit(sample, "fix: a fix", "a fix")
    refs = sample.remote_refs()
    refused = sample.release("auto", "--pr", "--execute", **{**base, **env})
    assert refused.returncode == 2
    lines = refused.stderr.splitlines()
    assert (len(lines), lines[0].startswith(f"error: {message}"), lines[1][:6]) == (
        2,
        True,
        "hint: ",
    )
    assert (sample.remote_refs(), github_api.calls) == (refs, [])
    assert (
        subprocess.run(
            ["git", "status", "--porcelain"],
            cwd=sample.root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        == ""
    )
