"""Releases that must stop: each with one clear error, and nothing half-done on the remote."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from e2e.conftest import MakeSample, Sample, git, on_index
from e2e.github_api import ANY, FakeGitHub, completed
from e2e.servers import FlakyProxy, Server, free_port

VERSION = "1.0.23"


def first_lines(stderr: str) -> list[str]:
    """The `error:` line and the `hint:` line."""
    start = stderr.index("error: ")
    return stderr[start:].splitlines()[:2]


def test_wrong_password_stops_before_the_tag_is_pushed(sample: Sample, pypiserver: Server) -> None:
    start = sample.head()
    failed = sample.release(
        VERSION, "--execute", "--no-wait-ci", TWINE_PASSWORD="pw-0b5e1e7c-not-it"
    )
    assert failed.returncode == 1
    error, hint = first_lines(failed.stderr)
    wheel = f"{sample.stem}1.0.23-py3-none-any.whl"
    assert error == (
        f"error: {pypiserver.url} refused the upload of {wheel}: HTTP 403 Forbidden from"
        f" {pypiserver.url} (wrong credentials?)"
    )
    assert hint == (
        "hint: set TWINE_USERNAME and TWINE_PASSWORD, or PYPI_TOKEN (sent as __token__),"
        " or store the password in keyring"
    )
    assert "Traceback" not in failed.stderr
    assert sample.remote_tags() == []  # the tag goes out only after the upload
    assert on_index(pypiserver, sample) == []
    assert sample.remote_refs()["refs/heads/main"] != start  # the branch was pushed (CI's turn)

    fixed = sample.release(VERSION, "--execute", "--no-wait-ci")  # the right password now
    assert fixed.returncode == 0, fixed.stderr
    assert sample.remote_tags() == ["v1.0.23"]
    assert dict(on_index(pypiserver, sample)) == sample.dist()


@pytest.fixture
def flaky(pypiserver: Server) -> Iterator[FlakyProxy]:
    proxy = FlakyProxy(pypiserver.url, failures=2)
    yield proxy
    proxy.close()


def test_index_answering_500_twice_then_200_gets_the_upload(
    make_sample: MakeSample, pypiserver: Server, flaky: FlakyProxy
) -> None:
    sample = make_sample(final=flaky.url)
    done = sample.release(VERSION, "--execute", "--no-wait-ci")
    assert done.returncode == 0, done.stderr
    assert flaky.posts == [500, 500, 200, 200]  # the wheel on its third try, then the sdist
    assert dict(on_index(pypiserver, sample)) == sample.dist()


def test_index_down_is_a_clear_error_after_bounded_retries(make_sample: MakeSample) -> None:
    down = f"http://127.0.0.1:{free_port()}/"
    sample = make_sample(final=down)
    failed = sample.release(VERSION, "--execute", "--no-wait-ci")
    assert failed.returncode == 1
    error, hint = first_lines(failed.stderr)
    assert error.startswith(f"error: reading {down}simple/{sample.name}/: cannot connect: ")
    assert error.endswith("Connection refused (after 4 attempts)")
    assert hint == (
        f"hint: check that {down.rstrip('/')} is up and the URL is right, then run the same"
        " command again"
    )
    assert sample.remote_tags() == []


def test_version_on_the_index_with_different_bytes_stops_and_uploads_nothing(
    sample: Sample, pypiserver: Server
) -> None:
    planted = pypiserver.directory / f"{sample.stem}1.0.23.tar.gz"
    planted.write_bytes(b"not the sdist this release builds")
    failed = sample.release(VERSION, "--execute", "--no-wait-ci")
    assert failed.returncode == 1
    error, hint = first_lines(failed.stderr)
    assert error == (
        f"error: {pypiserver.url} already has this version with different files:"
        f" {planted.name}; nothing was uploaded"
    )
    assert hint.startswith("hint: an index never replaces a file")
    assert on_index(pypiserver, sample) == [(planted.name, planted.read_bytes())]
    assert sample.remote_tags() == []


def test_remote_branch_that_moved_stops_before_pushing_anything(
    sample: Sample, pypiserver: Server
) -> None:
    other = sample.root.parent / "other-clone"
    git(sample.root.parent, "clone", "-q", "-b", "main", str(sample.remote), str(other))
    (other / "NEWS.txt").write_text("someone else's change\n")
    git(other, "add", "NEWS.txt")
    git(other, "commit", "-q", "-m", "Someone else's commit")
    git(other, "push", "-q", "origin", "main")
    theirs = git(other, "rev-parse", "HEAD").strip()

    failed = sample.release(VERSION, "--execute", "--no-wait-ci")
    assert failed.returncode == 1
    error, hint = first_lines(failed.stderr)
    assert error == (
        f"error: origin/main moved: it has commits that the release commit {sample.head()[:12]}"
        " does not; nothing was pushed"
    )
    assert hint.startswith("hint: bring them in (git pull --rebase origin main)")
    assert sample.remote_refs() == {"refs/heads/main": theirs}
    assert on_index(pypiserver, sample) == []


def test_failed_ci_names_the_run_and_jobs_and_keeps_the_tag_home(
    sample: Sample, pypiserver: Server, github_api: FakeGitHub
) -> None:
    slug = "acme/enforcecore"
    failure = completed("failure", lint="success", **{"tests (3.12)": "failure"})
    run = github_api.add_run(slug, ANY, "main", "CI", failure)
    failed = sample.release(VERSION, "--execute", RELEASE_GITHUB_API=github_api.url,
                            GITHUB_REPOSITORY=slug, RELEASE_CI_POLL_SECONDS="0.05")  # fmt: skip
    assert failed.returncode == 1
    error, hint = first_lines(failed.stderr)
    assert error == f"error: CI failed on {sample.head()[:12]}: CI (failure)"
    assert hint == (
        f"hint: see {run.html_url()}; fix it, commit, and release again: the tag was not pushed"
    )
    assert f"job tests (3.12): failure  {run.html_url()}/job/" in failed.stderr
    assert sample.remote_refs()["refs/heads/main"] == sample.head()
    assert sample.remote_tags() == []
    assert on_index(pypiserver, sample) == []
