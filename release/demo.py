"""`nox -s demo`: a full release of a sample project to a package index on this machine.

It makes a small project in a temporary directory, gives it a bare git remote, starts a
pypiserver on 127.0.0.1 (a free port, a password that lives only in the environment),
runs the whole release with `--execute` and `where = "local"`, then `verify` against that
index, prints the table, stops the server and removes everything. CI wait is off (there
is no GitHub here) and the demo says so. The index server (pypiserver, passlib) comes from
the dev extra, or else is installed once with uv into a venv in the user's cache.
"""

from __future__ import annotations

import importlib.util
import json
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from release import proc
from release.errors import ReleaseError
from release.state import cache_home
from release.venvcheck import Venv, installer_complaint

VERSION = "0.2.0"
USER = "demo"
#: What the index server needs: the dev extra has both; without it, a cached venv does.
SERVER_REQUIREMENTS = ("pypiserver>=2.3", "passlib>=1.7")
SERVER_VENV = "demo-index-server"
READY = "release-parity-ready"  # written last: a venv without it is rebuilt
#: Run by the server's Python: its passlib writes the htpasswd (users arrive as JSON in
#: the environment, so no password is ever on a command line).
HTPASSWD = """\
import json, os, sys, warnings
warnings.simplefilter("ignore", DeprecationWarning)  # passlib imports the deprecated crypt
from passlib.apache import HtpasswdFile
users = HtpasswdFile(sys.argv[1], new=True)
for user, password in json.loads(os.environ["RELEASE_DEMO_USERS"]).items():
    users.set_password(user, password)
users.save()
"""

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


def _has_server_here() -> bool:
    """This Python has the dev extra's pypiserver and passlib."""
    found = all(importlib.util.find_spec(name) for name in ("pypiserver", "passlib"))
    return found and (Path(sys.executable).parent / "pypi-server").exists()


def server_python() -> Path:
    """A Python that has pypiserver and passlib: this one (the dev extra), else the cached
    venv, which uv makes the first time it is needed."""
    if _has_server_here():
        return Path(sys.executable)
    venv = Venv(cache_home() / SERVER_VENV)
    if not ((venv.path / READY).exists() and venv.python.exists()):  # a Python gone: again
        _install_server(venv)
    return venv.python


def _install_server(venv: Venv) -> None:
    fix = "pip install -e '.[dev]', or let uv reach PyPI once, then run nox -s demo again"
    if importlib.util.find_spec("uv") is None:
        missing = "the demo's index server needs pypiserver and passlib, and uv is missing too"
        raise ReleaseError(missing, fix)
    where = venv.path
    say(f"installing the demo's index server ({', '.join(SERVER_REQUIREMENTS)}) into {where}")
    shutil.rmtree(where, ignore_errors=True)
    uv = [sys.executable, "-m", "uv"]
    try:
        proc.run([*uv, "venv", "--quiet", "--python", sys.executable, str(where)], what="uv venv")
        install = [*uv, "pip", "install", "--quiet", "--python", str(venv.python)]
        proc.run([*install, *SERVER_REQUIREMENTS], what="uv pip install")
    except ReleaseError as error:
        shutil.rmtree(where, ignore_errors=True)
        reason = installer_complaint(error.detail) if error.detail.strip() else error.message
        raise ReleaseError(f"could not install the demo's index server: {reason}", fix) from None
    (where / READY).write_text(" ".join(SERVER_REQUIREMENTS) + "\n")


@contextmanager
def pypiserver(directory: Path, users: Mapping[str, str]) -> Iterator[str]:
    """A pypiserver on a free loopback port; uploads need a password (htpasswd). Yields its URL."""
    python = server_python()
    for password in users.values():
        proc.add_secret(password)
    packages = directory / "packages"
    packages.mkdir(parents=True, exist_ok=True)
    proc.run(
        [str(python), "-c", HTPASSWD, str(directory / "htpasswd")],
        env={"RELEASE_DEMO_USERS": json.dumps(dict(users))},
        what="write the htpasswd",
    )
    port = free_port()
    argv = [
        str(python.parent / "pypi-server"),
        "run",
        "-p",
        str(port),
        "-i",
        "127.0.0.1",
        "-a",
        "update",
        "-P",
        str(directory / "htpasswd"),
        "--disable-fallback",
        str(packages),
    ]
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
    values = {
        "@INDEX@": index,
        "@NAME@": name,
        "@PYTHON@": f"{sys.version_info.major}.{sys.version_info.minor}",
    }
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
    for argv in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        ["git", "commit", "-q", "-m", "Initial commit"],
        ["git", "init", "-q", "--bare", str(remote)],
        ["git", "remote", "add", "origin", str(remote)],
        ["git", "push", "-q", "-u", "origin", "main"],
    ):
        proc.run(argv, cwd=root, env=GIT_IDENTITY)


#: The demo's commits carry this identity, so it runs where git has none configured.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "release-parity demo",
    "GIT_AUTHOR_EMAIL": "demo@example.invalid",
    "GIT_COMMITTER_NAME": "release-parity demo",
    "GIT_COMMITTER_EMAIL": "demo@example.invalid",
}


def main() -> int:
    """Run the demo; 0 when the release and the verify table passed. A problem is its
    `error:` and `hint:` lines, never a traceback."""
    try:
        return _demo()
    except ReleaseError as error:
        print(error.render(), file=sys.stderr, flush=True)
        return error.exit_code


def _demo() -> int:
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
            say(
                "CI wait is OFF (--no-wait-ci): there is no GitHub here. A real release waits"
                " until CI passed on the release commit before its tag is pushed."
            )
            released = proc.run(
                [sys.executable, "-m", "release", *command], cwd=project, env=env, check=False
            )
            sys.stderr.write(released.stderr)  # the steps; their tables follow only on failure
            if not released.ok:
                sys.stdout.write(released.stdout)
                return released.returncode
            say(f"verify against that index: python -m release verify {VERSION} --index {url}")
            verified = proc.run(
                [sys.executable, "-m", "release", "verify", VERSION, "--index", url],
                cwd=project,
                env=env,
                check=False,
            )
            sys.stdout.write(verified.stdout)
            sys.stderr.write(verified.stderr)
            say("stopping the index and removing " + str(base))
            return verified.returncode
    finally:
        shutil.rmtree(base, ignore_errors=True)
