"""The tag's GitHub Release, made so that immutable releases work: created as a draft, every
dist file and a SHA256SUMS file uploaded to the draft, then published, nothing after.

Before acting it reads what is there: a published release with the same assets is kept as
it is (a re-run changes nothing); an asset that differs, or one missing from a published
release (which takes no upload any more), stops with the names. A draft left by an
interrupted run is finished: what it holds is checked, what it lacks is uploaded.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from packaging.version import Version

from release import changelog, dist, faults, files, git, github, remote
from release.config import Config
from release.errors import ReleaseError
from release.github import Client
from release.options import CI_TIMEOUT
from release.versioning import tag_for

SUMS = "SHA256SUMS"


@dataclass(frozen=True)
class Asset:
    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def assets(files: Sequence[Path]) -> list[Asset]:
    """The dist files, then SHA256SUMS (`sha256sum -c` reads it)."""
    found = [Asset(path.name, path.read_bytes()) for path in sorted(files)]
    sums = "".join(f"{asset.sha256}  {asset.name}\n" for asset in found)
    return [*found, Asset(SUMS, sums.encode("utf-8"))]


def _digest(remote: Mapping[str, Any]) -> str:
    """The sha256 GitHub records for an asset ('' where it records none)."""
    digest = str(remote.get("digest") or "")
    return digest.removeprefix("sha256:") if digest.startswith("sha256:") else ""


def _differing(release: Mapping[str, Any], wanted: Sequence[Asset]) -> list[str]:
    """The assets of `release` that are not the ones wanted (same name, other content)."""
    there = {str(item["name"]): item for item in release.get("assets", [])}
    differing = []
    for asset in wanted:
        remote = there.get(asset.name)
        if remote is None:
            continue
        digest = _digest(remote)
        same = digest == asset.sha256 if digest else int(remote.get("size", -1)) == len(asset.data)
        if not same:
            differing.append(asset.name)
    return differing


def _by_tag(client: Client, tag: str) -> dict[str, Any] | None:
    """The release of `tag`, a draft included (the by-tag endpoint omits drafts)."""
    for release in client.get("releases", {"per_page": "100"}):
        if release.get("tag_name") == tag:
            return dict(release)
    return None


def make(
    client: Client,
    tag: str,
    title: str,
    notes: str,
    files: Sequence[Path],
    *,
    prerelease: bool,
    say: Callable[[str], None],
) -> str:
    """Draft, assets, publish: what was done, in one line."""
    wanted = assets(files)
    release = _by_tag(client, tag)
    if release is not None:
        differing = _differing(release, wanted)
        if differing:
            raise ReleaseError(
                f"the GitHub Release of {tag} already has different {', '.join(differing)};"
                " nothing was uploaded",
                "a release's assets are its record: if dist/ is right, delete that release on"
                " GitHub (a draft) or release a new version; else rebuild from the tag",
            )
    there = {str(item["name"]) for item in (release or {}).get("assets", [])}
    missing = [asset for asset in wanted if asset.name not in there]
    if release is not None and not release.get("draft"):
        if missing:
            raise ReleaseError(
                f"the GitHub Release of {tag} is published without"
                f" {', '.join(a.name for a in missing)}; a published release takes no upload",
                "attach them by hand if your releases are not immutable, or release a new version",
            )
        return f"GitHub Release {tag} is already published with its {len(wanted)} assets"
    if release is None:
        body: dict[str, Any] = {"tag_name": tag, "name": title, "body": notes}
        body |= {"draft": True, "prerelease": prerelease}
        url = f"{client.api}/repos/{client.slug}/releases"
        release = client.call("POST", url, "releases", json.dumps(body).encode("utf-8"))
        say(f"GitHub Release {tag}: draft created")
    upload = str(release["upload_url"]).split("{", 1)[0]
    for number, asset in enumerate(missing):
        if number:
            faults.point("mid-github-release")
        client.call(
            "POST",
            f"{upload}?name={quote(asset.name)}",
            f"releases/{release['id']}/assets",
            asset.data,
            "application/octet-stream",
        )
        say(f"GitHub Release {tag}: uploaded {asset.name}")
    client.call(
        "PATCH",
        f"{client.api}/repos/{client.slug}/releases/{release['id']}",
        f"releases/{release['id']}",
        json.dumps({"draft": False}).encode("utf-8"),
    )
    return f"GitHub Release {tag} published with {len(wanted)} assets ({len(missing)} uploaded)"


def notes(config: Config, version: str, text: str | None = None) -> str:
    """The changelog section of `version`, as Markdown: the release's body ('' without one).
    `text`: the changelog as a commit has it (a release pull request's), else the file's."""
    if not config.changelog:
        return ""
    if text is None:
        text = files.read_text(config.root, config.changelog)
    tags = changelog.Tags(config.tag_format, config.tag_pre_release)
    return changelog.extract(text, version, config.changelog, tags)


def on_github(config: Config) -> bool:
    """Is the release remote a GitHub repository (or named by GITHUB_REPOSITORY, as in CI)?"""
    if os.environ.get("GITHUB_REPOSITORY"):
        return True
    name = remote.name(config.root, config.branch, required=False)
    url = git.git(config.root, "remote", "get-url", name, check=False).strip() if name else ""
    return bool(github.slug_from_url(url))


def publish(config: Config, version: Version, say: Callable[[str], None]) -> str:
    """The GitHub Release of `version` from dist/, its notes from the changelog."""
    client = github.client(config, CI_TIMEOUT, say)
    local = dist.release_files(config.root, version)
    tag = tag_for(version, config.tag_format, config.tag_pre_release)
    body = notes(config, str(version))
    return make(client, tag, str(version), body, local, prerelease=version.is_prerelease, say=say)
