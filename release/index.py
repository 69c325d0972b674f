"""Package indexes: where to upload, what is already there, and the upload itself.

An index is named the way twine users name one: `pypi`, `testpypi`, a section of
~/.pypirc, or a URL. What is on it is read from the simple API (PEP 691 JSON when the
index offers it, PEP 503 HTML otherwise) with each file's sha256, so "already uploaded"
is decided here by hash: twine 7 refuses `--skip-existing` for indexes other than PyPI.
Uploads go through twine with credentials only in its environment.
"""

from __future__ import annotations

import configparser
import functools
import hashlib
import json
import os
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urljoin, urlsplit

from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from release import http, proc
from release.config import Publish
from release.errors import ReleaseError, UsageError
from release.proc import NULL_LOG, Log


class Builtin(NamedTuple):
    """An index known by name: where to upload, its simple API, a project's page."""

    upload: str
    simple: str
    page: str  # with {name}


BUILTIN = {
    "pypi": Builtin(
        "https://upload.pypi.org/legacy/",
        "https://pypi.org/simple/",
        "https://pypi.org/project/{name}/",
    ),
    "testpypi": Builtin(
        "https://test.pypi.org/legacy/",
        "https://test.pypi.org/simple/",
        "https://test.pypi.org/project/{name}/",
    ),
}
ACCEPT = (
    "application/vnd.pypi.simple.v1+json, application/vnd.pypi.simple.v1+html;q=0.2,"
    " text/html;q=0.1"
)
CREDENTIALS_HINT = (
    "set TWINE_USERNAME and TWINE_PASSWORD, or PYPI_TOKEN (sent as __token__),"
    " or store the password in keyring"
)


@dataclass(frozen=True)
class Index:
    """One package index: its upload URL and, found on first use, its simple API URL."""

    name: str  # as the user wrote it: pypi, testpypi, a ~/.pypirc section or a URL
    upload_url: str
    known_simple_url: str = ""
    username: str = ""  # from ~/.pypirc
    password: str = field(default="", repr=False)  # from ~/.pypirc; travels only in env

    @property
    def simple_url(self) -> str:
        return self.known_simple_url or _discover_simple(self.upload_url)

    @property
    def is_testpypi(self) -> bool:
        return "test.pypi.org" in self.upload_url

    def project_url(self, project: str) -> str:
        return f"{self.simple_url}{canonicalize_name(project)}/"

    def pip_args(self) -> list[str]:
        """pip/uv options that install from this index (TestPyPI: dependencies from PyPI)."""
        extra = ["--extra-index-url", BUILTIN["pypi"].simple] if self.is_testpypi else []
        return ["--index-url", self.simple_url, *extra]

    def __str__(self) -> str:
        return self.name if self.name == self.upload_url else f"{self.name} ({self.upload_url})"


def pypirc_path() -> Path:
    return Path.home() / ".pypirc"


def resolve(spec: str) -> Index:
    """A name from ~/.pypirc, a built-in name (pypi, testpypi) or a URL -> an Index."""
    spec = spec.strip()
    if not spec:
        raise UsageError("no package index given", "name one: pypi, testpypi, or a URL")
    if re.match(r"https?://", spec):
        return _from_url(spec, spec)
    parser = configparser.RawConfigParser()
    path = pypirc_path()
    try:
        parser.read(path, encoding="utf-8")
    except configparser.Error as error:
        raise UsageError(f"{path}: cannot be read: {error}", "fix its syntax") from None
    if parser.has_section(spec):
        section = parser[spec]
        url = section.get("repository", "") or (BUILTIN[spec].upload if spec in BUILTIN else "")
        if not url:
            raise UsageError(
                f"{path}: [{spec}] has no repository URL", "add repository = https://..."
            )
        password = section.get("password", "")
        proc.add_secret(password)
        found = _from_url(spec, url)
        return Index(
            spec, found.upload_url, found.known_simple_url, section.get("username", ""), password
        )
    if spec in BUILTIN:
        upload, simple, _ = BUILTIN[spec]
        return Index(spec, upload, simple)
    raise UsageError(
        f"unknown package index '{spec}'",
        f"use pypi, testpypi, a URL, or a section of {path}",
    )


def _from_url(name: str, url: str) -> Index:
    """An upload URL, or a simple API URL (…/simple/, …/+simple/) whose upload URL is its parent."""
    url = url if url.endswith("/") else url + "/"
    for upload, simple, _ in BUILTIN.values():
        if url in (upload, simple):
            return Index(name, upload, simple)
    for marker in ("+simple/", "simple/"):
        if url.endswith("/" + marker):
            return Index(name, url[: -len(marker)], url)
    return Index(name, url)


@functools.cache
def _discover_simple(upload_url: str) -> str:
    """devpi serves `<index>/+simple/`, pypiserver `<root>/simple/`: ask which one answers."""
    candidate = upload_url + "+simple/"
    try:
        response = http.get(candidate, {"Accept": ACCEPT}, what="probe", attempts=1, timeout=10)
    except ReleaseError:
        response = None
    if response is not None and response.status == 200 and response.url == candidate:
        return candidate
    return upload_url + "simple/"


def for_version(publish: Publish, version: Version) -> str:
    """The index a version goes to: publish.pre-release for a/b/rc/dev, else publish.final."""
    return publish.pre_release if version.is_prerelease else publish.final


@dataclass(frozen=True)
class RemoteFile:
    filename: str
    url: str
    sha256: str
    api: str  # how the index told us: "PEP 691 JSON" or "PEP 503 HTML"


def version_of(filename: str) -> tuple[str, Version] | None:
    """(normalised project name, version) of a wheel or sdist file name; None otherwise."""
    try:
        if filename.endswith(".whl"):
            name, version, _, _ = parse_wheel_filename(filename)
        else:
            name, version = parse_sdist_filename(filename)
    except (InvalidWheelFilename, InvalidSdistFilename):
        return None
    return str(name), version


def listing(index: Index, project: str) -> list[RemoteFile]:
    """Every file of `project` on the index with its sha256 ([] when the project is unknown)."""
    url = index.project_url(project)
    response = http.get(url, {"Accept": ACCEPT}, what=f"reading {url}")
    if response.status == 404:
        return []
    if response.status != 200:
        raise ReleaseError(
            f"{index.name} answered HTTP {response.status} for {url}",
            "check the index URL and whether it needs credentials to read",
        )
    api = "PEP 503 HTML"
    if response.content_type == "application/vnd.pypi.simple.v1+json":
        api = "PEP 691 JSON"
        links = [
            (item["filename"], item["url"], item.get("hashes", {}).get("sha256", ""))
            for item in json.loads(response.body)["files"]
        ]
    else:
        parser = _Links()
        parser.feed(response.text())
        links = parser.links
    found = []
    for filename, href, listed in links:
        absolute = urljoin(response.url, href)
        fragment = urlsplit(absolute).fragment
        digest = listed
        if not digest and fragment.startswith("sha256="):
            digest = fragment.removeprefix("sha256=")
        absolute = absolute.split("#", 1)[0]
        found.append(RemoteFile(filename, absolute, digest or _sha256_of(absolute), api))
    return found


def files(index: Index, project: str, version: Version | str) -> list[RemoteFile]:
    """The files of one version of `project` on the index."""
    wanted = (str(canonicalize_name(project)), Version(str(version)))
    return [item for item in listing(index, project) if version_of(item.filename) == wanted]


def download(url: str) -> bytes:
    response = http.get(url, what=f"downloading {url}")
    if response.status != 200:
        raise ReleaseError(f"downloading {url}: HTTP {response.status}")
    return response.body


def _sha256_of(url: str) -> str:
    return hashlib.sha256(download(url)).hexdigest()


class _Links(HTMLParser):
    """PEP 503: every <a href> of a project page, with the file name as its text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str, str]] = []
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""

    def handle_data(self, data: str) -> None:
        if self._href is not None and data.strip():
            self.links.append((data.strip(), self._href, ""))
            self._href = None

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._href = None


def credentials(index: Index) -> dict[str, str]:
    """twine's environment for this index; the secret itself never reaches an argv."""
    env = os.environ
    if env.get("TWINE_USERNAME") or env.get("TWINE_PASSWORD"):
        return {}  # twine reads them itself
    token = (env.get("TESTPYPI_TOKEN") if index.is_testpypi else "") or env.get("PYPI_TOKEN")
    if token:
        return {"TWINE_USERNAME": "__token__", "TWINE_PASSWORD": token}
    if index.password:
        return {"TWINE_USERNAME": index.username or "__token__", "TWINE_PASSWORD": index.password}
    return {"TWINE_USERNAME": index.username or "__token__"}  # twine asks keyring


_STATUS = re.compile(r"HTTPError: (\d{3})([^\n]*)")
_OUTAGE = re.compile(r"ConnectionError|Connection refused|Max retries exceeded|timed out")


def upload(
    index: Index,
    path: Path,
    *,
    log: Log = NULL_LOG,
    attempts: int = http.ATTEMPTS,
    already_there: Callable[[], bool] = lambda: False,
) -> None:
    """Upload one file with twine; retry a 5xx or an outage (after `already_there()` says no).

    A refusal (wrong credentials, a conflict) is not retried: it is named, with the fix.
    """
    argv = [
        sys.executable,
        "-m",
        "twine",
        "--no-color",
        "upload",
        "--non-interactive",
        "--disable-progress-bar",
        "--repository-url",
        index.upload_url,
        str(path),
    ]
    reason = ""
    for attempt in range(1, attempts + 1):
        result = proc.run(argv, env=credentials(index), log=log, check=False)
        if result.ok:
            return
        output = proc.redact(result.stdout + result.stderr)
        status = _STATUS.search(output)
        code = int(status.group(1)) if status else 0
        reason = f"HTTP {code}{status.group(2)}".strip() if status else _last_line(output)
        if status and not http.transient(code):
            raise _refusal(index, path.name, code, reason)
        if not status and not _OUTAGE.search(output):
            _refuse_without_password(output, index)
            raise ReleaseError(
                f"uploading {path.name} to {index} failed: {reason}",
                proc.log_hint(log),
                detail=_tail(output),
            )
        log.write(f"attempt {attempt} of {attempts} failed: {reason}")
        if attempt < attempts:
            time.sleep(http.pause(attempt))
            if already_there():  # the index stored it before it failed to answer
                return
    raise ReleaseError(
        f"could not upload {path.name} to {index}: {reason} (after {attempts} attempts)",
        "the index seems down; run the same command again later: uploaded files are skipped",
    )


def _refusal(index: Index, filename: str, code: int, reason: str) -> ReleaseError:
    if code in (401, 403):
        return ReleaseError(
            f"{index} refused the upload of {filename}: {reason} (wrong credentials?)",
            CREDENTIALS_HINT,
        )
    if code in (400, 409):
        return ReleaseError(
            f"{index} refused {filename}: {reason}; a file of that name is already there",
            "an index never takes a file twice: release a new version (e.g. a .post1)",
        )
    return ReleaseError(
        f"{index} refused the upload of {filename}: {reason}",
        f"check the upload URL {index.upload_url}",
    )


def _refuse_without_password(output: str, index: Index) -> None:
    if re.search(r"NonInteractive|password was not provided|Credential not found", output):
        raise ReleaseError(f"no credentials for {index}", CREDENTIALS_HINT)


def _last_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    return lines[-1] if lines else "no output"


def _tail(output: str) -> str:
    return "\n".join(output.splitlines()[-10:])
