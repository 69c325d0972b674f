"""The one subprocess gateway: every child process goes through `run`.

It keeps secrets out of argv, output and logs (one redaction filter), writes each
command and its output to the step's log, and turns a failure into a ReleaseError
that carries the tail of the output.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from release.errors import ReleaseError

#: Environment variables whose values are secrets wherever they appear.
SECRET_VARIABLES = (
    "TWINE_PASSWORD",
    "PYPI_TOKEN",
    "TESTPYPI_TOKEN",
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "RELEASE_INDEX_PASSWORD",
)
_extra_secrets: set[str] = set()
_lock = threading.Lock()


def add_secret(value: str) -> None:
    """Register a secret that did not come from a known variable (e.g. from a .pypirc)."""
    if len(value) >= 4:
        with _lock:
            _extra_secrets.add(value)


def secrets(env: Mapping[str, str] | None = None) -> list[str]:
    env = os.environ if env is None else env
    found = {env[name] for name in SECRET_VARIABLES if len(env.get(name, "")) >= 4}
    with _lock:
        found |= _extra_secrets
    return sorted(found, key=len, reverse=True)


def redact(text: str, env: Mapping[str, str] | None = None) -> str:
    for secret in secrets(env):
        text = text.replace(secret, "********")
    return text


def quote(argv: Sequence[str]) -> str:
    return shlex.join(argv)


@dataclass(frozen=True)
class Result:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


class Log:
    """A step's log file; every line written through it is redacted."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._file: TextIO | None = None
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._file = path.open("a", encoding="utf-8")

    def write(self, text: str) -> None:
        if self._file is not None:
            self._file.write(redact(text))
            if not text.endswith("\n"):
                self._file.write("\n")
            self._file.flush()

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


NULL_LOG = Log(None)


def log_hint(log: Log) -> str:
    return f"full output in {log.path}" if log.path else ""


def run(
    argv: Sequence[str],
    *,
    cwd: Path | str | None = None,
    env: Mapping[str, str] | None = None,
    log: Log = NULL_LOG,
    check: bool = True,
    input: str | None = None,
    timeout: float | None = None,
    what: str = "",
) -> Result:
    """Run `argv`; raise ReleaseError naming `what` (or the command) when it fails.

    `env` is added to the current environment. Secrets travel only through the
    environment: a secret value found in argv is refused before anything starts.
    """
    full_env = dict(os.environ)
    if env:
        full_env.update(env)
    for secret in secrets(full_env):
        if any(secret in arg for arg in argv):
            raise ReleaseError(
                f"refusing to run {argv[0]}: a secret would appear in its command line",
                "pass credentials through the environment, never as arguments",
            )
    shown = redact(quote(argv), full_env)
    log.write(f"$ {shown}")
    try:
        completed = subprocess.run(
            list(argv),
            cwd=cwd,
            env=full_env,
            input=input,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except FileNotFoundError as exc:
        raise ReleaseError(f"{argv[0]}: command not found", "install it or fix PATH") from exc
    except subprocess.TimeoutExpired as exc:
        raise ReleaseError(f"{what or shown} timed out after {timeout:.0f} s") from exc
    result = Result(tuple(argv), completed.returncode, completed.stdout, completed.stderr)
    output = (result.stdout + result.stderr).rstrip()
    if output:
        log.write(output)
    if check and not result.ok:
        tail = redact("\n".join(output.splitlines()[-15:]), full_env)
        message = f"{what or shown} failed (exit {result.returncode})"
        raise ReleaseError(message, log_hint(log), detail=tail)
    return result
