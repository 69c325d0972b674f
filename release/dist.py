"""dist/ and its manifest: what was built, with name, size and sha256 of each artifact.

build writes the manifest; wheelcheck, publish and verify read it, each file re-hashed,
so nothing that changed since the build can be checked or uploaded.
"""

from __future__ import annotations

import hashlib
import json
import tarfile
import zipfile
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from pathlib import Path

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from release.errors import ReleaseError

DIST = "dist"
MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Artifact:
    filename: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    """dist/manifest.json: {"name", "version", "files": [{filename, size, sha256}]}."""

    name: str
    version: str
    files: tuple[Artifact, ...]

    def path(self, root: Path, suffix: str) -> Path:
        """The one artifact whose name ends with `suffix` ('.whl' or '.tar.gz')."""
        found = [f.filename for f in self.files if f.filename.endswith(suffix)]
        if len(found) != 1:
            raise ReleaseError(
                f"{DIST}/{MANIFEST} lists {len(found)} '{suffix}' files, expected one",
                "run the build step again (nox -s build)",
            )
        return root / DIST / found[0]


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def wheel_metadata(wheel: Path) -> Message:
    """The core metadata of a wheel (`.dist-info/METADATA`)."""
    with zipfile.ZipFile(wheel) as archive:
        names = [
            n for n in archive.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
        ]
        if len(names) != 1:
            raise ReleaseError(f"{wheel.name} has {len(names)} .dist-info/METADATA files")
        return HeaderParser().parsestr(archive.read(names[0]).decode("utf-8"))


def sdist_metadata(sdist: Path) -> Message:
    """The core metadata of an sdist (its top-level PKG-INFO)."""
    with tarfile.open(sdist) as archive:
        members = [
            m
            for m in archive.getmembers()
            if m.isfile() and m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")
        ]
        handle = archive.extractfile(members[0]) if len(members) == 1 else None
        if handle is None:
            raise ReleaseError(f"{sdist.name} has no PKG-INFO at its top")
        return HeaderParser().parsestr(handle.read().decode("utf-8"))


def read_manifest(root: Path) -> Manifest:
    """The manifest, after checking every listed file is there with the recorded hash."""
    path = root / DIST / MANIFEST
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = tuple(Artifact(f["filename"], int(f["size"]), f["sha256"]) for f in data["files"])
        manifest = Manifest(str(data["name"]), str(data["version"]), files)
    except FileNotFoundError:
        raise ReleaseError(f"{DIST}/{MANIFEST} not found", "build first: nox -s build") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ReleaseError(
            f"{path} is not a build manifest ({exc!r})", "build again: nox -s build"
        ) from None
    for artifact in manifest.files:
        file = root / DIST / artifact.filename
        if not file.is_file() or sha256(file) != artifact.sha256:
            raise ReleaseError(
                f"{DIST}/{artifact.filename} is missing or changed since it was built",
                "build again: nox -s build",
            )
    return manifest


def write_manifest(dist: Path) -> Manifest:
    files = sorted(p for p in dist.iterdir() if p.name.endswith((".whl", ".tar.gz")))
    wheels = [p for p in files if p.suffix == ".whl"]
    if len(files) != 2 or len(wheels) != 1:
        raise ReleaseError(
            f"the build left {', '.join(p.name for p in files) or 'nothing'} in {DIST}/,"
            " expected one sdist and one wheel",
            "check the build backend's configuration",
        )
    metadata = wheel_metadata(wheels[0])
    manifest = Manifest(
        str(metadata.get("Name", "")),
        str(metadata.get("Version", "")),
        tuple(Artifact(p.name, p.stat().st_size, sha256(p)) for p in files),
    )
    data = {
        "name": manifest.name,
        "version": manifest.version,
        "files": [vars(artifact) for artifact in manifest.files],
    }
    (dist / MANIFEST).write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return manifest


@dataclass(frozen=True)
class Local:
    path: Path
    sha256: str


def local_files(root: Path, version: Version) -> list[Local]:
    """dist/ as the manifest lists it (hashes re-checked), wheels first."""
    manifest = read_manifest(root)
    if Version(manifest.version) != version:
        raise ReleaseError(
            f"{DIST}/ holds {manifest.name} {manifest.version}, not {version}",
            "build this version first: nox -s build",
        )
    ordered = sorted(manifest.files, key=lambda a: (not a.filename.endswith(".whl"), a.filename))
    return [Local(root / DIST / a.filename, a.sha256) for a in ordered]


def release_files(root: Path, version: Version) -> list[Path]:
    """Every sdist and wheel of `version` in dist/: what a GitHub Release carries (with a
    native package, the wheels of every platform, gathered there from their runners)."""
    found = []
    for path in sorted((root / DIST).glob("*")):
        try:
            if path.name.endswith(".whl"):
                built = parse_wheel_filename(path.name)[1]
            elif path.name.endswith(".tar.gz"):
                built = parse_sdist_filename(path.name)[1]
            else:
                continue
        except (InvalidWheelFilename, InvalidSdistFilename):
            continue
        if built == version:
            found.append(path)
    if not found:
        raise ReleaseError(f"{DIST}/ holds no file of {version}", "build it first: nox -s build")
    return found
