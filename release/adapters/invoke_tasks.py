"""invoke front-end: one task per command, built from the same option table as nox's.

A project's tasks.py imports `namespace` from here.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from invoke.collection import Collection
from invoke.context import Context
from invoke.exceptions import Exit
from invoke.tasks import Task

from release import cli


def argv_for(command: cli.Command, values: dict[str, Any]) -> list[str]:
    """invoke's keyword arguments -> the argv the shared parser reads."""
    argv: list[str] = []
    for option in command.options:
        value = values.get(option.name)
        if option.kind == "version" and value:
            argv.insert(0, str(value))
        elif option.kind == "values" and value:
            for item in str(value).split(","):
                argv += [option.flag, item.strip()]
        elif option.kind == "value" and value:
            argv += [option.flag, str(value)]
        elif option.kind == "flag" and value:
            argv.append(option.flag)
    return argv


def _task(command: cli.Command) -> Task[Callable[..., None]]:
    def body(c: Context, **values: Any) -> None:
        code = cli.run(command.name, argv_for(command, values), prog=f"invoke {command.name}")
        if code:
            raise Exit(code=code)

    parameters = [inspect.Parameter("c", inspect.Parameter.POSITIONAL_OR_KEYWORD)] + [
        inspect.Parameter(
            option.name,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            default=False if option.kind == "flag" else "",
        )
        for option in command.options
    ]
    body.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    body.__name__ = body.__qualname__ = command.name.replace("-", "_")
    body.__doc__ = command.help
    helps = {option.name: option.help for option in command.options}
    return Task(body, name=command.name, help=helps, auto_shortflags=False)


namespace = Collection(*(_task(command) for command in cli.COMMANDS))
