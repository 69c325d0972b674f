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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from release.errors import ReleaseError, UsageError
from release.options import Options


@dataclass(frozen=True)
class Option:
    name: str  # python identifier; `--name-with-dashes` on the command line
    help: str
    kind: str = "flag"  # "flag", "value", "values" (repeatable; invoke: comma-separated),
    # or "version" (positional here, --version in invoke)
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

    def run(self, options: Options) -> int:
        module, _, function = self.target.partition(":")
        runner: Callable[[Options], int] = getattr(importlib.import_module(module), function)
        return runner(options)


VERSION = Option(
    "version",
    "a PEP 440 version, or major|minor|patch|alpha|beta|rc|post|dev|final|auto",
    "version",
)
ALLOW_EMPTY = Option("allow_empty_changelog", "release even if Unreleased is empty")
PRE = Option(
    "pre", "with auto: start or continue this pre-release series", "value", ("alpha", "beta", "rc")
)
GENERATE = Option(
    "changelog",
    "generate: fill an empty Unreleased from the commits",
    "value",
    ("keep", "generate"),
)

PACKAGE = Option(
    "package",
    "the package to act on, by name or folder (repeat for several; implied in its folder)",
    "values",
)
VERSION_OR_CURRENT = Option("version", "the version (default: the current one)", "version")
INDEX = Option(
    "index", "pypi, testpypi, a ~/.pypirc section or a URL (default: from the config)", "value"
)

WAIT = Option(
    "wait",
    "seconds to wait for the index to list the version (default: one re-check after"
    " a few seconds; 600 while this version's release is under way here)",
    "value",
)

COMMANDS: tuple[Command, ...] = (
    Command(
        "release",
        "the whole release: prints the plan; --execute acts",
        "release.commands:release",
        (
            VERSION,
            Option("execute", "act (without it: a dry run that prints the plan)"),
            ALLOW_EMPTY,
            PRE,
            GENERATE,
            Option("local_only", "stop after the local tag: no push, no CI wait, no publish"),
            Option("push_only", "push the existing tag's commit, wait for CI, publish, verify"),
            Option("pr", "open or update the release pull request instead of pushing the branch"),
            Option("tag_merged", "tag a merged release pull request's commit, then ship it"),
            Option("skip_tests", "do not run the quality gates (loudly; the journal records it)"),
            Option("resume", "continue the interrupted release (the version may be left out)"),
            Option("no_wait_ci", "do not wait for CI before pushing the tag (said aloud)"),
            Option("ci_timeout", "seconds to wait for CI (default 3600)", "value"),
            PACKAGE,
        ),
    ),
    Command(
        "bump",
        "write the version into every version file and promote the changelog",
        "release.commands:bump",
        (
            VERSION,
            ALLOW_EMPTY,
            Option("dry_run", "show the diff, write nothing"),
            PRE,
            GENERATE,
            PACKAGE,
        ),
    ),
    Command(
        "next",
        "print the next version from the Conventional Commits since the last release",
        "release.commits:next_command",
        (PRE, PACKAGE),
    ),
    Command(
        "changelog",
        "the Unreleased entries from the commits (--write merges them; --all: every release)",
        "release.changelog_gen:command",
        (
            Option("write", "merge the entries into the changelog's Unreleased section"),
            Option("all", "the whole history, by release"),
            PACKAGE,
        ),
    ),
    Command(
        "build",
        "build the sdist and the wheel into an emptied dist/, with dist/manifest.json",
        "release.artifacts:build",
        (PACKAGE,),
    ),
    Command(
        "wheelcheck",
        "check the built artifacts (builds first when dist/ is missing or stale)",
        "release.artifacts:wheelcheck",
        (
            Option("version", "the version being released (default: the current one)", "version"),
            PACKAGE,
        ),
    ),
    Command(
        "publish",
        "upload dist/ to the index for this version (skips files already there)",
        "release.shipping:publish_command",
        (VERSION_OR_CURRENT, INDEX, PACKAGE),
    ),
    Command(
        "verify",
        "check a release on its index from a clean venv: a table of checks",
        "release.shipping:verify_command",
        (VERSION_OR_CURRENT, INDEX, WAIT, PACKAGE),
    ),
    Command(
        "github-release",
        "the tag's GitHub Release: a draft, dist/ and SHA256SUMS uploaded, then published",
        "release.shipping:github_release_command",
        (VERSION_OR_CURRENT, PACKAGE),
    ),
    Command(
        "retag",
        "delete a bad tag here and on the remote (asks first)",
        "release.shipping:retag_command",
        (VERSION_OR_CURRENT, Option("yes", "do not ask"), PACKAGE),
    ),
    Command(
        "notes",
        "print one version's changelog section (release notes)",
        "release.commands:notes",
        (Option("version", "the version (default: the current one)", "version"), PACKAGE),
    ),
    Command(
        "check",
        "every quality gate (each local Python) and parity, in parallel, as CI runs them",
        "release.commands:check",
    ),
    Command(
        "parity",
        "do the committed workflows match the flags table? (--write regenerates them)",
        "release.commands:parity",
        (
            Option("write", "regenerate .github/workflows/ from the table"),
            Option("explain", "show each gate's command, env, install, pythons, OSes: local vs CI"),
        ),
    ),
    Command(
        "init",
        "adopt release-parity here: propose [tool.release], noxfile, tasks, workflows",
        "release.init:init_command",
        (
            Option("write", "write the proposed files (without it: show them as a diff)"),
            Option("sync", "set lagging copies of the version to the current one (diff first)"),
            Option(
                "replace_workflows",
                "replace the hand-written files at the generated workflows' paths (diff first)",
            ),
        ),
    ),
)

#: Session names no gate may take: every command, and the demo.
SESSION_NAMES = (*(command.name for command in COMMANDS), "demo")


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
        elif option.kind == "values":
            parse.add_argument(option.flag, dest=option.name, action="append", help=option.help)
        elif option.kind == "value":
            parse.add_argument(
                option.flag,
                dest=option.name,
                default="",
                help=option.help,
                choices=option.choices or None,
            )
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
        parsed = vars(parser(command, prog or f"release {name}").parse_args(list(argv)))
        parsed.pop("debug")
        parsed = {
            key: tuple(value or ()) if key == "package" else value for key, value in parsed.items()
        }
        return command.run(Options(**parsed))
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
