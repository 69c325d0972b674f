"""The Actions client against a loopback server with GitHub's documented answers."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from e2e.github_api import FakeGitHub, completed, serve, waiting

from release import github
from release.errors import ReleaseError

SLUG = "acme/enforcecore"
SHA = "0123456789abcdef0123456789abcdef01234567"
TOKEN = "ghp_test_0f3c9a7d2b"


@pytest.fixture
def api() -> Iterator[FakeGitHub]:
    yield from serve()


def client(api: FakeGitHub, said: list[str], timeout: float = 10.0) -> github.Client:
    return github.Client(SLUG, api=api.url, auth=TOKEN, deadline=time.monotonic() + timeout,
                         say=said.append)  # fmt: skip


def test_success_returns_the_runs_that_passed(api: FakeGitHub) -> None:
    api.add_run(SLUG, SHA, "main", "CI", completed("success", lint="success", tests="success"))
    said: list[str] = []
    note = github.wait_for_runs(client(api, said), SHA, "main", poll=0.01)
    assert note == f"CI passed on {SHA[:12]}: CI"
    assert said == []  # nothing to wait for: no progress lines


def test_failure_names_the_run_url_and_the_failed_jobs(api: FakeGitHub) -> None:
    failed = completed("failure", lint="success", **{"tests (3.12)": "failure"})
    run = api.add_run(SLUG, SHA, "main", "CI", failed)
    with pytest.raises(ReleaseError) as caught:
        github.wait_for_runs(client(api, []), SHA, "main", poll=0.01)
    error = caught.value
    assert error.message == f"CI failed on {SHA[:12]}: CI (failure)"
    assert run.html_url() in error.hint
    assert f"job tests (3.12): failure  {run.html_url()}/job/{run.id * 10 + 1}" in error.detail
    assert "lint" not in error.detail  # only the failed jobs are listed


def test_queued_then_success_waits_and_shows_elapsed_time_and_job_states(api: FakeGitHub) -> None:
    api.add_run(SLUG, SHA, "main", "CI", waiting("queued", tests="queued"),
                waiting("in_progress", tests="in_progress"),
                completed("success", tests="success"))  # fmt: skip
    said: list[str] = []
    note = github.wait_for_runs(client(api, said), SHA, "main", poll=0.01)
    assert note.startswith("CI passed")
    assert len(said) == 2
    assert said[0].startswith(f"CI on {SHA[:12]} (main), 0 s: CI queued [tests queued]")
    assert said[1].endswith("CI in_progress [tests in_progress]")


def test_runs_of_other_refs_are_not_waited_for(api: FakeGitHub) -> None:
    api.add_run(SLUG, SHA, "v1.0.23", "Release", waiting("in_progress"))
    api.add_run(SLUG, SHA, "main", "CI", completed("success"))
    assert github.wait_for_runs(client(api, []), SHA, "main", poll=0.01).endswith(": CI")


def test_no_run_yet_times_out_with_a_clear_error(api: FakeGitHub) -> None:
    api.repositories.add(SLUG)
    said: list[str] = []
    with pytest.raises(ReleaseError) as caught:
        github.wait_for_runs(client(api, said, timeout=0.3), SHA, "main", poll=0.05)
    assert caught.value.message == (
        f"CI on {SHA[:12]} (main) did not finish in time: no run appeared"
    )
    assert "--no-wait-ci" in caught.value.hint
    assert said
    assert all(line.endswith("no run yet") for line in said)


def test_unknown_repository_is_a_404_error(api: FakeGitHub) -> None:
    with pytest.raises(ReleaseError) as caught:
        github.wait_for_runs(client(api, []), SHA, "main", poll=0.01)
    assert caught.value.message == (
        f"GitHub: repository {SLUG} not found, or no access to its Actions (404)"
    )
    assert "GITHUB_TOKEN" in caught.value.hint


def test_rate_limit_waits_for_the_reset_then_carries_on(api: FakeGitHub) -> None:
    api.add_run(SLUG, SHA, "main", "CI", completed("success"))
    api.rate_limit(requests=1, reset_in=1)
    said: list[str] = []
    started = time.monotonic()
    note = github.wait_for_runs(client(api, said), SHA, "main", poll=0.01)
    assert note.startswith("CI passed")
    assert time.monotonic() - started >= 1.0  # waited for X-RateLimit-Reset (+1 s)
    assert said[0].startswith("GitHub API rate limit reached: waiting")
    assert len(api.requests) == 2  # the refused one, then the one after the reset


def test_rate_limit_resetting_after_the_deadline_fails_at_once(api: FakeGitHub) -> None:
    api.add_run(SLUG, SHA, "main", "CI", completed("success"))
    api.rate_limit(requests=1, reset_in=3600)
    started = time.monotonic()
    with pytest.raises(ReleaseError) as caught:
        github.wait_for_runs(client(api, [], timeout=60), SHA, "main", poll=0.01)
    assert caught.value.message.startswith(f"GitHub API rate limit reached for {SLUG}: it resets")
    assert time.monotonic() - started < 30  # did not sleep towards the reset


def test_the_token_travels_only_in_the_authorization_header(api: FakeGitHub) -> None:
    api.add_run(SLUG, SHA, "main", "CI", completed("failure", tests="failure"))
    with pytest.raises(ReleaseError) as caught:
        github.wait_for_runs(client(api, []), SHA, "main", poll=0.01)
    paths = [path for path, _ in api.requests]
    assert paths[0] == f"/repos/{SLUG}/actions/runs?head_sha={SHA}&per_page=100"
    assert all(headers["authorization"] == f"Bearer {TOKEN}" for _, headers in api.requests)
    assert all(headers["x-github-api-version"] == "2022-11-28" for _, headers in api.requests)
    assert TOKEN not in caught.value.render()
    assert not any(TOKEN in path for path in paths)


@pytest.mark.parametrize(
    ("url", "slug"),
    [
        ("https://github.com/acme/enforcecore.git", "acme/enforcecore"),
        ("https://github.com/acme/enforcecore", "acme/enforcecore"),
        ("git@github.com:acme/enforce.core.git", "acme/enforce.core"),
        ("ssh://git@github.com/acme/enforcecore.git", "acme/enforcecore"),
        ("https://x-access-token@github.com/acme/enforcecore/", "acme/enforcecore"),
        ("/tmp/remotes/enforcecore.git", ""),
        ("../remote.git", ""),
        ("file:///srv/git/acme/enforcecore.git", ""),
    ],
)
def test_slug_from_remote_url(url: str, slug: str) -> None:
    assert github.slug_from_url(url) == slug
