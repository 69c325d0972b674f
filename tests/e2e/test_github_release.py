"""The tag's GitHub Release from a local release: a draft, every dist file and SHA256SUMS
uploaded, then published; a re-run keeps it; a different asset stops the release naming
it; a kill between two uploads is finished by the next run. Read from the loopback API's
own record of calls and releases (immutable once published, as GitHub makes them)."""

from __future__ import annotations

import hashlib
import secrets

import pytest

from e2e.conftest import Sample
from e2e.github_api import FakeGitHub
from e2e.servers import Server

VERSION = "1.0.23"
SLUG = "acme/enforcecore"


@pytest.fixture
def token() -> str:
    return f"ghp_{secrets.token_hex(18)}"


def on_github(fake: FakeGitHub, token: str) -> dict[str, str]:
    fake.add_repository(SLUG)
    return {"RELEASE_GITHUB_API": fake.url, "GITHUB_REPOSITORY": SLUG, "GITHUB_TOKEN": token}


def writes(fake: FakeGitHub) -> list[str]:
    """The release calls that changed something, in order, ids left out."""
    named = []
    for method, path in fake.calls:
        if method == "GET":
            continue
        if path.endswith("/assets"):
            named.append(f"{method} asset")
        elif path.endswith("/releases"):
            named.append(f"{method} release")
        else:
            named.append(f"{method} release/id")
    return named


def test_a_local_release_makes_the_github_release_draft_first_published_last(
    sample: Sample, pypiserver: Server, github_api: FakeGitHub, token: str
) -> None:
    env = on_github(github_api, token)
    done = sample.release(VERSION, "--execute", "--no-wait-ci", **env)
    assert done.returncode == 0, done.stderr

    (release,) = github_api.releases[SLUG]
    assert writes(github_api) == ["POST release", *["POST asset"] * 3, "PATCH release/id"]
    assert (release["tag_name"], release["name"], release["draft"]) == ("v1.0.23", VERSION, False)
    assert release["prerelease"] is False
    assert release["body"].startswith("### ")  # the changelog section of 1.0.23
    built = sample.dist()
    sums = "".join(
        f"{hashlib.sha256(data).hexdigest()}  {name}\n" for name, data in sorted(built.items())
    )
    expected = {name: hashlib.sha256(data).hexdigest() for name, data in built.items()}
    expected["SHA256SUMS"] = hashlib.sha256(sums.encode()).hexdigest()
    assert {a["name"]: a["digest"].removeprefix("sha256:") for a in release["assets"]} == expected
    assert "GitHub Release v1.0.23 published with 3 assets (3 uploaded)" in done.stderr
    for text in (done.stdout, done.stderr):
        assert token not in text
    for path in (sample.root / ".release").rglob("*"):
        if path.is_file():
            assert token.encode() not in path.read_bytes(), path

    again = sample.cli("github-release", VERSION, **env)
    assert again.returncode == 0, again.stderr
    assert again.stdout == "GitHub Release v1.0.23 is already published with its 3 assets\n"
    assert len(github_api.releases[SLUG]) == 1
    assert writes(github_api) == ["POST release", *["POST asset"] * 3, "PATCH release/id"]


def test_a_release_holding_a_different_asset_stops_naming_it(
    sample: Sample, pypiserver: Server, github_api: FakeGitHub, token: str
) -> None:
    env = on_github(github_api, token)
    assert sample.release(VERSION, "--execute", "--no-wait-ci", **env).returncode == 0
    (release,) = github_api.releases[SLUG]
    wheel = next(a for a in release["assets"] if a["name"].endswith(".whl"))
    wheel["digest"] = "sha256:" + "0" * 64  # someone attached another build
    calls = len(github_api.calls)

    result = sample.cli("github-release", VERSION, **env)
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"error: the GitHub Release of v1.0.23 already has different {wheel['name']};"
        " nothing was uploaded\n"
    )
    assert [method for method, _ in github_api.calls[calls:]] == ["GET"]


def test_a_kill_between_two_uploads_leaves_a_draft_the_next_run_finishes(
    sample: Sample, pypiserver: Server, github_api: FakeGitHub, token: str
) -> None:
    env = on_github(github_api, token)
    killed = sample.release(
        VERSION, "--execute", "--no-wait-ci", RELEASE_TEST_KILL_AT="mid-github-release", **env
    )
    assert killed.returncode != 0
    (draft,) = github_api.releases[SLUG]
    assert (draft["draft"], len(draft["assets"])) == (True, 1)

    done = sample.release(VERSION, "--execute", "--no-wait-ci", **env)
    assert done.returncode == 0, done.stderr
    (release,) = github_api.releases[SLUG]
    assert release["draft"] is False
    names = sorted(a["name"] for a in release["assets"])
    assert names == sorted([*sample.dist(), "SHA256SUMS"])
    assert writes(github_api) == ["POST release", *["POST asset"] * 3, "PATCH release/id"]
