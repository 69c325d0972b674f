"""The command table and its three front-ends' shared parser.

One table of commands and options serves `python -m release`, the nox sessions and
the invoke tasks, so `nox -s bump -- 1.0.23a1` and `invoke bump --version 1.0.23a1`
are the same call. Errors are caught once, here: `error:` and `hint:` lines, exit 2
for bad input and 1 for a failed step, a traceback only with --debug.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from release.errors import ReleaseError, UsageError


@dataclass(frozen=True)
class Option:
    name: str  # python identifier; `--name-with-dashes` on the command line
    help: str
    kind: str = "flag"  # "flag", "value", or "version" (positional here, --version in invoke)
    choices: tuple[str, ...] = ()

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")


@dataclass(frozen=True)
class Command:
    name: str
    help: str
    target: str  # "module:function", imported only when run: start-up stays lean
    options: tuple[Option, ...] = ()

    def run(self, options: Mapping[str, Any]) -> int:
        module, _, function = self.target.partition(":")
        runner: Callable[[Mapping[str, Any]], int] = getattr(
            importlib.import_module(module), function
        )
        return runner(options)


VERSION = Option(
    "version",
    "a PEP 440 version, or major|minor|patch|alpha|beta|rc|post|dev|final|auto",
    "version",
)
ALLOW_EMPTY = Option("allow_empty_changelog", "release even if Unreleased is empty")

COMMANDS: tuple[Command, ...] = (
    Command(
        "release",
        "the whole release: prints the plan; --execute acts",
        "release.commands:release",
        (
            VERSION,
            Option("execute", "act (without it: a dry run that prints the plan)"),
            ALLOW_EMPTY,
        ),
    ),
    Command(
        "bump",
        "write the version into every version file and promote the changelog",
        "release.commands:bump",
        (VERSION, ALLOW_EMPTY, Option("dry_run", "show the diff, write nothing")),
    ),
    Command(
        "notes",
        "print one version's changelog section (release notes)",
        "release.commands:notes",
        (Option("version", "the version (default: the current one)", "version"),),
    ),
)


def by_name(name: str) -> Command:
    for command in COMMANDS:
        if command.name == name:
            return command
    known = ", ".join(command.name for command in COMMANDS)
    raise UsageError(f"unknown command '{name}'", f"commands: {known}")


def parser(command: Command, prog: str) -> argparse.ArgumentParser:
    parse = _Parser(prog=prog, description=command.help)
    parse.add_argument("--debug", action="store_true", help="show tracebacks")
    for option in command.options:
        if option.kind == "version":
            parse.add_argument(option.name, nargs="?", default="", help=option.help)
        elif option.kind == "value":
            parse.add_argument(option.flag, dest=option.name, default="", help=option.help,
                               choices=option.choices or None)  # fmt: skip
        else:
            parse.add_argument(option.flag, dest=option.name, action="store_true", help=option.help)
    return parse


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is a UsageError (one line, exit 2) like every other."""

    def error(self, message: str) -> Any:
        raise UsageError(f"{self.prog}: {message}", f"see `{self.prog} --help`")


def run(name: str, argv: Sequence[str], prog: str = "") -> int:
    """Parse `argv` for command `name` and run it; return the exit code, errors printed."""
    debug = "--debug" in argv
    try:
        command = by_name(name)
        options = vars(parser(command, prog or f"release {name}").parse_args(list(argv)))
        return command.run(options)
    except ReleaseError as error:
        if debug:
            traceback.print_exc()
        if error.exit_code == 0:  # nothing to do is not a failure (e.g. nothing releasable)
            print(f"note: {error.message}", file=sys.stderr)
            return 0
        print(error.render(), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("error: interrupted; run the same command again to continue", file=sys.stderr)
        return 130
    except Exception as error:  # the one place that turns a bug into a message
        if debug:
            traceback.print_exc()
        print(f"error: internal error: {error!r}", file=sys.stderr)
        print("hint: re-run with --debug and report the traceback", file=sys.stderr)
        return 1


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print("usage: python -m release COMMAND [options]\n\ncommands:")
        for command in COMMANDS:
            print(f"  {command.name:<12} {command.help}")
        return 0 if args else 2
    return run(args[0], args[1:], prog=f"python -m release {args[0]}")
