"""Wheels made on this machine, without an index: the tests' own copy of PyPI.

`tool_wheel` is this checkout as a release-parity wheel under another version (as a
release would build it: the package folder, the metadata with that version).
`dependency_wheels` writes a wheel for each installed distribution release-parity and
nox need, from the files its RECORD lists, so a venv can install the tool from a
local index with no network.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import re
import zipfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

import release

CHECKOUT = Path(release.__file__).parent
SCRIPTS = "../../../bin/"


def _digest(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


PURE = (
    "Wheel-Version: 1.0\nGenerator: tests/wheelhouse.py\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
)


def write_wheel(directory: Path, stem: str, files: Mapping[str, bytes], wheel: str = PURE) -> Path:
    """A wheel of `files` (archive path -> bytes; the .dist-info's files but WHEEL and RECORD).

    `stem` is `name-version` as the .dist-info folder spells it; `wheel` is the WHEEL file,
    its tags, compressed (`py2.py3-none-any`), name the file."""
    info = f"{stem}.dist-info"
    contents = {**files, f"{info}/WHEEL": wheel.encode()}
    record = [f"{path},{_digest(data)},{len(data)}" for path, data in contents.items()]
    contents[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    tags = [
        line.removeprefix("Tag: ").split("-")
        for line in wheel.splitlines()
        if line.startswith("Tag: ")
    ]
    compressed = "-".join(".".join(dict.fromkeys(tag[part] for tag in tags)) for part in range(3))
    path = directory / f"{stem}-{compressed}.whl"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in contents.items():
            archive.writestr(member, data)
    return path


def tool_wheel(directory: Path, version: str) -> Path:
    """This checkout's `release` package as release-parity `version`."""
    installed = importlib.metadata.distribution("release-parity")
    metadata = re.sub(
        r"(?m)^Version: .*$", f"Version: {version}", installed.read_text("METADATA") or ""
    )
    files = {}
    for path in sorted(CHECKOUT.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            files[f"release/{path.relative_to(CHECKOUT).as_posix()}"] = path.read_bytes()
    init = files["release/__init__.py"].decode()
    files["release/__init__.py"] = re.sub(
        r'__version__ = "[^"]+"', f'__version__ = "{version}"', init
    ).encode()
    info = f"release_parity-{version}.dist-info"
    files[f"{info}/METADATA"] = metadata.encode()
    files[f"{info}/entry_points.txt"] = (installed.read_text("entry_points.txt") or "").encode()
    return write_wheel(directory, f"release_parity-{version}", files)


def _needed(requirements: Iterable[str]) -> list[importlib.metadata.Distribution]:
    """The installed distributions `requirements` need here, each once, dependencies included."""
    found: dict[str, importlib.metadata.Distribution] = {}
    todo = [Requirement(text) for text in requirements]
    while todo:
        requirement = todo.pop()
        name = canonicalize_name(requirement.name)
        if name in found or (requirement.marker and not requirement.marker.evaluate({"extra": ""})):
            continue
        found[name] = importlib.metadata.distribution(name)
        todo += [Requirement(text) for text in found[name].requires or ()]
    return list(found.values())


def repack(dist: importlib.metadata.Distribution, directory: Path) -> Path:
    """An installed distribution as a wheel again: the files its RECORD lists, its scripts
    (a console script is left out: the installer writes it from entry_points.txt)."""
    entry_points = {point.name for point in dist.entry_points if point.group.endswith("_scripts")}
    stem = next(f for f in dist.files or () if f.name == "METADATA").parent.name.removesuffix(
        ".dist-info"
    )
    data = f"{stem}.data/scripts/"
    files = {}
    for file in dist.files or ():
        path = file.as_posix()
        if path.endswith(
            (".pyc", "/RECORD", "/WHEEL", "/INSTALLER", "/REQUESTED", "direct_url.json")
        ):
            continue
        if path.startswith(SCRIPTS):
            if path.removeprefix(SCRIPTS) in entry_points:
                continue
            path = data + path.removeprefix(SCRIPTS)
        files[path] = Path(str(file.locate())).read_bytes()
    return write_wheel(directory, stem, files, dist.read_text("WHEEL") or PURE)


def dependency_wheels(directory: Path) -> list[Path]:
    """A wheel of every distribution release-parity and nox need (release-parity left out)."""
    requirements = [*(importlib.metadata.requires("release-parity") or ()), "nox"]
    needed = [
        d
        for d in _needed(requirements)
        if canonicalize_name(d.metadata["Name"]) != "release-parity"
    ]
    return [repack(dist, directory) for dist in needed]
