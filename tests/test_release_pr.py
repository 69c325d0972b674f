"""Release pull requests: the API calls against the loopback server (one pull request, opened
then updated, never two), `Release-As`, the merged commit told from the files, the token's
way into git, the table's key, and the generated release-pr.yml checked by GitHub's schema,
zizmor and actionlint."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from conftest import git, release_cli, run, tool
from e2e.github_api import FakeGitHub, serve
from packaging.version import Version

from release import commits, config, github, pull_requests, release_pr, release_pr_workflow
from release.errors import ConfigError, ReleaseError, UsageError

SLUG = "acme/widget"
BRANCH = "release-pr/widget/main"


@pytest.fixture
def api() -> Iterator[FakeGitHub]:
    for fake in serve():
        fake.add_repository(SLUG)
        yield fake


def propose(api: FakeGitHub, title: str, body: str, said: list[str]) -> str:
    client = github.Client(SLUG, api=api.url, auth="ghp_x")
    return pull_requests.propose(client, BRANCH, "main", title, body, said.append)


def test_one_pull_request_opened_then_updated_then_left_alone(api: FakeGitHub) -> None:
    said: list[str] = []
    assert propose(api, "Release 1.0.1", "### Fixed\n- a leak\n", said) == (
        "opened #1 https://github.com/acme/widget/pull/1"
    )
    assert propose(api, "Release 1.1.0", "### Added\n- a knob\n", said) == (
        "updated #1 https://github.com/acme/widget/pull/1"
    )
    assert propose(api, "Release 1.1.0", "### Added\n- a knob\n", said) == (
        "#1 is already 'Release 1.1.0' with these notes"
    )
    (pull,) = api.pulls[SLUG]
    assert (pull["title"], pull["body"], pull["state"]) == (
        "Release 1.1.0",
        "### Added\n- a knob\n",
        "open",
    )
    assert said == [
        "opened pull request #1: Release 1.0.1",
        "updated pull request #1: Release 1.1.0",
    ]
    writes = [(method, path) for method, path in api.calls if method != "GET"]
    assert writes == [("POST", f"/repos/{SLUG}/pulls"), ("PATCH", f"/repos/{SLUG}/pulls/1")]
    listed = [path for path, _ in api.requests if "head=" in path]
    assert [p for p in listed if "head=acme%3Arelease-pr%2Fwidget%2Fmain&state=open" in p] == listed
    assert len(listed) == 3


def test_a_merged_pull_request_is_not_updated_a_new_one_is_opened(api: FakeGitHub) -> None:
    said: list[str] = []
    propose(api, "Release 1.0.1", "notes", said)
    api.merge(SLUG, 1, "f" * 40)
    client = github.Client(SLUG, api=api.url, auth="ghp_x")
    assert pull_requests.open_from(client, BRANCH) is None
    assert propose(api, "Release 1.0.2", "more", said).startswith("opened #2 ")
    first, second = api.pulls[SLUG]
    assert (first["merged"], first["merge_commit_sha"], first["title"]) == (
        True,
        "f" * 40,
        "Release 1.0.1",
    )
    assert (second["state"], second["title"]) == ("open", "Release 1.0.2")


def test_the_server_refuses_a_second_open_pull_request_from_one_branch(api: FakeGitHub) -> None:
    client = github.Client(SLUG, api=api.url, auth="ghp_x")
    pull_requests.create(client, BRANCH, "main", "Release 1.0.1", "")
    with pytest.raises(ReleaseError, match="HTTP 422 Validation Failed"):
        pull_requests.create(client, BRANCH, "main", "Release 1.0.1", "")


# --- Release-As -----------------------------------------------------------------------------


@pytest.fixture
def tagged(project: Path) -> Path:
    """The realistic project released as v1.0.22."""
    git(project, "tag", "-a", "v1.0.22", "-m", "Release 1.0.22")
    return project


def commit(root: Path, message: str) -> None:
    git(root, "commit", "-q", "--allow-empty", "-m", message)


def test_release_as_names_the_next_version_once(tagged: Path) -> None:
    commit(tagged, "fix: a leak\n\nRelease-As: 2.0.0")
    commit(tagged, "docs: words")
    result = release_cli(tagged, "next")
    assert (result.returncode, result.stdout) == (0, "2.0.0\n"), result.stderr
    assert "Release-As in " in result.stderr
    git(tagged, "tag", "-a", "v2.0.0", "-m", "Release 2.0.0")
    commit(tagged, "fix: another")
    loaded = config.load(tagged)
    assert str(commits.next_version(loaded, Version("2.0.0"))) == "2.0.1"


def test_the_newest_release_as_wins(tagged: Path) -> None:
    commit(tagged, "feat: x\n\nRelease-As: 3.0.0")
    commit(tagged, "chore: settle it\n\nrelease-as: 2.5.0")
    assert release_cli(tagged, "next").stdout == "2.5.0\n"


@pytest.mark.parametrize(
    ("footer", "message"),
    [
        ("1.0.9", "error: Release-As: 1.0.9 in {sha} is not newer than the current version 1.0.22"),
        ("soon", "error: Release-As: 'soon' in {sha} is not a PEP 440 version"),
    ],
)
def test_a_bad_release_as_is_one_line_exit_2_nothing_changed(
    tagged: Path, footer: str, message: str
) -> None:
    commit(tagged, f"fix: a leak\n\nRelease-As: {footer}")
    sha = git(tagged, "rev-parse", "--short=7", "HEAD").strip()
    before = git(tagged, "status", "--porcelain")
    result = release_cli(tagged, "release", "auto", "--execute")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert (len(lines), lines[0], lines[1][:6]) == (2, message.format(sha=sha), "hint: ")
    assert (git(tagged, "status", "--porcelain"), git(tagged, "tag", "--list")) == (
        before,
        "v1.0.22\n",
    )


# --- the merged release pull request, told from the files -----------------------------------


def merge_release(root: Path, version: str, message: str) -> None:
    """What merging a release pull request leaves: the bump, committed."""
    bumped = release_cli(root, "bump", version)
    assert bumped.returncode == 0, bumped.stderr
    git(root, "commit", "-q", "-am", message)


def test_the_commit_that_brought_an_untagged_version_is_the_one_to_tag(tagged: Path) -> None:
    loaded = config.load(tagged)
    commit(tagged, "fix: not released yet")
    with pytest.raises(commits.NothingToRelease) as nothing:
        release_pr.merged_version(loaded)
    assert nothing.value.message == "nothing to tag: the files say 1.0.22, released as v1.0.22"
    merge_release(tagged, "1.0.23", "chore: anything at all")  # the message is not read
    assert str(release_pr.merged_version(loaded)) == "1.0.23"
    commit(tagged, "fix: landed after the merge")
    with pytest.raises(ReleaseError) as past:
        release_pr.merged_version(loaded)
    assert past.value.message.startswith(
        "1.0.23 is not tagged, but HEAD did not bring it: its parent already says 1.0.23,"
    )


def test_tag_merged_dry_run_says_what_it_tags_and_nothing_changes(tagged: Path) -> None:
    merge_release(tagged, "1.0.23", "Release 1.0.23")
    before = git(tagged, "show-ref")
    result = release_cli(tagged, "release", "--tag-merged", "--no-wait-ci")
    assert result.returncode == 0, result.stderr
    assert "create the annotated tag v1.0.23 on that commit (locally)" in result.stdout
    assert [word for word in ("bump:", "gate:") if word in result.stdout] == []
    assert git(tagged, "show-ref") == before


def test_pr_with_another_mode_is_refused(tagged: Path) -> None:
    commit(tagged, "fix: a leak")
    result = release_cli(tagged, "release", "auto", "--pr", "--local-only")
    assert result.returncode == 2
    assert result.stderr.startswith(
        "error: --pr goes alone: it proposes the release instead of making it\nhint: "
    )


# --- the token's way into git ---------------------------------------------------------------


def test_git_pushes_with_the_token_through_the_environment_in_actions_only() -> None:
    token = "ghs_" + "k" * 36
    actions = {"GITHUB_ACTIONS": "true", "GITHUB_TOKEN": token}
    added = release_pr.git_auth(actions)
    assert added["GIT_CONFIG_KEY_0"] == "http.https://github.com/.extraheader"
    header = added["GIT_CONFIG_VALUE_0"].removeprefix("AUTHORIZATION: basic ")
    assert base64.b64decode(header).decode() == f"x-access-token:{token}"
    assert not any(token in value for value in added.values())
    assert release_pr.git_auth({"GITHUB_TOKEN": token}) == {}  # a machine's own credentials
    assert release_pr.git_auth({**actions, "GIT_CONFIG_COUNT": "2"}) == {}


# --- the table's key and the generated workflow ----------------------------------------------


TABLES = {
    "default": "",
    "app": 'token = "app"\n',
    "secret": 'token = "RELEASE_PR_TOKEN"\n',
}


def workflow(project: Path, table: str, branch: str = '"main"') -> str:
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text().replace(
        "\n[tool.release]\n", f"\n[tool.release]\nbranch = {branch}\n", 1
    )
    text += f"\n[tool.release.release-pr]\n{table}"
    pyproject.write_text(text)
    return release_pr_workflow.text(config.load(project))


def test_the_table_key_is_checked(project: Path) -> None:
    assert config.load(project).release_pr == config.ReleasePR()
    with pytest.raises(ConfigError, match=r"token = 'my token!' is not a token source"):
        workflow(project, 'token = "my token!"\n')


@pytest.mark.parametrize("name", list(TABLES))
def test_the_workflow_keeps_the_release_pr_current_with_its_token(project: Path, name: str) -> None:
    data = yaml.safe_load(workflow(project, TABLES[name], '["main", "release/*"]'))
    assert data["on"] == {"push": {"branches": ["main", "release/*"]}}
    (job,) = data["jobs"].values()
    assert job["permissions"] == {"contents": "write", "pull-requests": "write"}
    steps = job["steps"]
    checkout = next(
        step for step in steps if str(step.get("uses", "")).startswith("actions/checkout@")
    )
    assert checkout["with"] == {"persist-credentials": False, "fetch-depth": 0}
    runs = [
        (step["run"], step["env"]["GITHUB_TOKEN"])
        for step in steps
        if "GITHUB_TOKEN" in step.get("env", {})
    ]
    expected = {
        "default": "${{ github.token }}",
        "app": "${{ steps.app-token.outputs.token }}",
        "secret": "${{ secrets.RELEASE_PR_TOKEN }}",
    }[name]
    commands = ["nox -s release -- auto --pr --execute"]
    if name != "default":  # a tag the workflow's own token pushed would start no release.yml
        commands.insert(0, "nox -s release -- --tag-merged --execute")
    assert runs == [(command, expected) for command in commands]
    apps = [step for step in steps if "create-github-app-token" in str(step.get("uses", ""))]
    assert len(apps) == (name == "app")


def test_the_workflow_passes_schema_zizmor_and_actionlint(project: Path, tmp_path: Path) -> None:
    files = []
    for name, table in TABLES.items():
        root = tmp_path / name
        git(tmp_path, "clone", "-q", str(project), str(root))
        path = root / ".github" / "workflows" / "release-pr.yml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(workflow(root, table))
        files.append(str(path))
    schema = run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", *files], tmp_path
    )
    assert "ok -- validation done" in schema.stdout, schema.stdout + schema.stderr
    for persona in ("regular", "auditor"):
        argv = [tool("zizmor"), "--offline", "--persona", persona, "--format", "json", *files]
        found = run(argv, tmp_path)
        assert (found.returncode, json.loads(found.stdout)) == (0, []), found.stderr
    linted = run([tool("actionlint"), "-shellcheck=", *files], tmp_path)
    assert (linted.returncode, linted.stdout) == (0, "")


def test_the_app_token_action_is_pinned_by_sha(project: Path) -> None:
    text = workflow(project, TABLES["app"])
    (line,) = [line for line in text.splitlines() if "create-github-app-token" in line]
    assert line.strip().startswith("uses: actions/create-github-app-token@")
    assert len(line.split("@")[1].split()[0]) == 40


def test_pr_and_tag_merged_refuse_a_vcs_version(project: Path) -> None:
    loaded = replace(config.load(project), version_source="vcs")
    with pytest.raises(UsageError, match="version is its tag"):
        release_pr.require_github(loaded)


def test_the_drift_check_catches_a_hand_edit_of_release_pr_yml(project: Path) -> None:
    generated = workflow(project, TABLES["secret"])
    written = release_cli(project, "parity", "--write")
    assert written.returncode == 0, written.stderr
    path = project / ".github/workflows/release-pr.yml"
    assert path.read_text(encoding="utf-8") == generated
    assert release_cli(project, "parity").returncode == 0

    path.write_text(generated.replace("auto --pr --execute", "auto --pr"), encoding="utf-8")
    drifted = release_cli(project, "parity")
    assert drifted.returncode == 1
    assert drifted.stderr.startswith(
        "error: the workflows do not match the flags table: .github/workflows/release-pr.yml\n"
    )
    assert release_cli(project, "parity", "--write").returncode == 0
    assert path.read_text(encoding="utf-8") == generated
