"""`nox -s demo`: a full release of a sample project to a package index on this machine.

It makes a small project in a temporary directory, gives it a bare git remote, starts a
pypiserver on 127.0.0.1 (a free port, a password that lives only in the environment),
runs the whole release with `--execute` and `where = "local"`, then `verify` against that
index, prints the table, stops the server and removes everything. CI wait is off (there
is no GitHub here) and the demo says so. Needs the dev extra (pypiserver, passlib).
"""

from __future__ import annotations

import logging
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from release import proc
from release.errors import ReleaseError

VERSION = "0.2.0"
USER = "demo"

SAMPLE: Mapping[str, str] = {
    "pyproject.toml": """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "@NAME@"
version = "0.1.0"
description = "A sample project released by `nox -s demo`."
readme = "README.md"
requires-python = ">=3.11"
license = "MIT"

[project.scripts]
parity-demo = "parity_demo:main"

[project.urls]
Homepage = "https://example.invalid/parity-demo"

[tool.hatch.build.targets.wheel]
packages = ["parity_demo"]

[tool.release]
package = "parity_demo"
version-files = ["pyproject.toml:project.version", "parity_demo/__init__.py:__version__"]
smoke = ["parity-demo Ada"]

[tool.release.publish]
where = "local"
pre-release = "@INDEX@"
final = "@INDEX@"

[tool.release.gates.tests]
run = ["python -m unittest discover -s tests -t ."]
python = ["@PYTHON@"]
""",
    "parity_demo/__init__.py": '''\
"""A greeting, released by release-parity's demo."""

import sys

__version__ = "0.1.0"
__all__ = ["__version__", "greet", "main"]


def greet(name: str) -> str:
    return f"Hello, {name}!"


def main() -> None:
    print(greet(" ".join(sys.argv[1:]) or "world"))
''',
    "tests/__init__.py": "",
    "tests/test_greet.py": """\
import unittest

from parity_demo import greet


class GreetTest(unittest.TestCase):
    def test_greet(self) -> None:
        self.assertEqual(greet("Ada"), "Hello, Ada!")
""",
    "README.md": "# parity-demo\n\nA sample project released by `nox -s demo`.\n",
    "CHANGELOG.md": """\
# Changelog

## [Unreleased]

### Added
- `greet()` and the `parity-demo` command.

## [0.1.0] - 2026-01-01

### Added
- The project.
""",
    ".gitignore": "dist/\n.nox/\n.release/\n__pycache__/\n",
    "noxfile.py": "from release.adapters.nox_sessions import register\n\nregister()\n",
}


def say(text: str) -> None:
    print(f"\n==> {text}", flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def pypiserver(directory: Path, users: Mapping[str, str]) -> Iterator[str]:
    """A pypiserver on a free loopback port; uploads need a password (htpasswd). Yields its URL."""
    with warnings.catch_warnings():  # passlib still imports the deprecated crypt module
        warnings.simplefilter("ignore", DeprecationWarning)
        from passlib.apache import HtpasswdFile  # type: ignore[import-untyped]
    logging.getLogger("passlib").setLevel(logging.WARNING)  # nox logs DEBUG: keep it quiet
    packages = directory / "packages"
    packages.mkdir(parents=True, exist_ok=True)
    htpasswd = HtpasswdFile(str(directory / "htpasswd"), new=True)
    for user, password in users.items():
        htpasswd.set_password(user, password)
    htpasswd.save()
    port = free_port()
    argv = [str(Path(sys.executable).parent / "pypi-server"), "run", "-p", str(port),
            "-i", "127.0.0.1", "-a", "update", "-P", str(directory / "htpasswd"),
            "--disable-fallback", str(packages)]  # fmt: skip
    with (directory / "server.log").open("wb") as log:
        server = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_until_up(url + "simple/", server, directory / "server.log")
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def wait_until_up(
    url: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 60
) -> None:
    """Until `url` answers at all; the server's log tail if it dies first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise ReleaseError(f"the server for {url} exited", detail=log.read_text()[-2000:])
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our loopback server
                return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.1)
    raise ReleaseError(f"no answer from {url} within {timeout:.0f} s")


def make_project(root: Path, index: str, name: str = "parity-demo") -> None:
    """The sample project, committed, its workflows generated, pushed to a bare remote."""
    values = {"@INDEX@": index, "@NAME@": name,
              "@PYTHON@": f"{sys.version_info.major}.{sys.version_info.minor}"}  # fmt: skip
    for relative, template in SAMPLE.items():
        text = template
        for key, value in values.items():
            text = text.replace(key, value)
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    remote = root.parent / f"{root.name}-remote.git"
    cli = [sys.executable, "-m", "release"]
    proc.run([*cli, "parity", "--write"], cwd=root, what="generate the workflows")
    for argv in (["git", "init", "-q", "-b", "main"], ["git", "add", "-A"],
                 ["git", "commit", "-q", "-m", "Initial commit"],
                 ["git", "init", "-q", "--bare", str(remote)],
                 ["git", "remote", "add", "origin", str(remote)],
                 ["git", "push", "-q", "-u", "origin", "main"]):  # fmt: skip
        proc.run(argv, cwd=root, env=GIT_IDENTITY)


#: The demo's commits carry this identity, so it runs where git has none configured.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "release-parity demo",
    "GIT_AUTHOR_EMAIL": "demo@example.invalid",
    "GIT_COMMITTER_NAME": "release-parity demo",
    "GIT_COMMITTER_EMAIL": "demo@example.invalid",
}


def main() -> int:
    """Run the demo; 0 when the release and the verify table passed."""
    base = Path(tempfile.mkdtemp(prefix="release-demo-"))
    password = secrets.token_urlsafe(16)
    env = {**GIT_IDENTITY, "TWINE_USERNAME": USER, "TWINE_PASSWORD": password}
    try:
        with pypiserver(base / "index", {USER: password}) as url:
            say(f"pypiserver on {url} (user '{USER}', password only in the environment)")
            project = base / "parity-demo"
            make_project(project, url)
            say(f"sample project {project}, pushed to the bare remote {project}-remote.git")
            command = ["release", VERSION, "--execute", "--no-wait-ci"]
            say("the whole release: python -m release " + " ".join(command))
            say("CI wait is OFF (--no-wait-ci): there is no GitHub here. A real release waits"
                " until CI passed on the release commit before its tag is pushed.")  # fmt: skip
            released = proc.run([sys.executable, "-m", "release", *command], cwd=project,
                                env=env, check=False)  # fmt: skip
            sys.stderr.write(released.stderr)  # the steps; their tables follow only on failure
            if not released.ok:
                sys.stdout.write(released.stdout)
                return released.returncode
            say(f"verify against that index: python -m release verify {VERSION} --index {url}")
            verified = proc.run([sys.executable, "-m", "release", "verify", VERSION, "--index",
                                 url], cwd=project, env=env, check=False)  # fmt: skip
            sys.stdout.write(verified.stdout)
            sys.stderr.write(verified.stderr)
            say("stopping the index and removing " + str(base))
            return verified.returncode
    finally:
        shutil.rmtree(base, ignore_errors=True)
