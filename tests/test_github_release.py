"""GitHub Releases made for immutable releases, against the loopback API: draft, assets
and SHA256SUMS, published last; re-runs keep, a differing asset stops, a published release
missing an asset is named (it takes no upload any more)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e.github_api import FakeGitHub, serve

from release import github, github_release
from release.errors import ReleaseError

SLUG = "acme/widget"


@pytest.fixture
def api() -> Iterator[FakeGitHub]:
    for fake in serve():
        fake.add_repository(SLUG)
        yield fake


def dist(tmp_path: Path) -> list[Path]:
    files = [tmp_path / "widget-1.0.1-py3-none-any.whl", tmp_path / "widget-1.0.1.tar.gz"]
    for file in files:
        file.write_bytes(file.name.encode() * 3)
    return files


def make(api: FakeGitHub, files: list[Path], said: list[str]) -> str:
    client = github.Client(SLUG, api=api.url, auth="ghp_x", say=said.append)
    return github_release.make(
        client, "v1.0.1", "1.0.1", "### Fixed\n- a leak\n", files, prerelease=False, say=said.append
    )


def test_draft_then_assets_with_sums_then_published(api: FakeGitHub, tmp_path: Path) -> None:
    files, said = dist(tmp_path), list[str]()
    note = make(api, files, said)
    assert note == "GitHub Release v1.0.1 published with 3 assets (3 uploaded)"
    assert [method for method, _ in api.calls] == ["GET", "POST", "POST", "POST", "POST", "PATCH"]
    (release,) = api.releases[SLUG]
    assert (release["draft"], release["immutable"], release["body"]) == (
        False,
        True,
        "### Fixed\n- a leak\n",
    )
    sums = "".join(
        f"{hashlib.sha256(f.read_bytes()).hexdigest()}  {f.name}\n" for f in sorted(files)
    )
    digests = {a["name"]: a["digest"] for a in release["assets"]}
    assert digests["SHA256SUMS"] == "sha256:" + hashlib.sha256(sums.encode()).hexdigest()
    assert list(digests) == [*sorted(f.name for f in files), "SHA256SUMS"]
    assert said == [
        "GitHub Release v1.0.1: draft created",
        "GitHub Release v1.0.1: uploaded widget-1.0.1-py3-none-any.whl",
        "GitHub Release v1.0.1: uploaded widget-1.0.1.tar.gz",
        "GitHub Release v1.0.1: uploaded SHA256SUMS",
    ]


def test_a_second_run_changes_nothing(api: FakeGitHub, tmp_path: Path) -> None:
    files = dist(tmp_path)
    make(api, files, [])
    before = list(api.calls)
    assert make(api, files, []) == "GitHub Release v1.0.1 is already published with its 3 assets"
    assert api.calls[len(before) :] == [("GET", f"/repos/{SLUG}/releases")]


def test_a_different_asset_stops_before_any_upload(api: FakeGitHub, tmp_path: Path) -> None:
    files = dist(tmp_path)
    make(api, files, [])
    files[1].write_bytes(b"rebuilt")
    with pytest.raises(ReleaseError) as caught:
        make(api, files, [])
    assert caught.value.message == (
        "the GitHub Release of v1.0.1 already has different widget-1.0.1.tar.gz, SHA256SUMS;"
        " nothing was uploaded"
    )


def test_a_published_release_missing_an_asset_is_named(api: FakeGitHub, tmp_path: Path) -> None:
    files = dist(tmp_path)
    make(api, files[:1], [])  # published with the wheel only
    with pytest.raises(ReleaseError) as caught:
        make(api, [*files[:1], files[1]], [])
    assert "already has different SHA256SUMS" in caught.value.message


def test_an_interrupted_draft_is_finished(api: FakeGitHub, tmp_path: Path) -> None:
    files = dist(tmp_path)
    client = github.Client(SLUG, api=api.url, auth="ghp_x")
    url = f"{api.url}/repos/{SLUG}/releases"
    body = b'{"tag_name": "v1.0.1", "name": "1.0.1", "body": "", "draft": true}'
    draft = client.call("POST", url, "releases", body)
    upload = str(draft["upload_url"]).split("{")[0]
    wheel = files[0]
    client.call("POST", f"{upload}?name={wheel.name}", "assets", wheel.read_bytes(), "x/y")
    assert make(api, files, []) == "GitHub Release v1.0.1 published with 3 assets (2 uploaded)"
    (release,) = api.releases[SLUG]
    assert not release["draft"]
