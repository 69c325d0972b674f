"""release.index against the real servers: listings with hashes, uploads and refusals."""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from e2e.conftest import PASSWORD, USER
from e2e.servers import Server
from release import index
from release.errors import ReleaseError

Build = Callable[[str, str], dict[str, Path]]


@pytest.fixture(scope="session")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    """build(project, epoch): a tiny project named `<project>-<session hex>`, built at a given
    SOURCE_DATE_EPOCH (same name, other epoch: same file names, other bytes)."""
    base = tmp_path_factory.mktemp("tiny")
    suffix = secrets.token_hex(4)
    built: dict[tuple[str, str], dict[str, Path]] = {}

    def make(project: str, epoch: str) -> dict[str, Path]:
        if (project, epoch) not in built:
            root = base / project
            if not root.exists():
                (root / "tiny_pkg").mkdir(parents=True)
                (root / "tiny_pkg" / "__init__.py").write_text('__version__ = "0.1.0"\n')
                (root / "pyproject.toml").write_text(
                    '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"'
                    f'\n\n[project]\nname = "{project}-{suffix}"\nversion = "0.1.0"\n'
                    'description = "tiny"\n\n[tool.hatch.build.targets.wheel]\n'
                    'packages = ["tiny_pkg"]\n'
                )
            out = root / f"dist-{epoch}"
            argv = [sys.executable, "-m", "build", "--installer", "uv", "--outdir", str(out)]
            env = {**os.environ, "SOURCE_DATE_EPOCH": epoch}
            subprocess.run([*argv, str(root)], check=True, capture_output=True, env=env)
            found = {("wheel" if p.suffix == ".whl" else "sdist"): p for p in out.iterdir()}
            built[project, epoch] = found
        return built[project, epoch]

    return make


@pytest.fixture(autouse=True)
def credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWINE_USERNAME", USER)
    monkeypatch.setenv("TWINE_PASSWORD", PASSWORD)
    monkeypatch.setenv("RELEASE_RETRY_DELAY", "0.1")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def project_of(path: Path) -> str:
    found = index.version_of(path.name)
    assert found is not None
    return found[0]


@pytest.mark.parametrize(
    ("server", "simple", "api"),
    [("pypiserver", "simple/", "PEP 503 HTML"), ("devpi", "+simple/", "PEP 691 JSON")],
)
def test_upload_then_list_with_sha256(
    request: pytest.FixtureRequest, build: Build, server: str, simple: str, api: str
) -> None:
    where: Server = request.getfixturevalue(server)
    files = build(f"listed-{server}", "1700000000")
    target = index.resolve(where.url)
    assert target.simple_url == where.url + simple  # found by asking the server
    name = project_of(files["wheel"])
    assert index.files(target, name, "0.1.0") == []
    for path in files.values():
        index.upload(target, path)
    listed = index.files(target, name, "0.1.0")
    assert {(f.filename, f.sha256, f.api) for f in listed} == {
        (path.name, sha256(path), api) for path in files.values()
    }
    assert index.files(target, name, "0.2.0") == []
    wheel = next(f for f in listed if f.filename.endswith(".whl"))
    assert index.download(wheel.url) == files["wheel"].read_bytes()


def test_devpi_takes_the_same_file_again_but_refuses_different_bytes(
    devpi: Server, build: Build
) -> None:
    target = index.resolve(devpi.url)
    first, second = build("twice", "1700000100")["sdist"], build("twice", "1700000200")["sdist"]
    assert first.name == second.name
    assert first.read_bytes() != second.read_bytes()  # another mtime inside the tarball
    index.upload(target, first)
    index.upload(target, first)  # identical: accepted
    with pytest.raises(ReleaseError) as caught:
        index.upload(target, second)
    assert caught.value.message == (
        f"{devpi.url} refused {second.name}: HTTP 409 Conflict from {devpi.url};"
        " a file of that name is already there"
    )
    listed = index.files(target, project_of(first), "0.1.0")
    assert [(f.filename, f.sha256) for f in listed] == [(first.name, sha256(first))]


def test_wrong_password_is_refused_without_retrying(
    pypiserver: Server, build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TWINE_PASSWORD", "pw-definitely-not-it")
    wheel = build("refused", "1700000300")["wheel"]
    with pytest.raises(ReleaseError) as caught:
        index.upload(index.resolve(pypiserver.url), wheel)
    assert caught.value.message == (
        f"{pypiserver.url} refused the upload of {wheel.name}: HTTP 403 Forbidden from"
        f" {pypiserver.url} (wrong credentials?)"
    )
    assert caught.value.hint == index.CREDENTIALS_HINT


def test_no_credentials_at_all_is_named(
    pypiserver: Server, build: Build, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TWINE_USERNAME")
    monkeypatch.delenv("TWINE_PASSWORD")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    with pytest.raises(ReleaseError) as caught:
        index.upload(index.resolve(pypiserver.url), build("refused", "1700000300")["wheel"])
    assert caught.value.message == f"no credentials for {pypiserver.url}"
    assert caught.value.hint == index.CREDENTIALS_HINT
