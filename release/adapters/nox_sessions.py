"""nox front-end: one session per command and one per gate, all from the tables.

A project's noxfile is two lines: `from release.adapters.nox_sessions import register`
and `register()`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

import nox

from release import cli
from release.errors import ReleaseError


def _command_session(command: cli.Command) -> Callable[[nox.Session], None]:
    def session(session: nox.Session) -> None:
        code = cli.run(command.name, session.posargs, prog=f"nox -s {command.name} --")
        if code:
            raise SystemExit(code)  # keep our exit code (2: bad input, 1: a step failed)

    session.__doc__ = command.help
    session.__name__ = command.name
    return session


def register() -> None:
    """Register every command (and every gate of the flags table) as a nox session."""
    for command in cli.COMMANDS:
        nox.session(name=command.name, python=False)(_command_session(command))
    try:
        from release import ci_parity
    except ImportError:  # pragma: no cover - the gates arrive with ci_parity
        return
    try:
        ci_parity.register_sessions()
    except ReleaseError as error:
        print(error.render(), file=sys.stderr)
        raise SystemExit(error.exit_code) from None
