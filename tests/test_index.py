"""Naming an index (pypi, testpypi, ~/.pypirc, a URL) and the credentials twine gets."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.version import Version

from release import index, proc
from release.config import Publish
from release.errors import UsageError


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home of our own, for ~/.pypirc; no credentials from the caller's environment."""
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("TWINE_USERNAME", "TWINE_PASSWORD", "PYPI_TOKEN", "TESTPYPI_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_builtin_names() -> None:
    pypi = index.resolve("pypi")
    assert (pypi.upload_url, pypi.simple_url) == (
        "https://upload.pypi.org/legacy/", "https://pypi.org/simple/"
    )  # fmt: skip
    test = index.resolve("testpypi")
    assert (test.upload_url, test.simple_url) == (
        "https://test.pypi.org/legacy/", "https://test.pypi.org/simple/"
    )  # fmt: skip
    assert pypi.pip_args() == ["--index-url", "https://pypi.org/simple/"]
    assert test.pip_args() == [
        "--index-url", "https://test.pypi.org/simple/",
        "--extra-index-url", "https://pypi.org/simple/",  # dependencies come from PyPI
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("url", "upload", "simple"),
    [
        ("https://pypi.org/simple", "https://upload.pypi.org/legacy/", "https://pypi.org/simple/"),
        ("http://127.0.0.1:8080/simple/", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/simple/"),
        ("http://h:3141/acme/dev/+simple/", "http://h:3141/acme/dev/", "http://h:3141/acme/dev/+simple/"),
        ("https://idx.example/upload", "https://idx.example/upload/", ""),
    ],
)  # fmt: skip
def test_urls_name_the_upload_and_the_simple_api(url: str, upload: str, simple: str) -> None:
    found = index.resolve(url)
    assert (found.upload_url, found.known_simple_url) == (upload, simple)
    assert found.name == url


def test_pypirc_section_gives_url_and_credentials_and_registers_the_secret(home: Path) -> None:
    (home / ".pypirc").write_text(
        "[distutils]\nindex-servers = internal\n\n"
        "[internal]\nrepository = http://127.0.0.1:3141/acme/dev/\n"
        "username = acme\npassword = s3cret-from-pypirc\n"
    )
    found = index.resolve("internal")
    assert found.upload_url == "http://127.0.0.1:3141/acme/dev/"
    assert index.credentials(found) == {
        "TWINE_USERNAME": "acme", "TWINE_PASSWORD": "s3cret-from-pypirc"
    }  # fmt: skip
    assert proc.redact("token s3cret-from-pypirc here") == "token ******** here"
    assert "s3cret" not in repr(found)


def test_pypirc_section_for_testpypi_without_repository_keeps_the_builtin_url(home: Path) -> None:
    (home / ".pypirc").write_text("[testpypi]\nusername = __token__\n")
    found = index.resolve("testpypi")
    assert found.upload_url == "https://test.pypi.org/legacy/"
    assert index.credentials(found) == {"TWINE_USERNAME": "__token__"}  # keyring, via twine


def test_unknown_name_is_bad_input() -> None:
    with pytest.raises(UsageError) as caught:
        index.resolve("internal")
    assert caught.value.message == "unknown package index 'internal'"
    assert caught.value.hint.startswith("use pypi, testpypi, a URL, or a section of ")


def test_pypi_token_is_sent_as_token_user(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYPI_TOKEN", "pypi-AgEIcHlwaS5vcmc-one")
    monkeypatch.setenv("TESTPYPI_TOKEN", "pypi-AgENdGVzdC-two")
    assert index.credentials(index.resolve("pypi")) == {
        "TWINE_USERNAME": "__token__", "TWINE_PASSWORD": "pypi-AgEIcHlwaS5vcmc-one"
    }  # fmt: skip
    assert index.credentials(index.resolve("testpypi"))["TWINE_PASSWORD"] == "pypi-AgENdGVzdC-two"


def test_twine_variables_win_and_are_left_to_twine(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWINE_USERNAME", "alice")
    monkeypatch.setenv("PYPI_TOKEN", "pypi-AgEIcHlwaS5vcmc-one")
    assert index.credentials(index.resolve("pypi")) == {}


@pytest.mark.parametrize(
    ("filename", "expected"),
    [
        ("enforcecore-1.0.23-py3-none-any.whl", ("enforcecore", Version("1.0.23"))),
        ("Enforce_Core-1.0.23a1.tar.gz", ("enforce-core", Version("1.0.23a1"))),
        ("enforcecore-1.0.23.zip", ("enforcecore", Version("1.0.23"))),
        ("enforcecore-1.0.23.exe", None),
        ("README.md", None),
    ],
)
def test_version_of_a_file_name(filename: str, expected: tuple[str, Version] | None) -> None:
    assert index.version_of(filename) == expected


@pytest.mark.parametrize(
    ("version", "expected"),
    [("1.0.23", "final"), ("1.0.23a1", "pre"), ("1.0.23rc2", "pre"), ("1.0.23.dev1", "pre"),
     ("1.0.23.post1", "final")],
)  # fmt: skip
def test_each_kind_of_version_goes_to_its_index(version: str, expected: str) -> None:
    assert (
        index.for_version(Publish(pre_release="pre", final="final"), Version(version)) == expected
    )
