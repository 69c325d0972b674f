"""nox front-end: one session per command and one per gate, all from the tables.

A new noxfile imports `release.adapters.nox_auto`, which calls `register()`; a project's
own noxfile gets `from release.adapters.nox_sessions import register` and `register()`.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from pathlib import Path

import nox

from release import cli, gate_table, version_files
from release.adoption import ci_installs
from release.config import Gate, is_project, read_pyproject
from release.errors import ReleaseError


def _command_session(command: cli.Command) -> Callable[[nox.Session], None]:
    def session(session: nox.Session) -> None:
        code = cli.run(command.name, session.posargs, prog=f"nox -s {command.name} --")
        if code:
            raise SystemExit(code)  # keep our exit code (2: bad input, 1: a step failed)

    session.__doc__ = command.help
    session.__name__ = command.name
    return session


def _gate_session(
    gate: Gate, install: list[str], pins: tuple[str, ...]
) -> Callable[[nox.Session], None]:
    """The gate's nox session; `install` is resolved when the noxfile loads (a group the
    pyproject does not declare stops there, named, before any session starts). `pins` are
    the project's lock file's versions: what CI's `uv sync`/`poetry install` installs."""

    def session(session: nox.Session) -> None:
        if install and pins:
            constraints = Path(str(session.virtualenv.location)) / "constraints.txt"
            constraints.write_text("\n".join(pins) + "\n", encoding="utf-8")
            session.install(*install, "-c", str(constraints))
        elif install:
            session.install(*install)
        for command in gate.run:
            session.run(*shlex.split(command), env=dict(gate.env))

    session.__doc__ = f"gate: {'; '.join(gate.run)}"
    session.__name__ = gate.name
    return session


def _register_gates() -> None:
    """One session per gate, parametrized by python (`tests-3.12`; `tests` runs all).

    Called while nox loads the noxfile, from the noxfile's directory. The top of a
    workspace that is no project itself has none: each package's noxfile has its own.
    """
    here = Path.cwd()
    if (here / "pyproject.toml").is_file() and not is_project(read_pyproject(here)):
        return
    config = version_files.load(here)
    _, pins = ci_installs.lock_constraints(config.root, config.name)
    for gate in gate_table.gates(config):
        install = gate_table.install_args(config, gate)
        nox.session(name=gate.name, python=list(gate.python), venv_backend="uv|virtualenv")(
            _gate_session(gate, install, pins)
        )


def register() -> None:
    """Register every command (and every gate of the flags table) as a nox session."""
    for command in cli.COMMANDS:
        nox.session(name=command.name, python=False)(_command_session(command))
    try:
        _register_gates()
    except ReleaseError as error:
        print(error.render(), file=sys.stderr)
        raise SystemExit(error.exit_code) from None
