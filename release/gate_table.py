"""The flags table: one gate = one nox session = one CI job, so local and CI cannot drift.

`[tool.release.gates.*]` (or, without a table, gates detected from the project's own CI
or its pyproject) is read and validated here; the nox sessions (adapters.nox_sessions)
and the workflows (workflows.py) are both made from `gates()`, and drift.py checks the
committed workflows against it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from release import cli, workflows
from release.adoption import ci_installs, ci_sources
from release.adoption.ci_sources import FoundGate
from release.config import Config, Gate
from release.errors import ConfigError

_GATE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*")
_PYTHON = re.compile(r"(pypy)?3\.\d+t?")

# --- the table -----------------------------------------------------------------------------


def _requirements(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(where, requirement) for every optional extra and dependency group of the project."""
    found = []
    for extra, reqs in data.get("project", {}).get("optional-dependencies", {}).items():
        found += [(f"extra:{extra}", req) for req in reqs if isinstance(req, str)]
    for group, reqs in data.get("dependency-groups", {}).items():
        found += [(f"group:{group}", req) for req in reqs if isinstance(req, str)]
    return found


def _listed(data: Mapping[str, Any], tool: str) -> tuple[str, str] | None:
    """(where, requirement string) of `tool` in the project's extras or groups."""
    for where, text in _requirements(data):
        try:
            if canonicalize_name(Requirement(text).name) == tool:
                return where, text
        except InvalidRequirement:
            continue
    return None


def _install(listed: tuple[str, str] | None, tool: str, standalone: bool) -> tuple[str, ...]:
    """What to install: the project's extra that lists the tool, else the project + the tool."""
    if listed and listed[0].startswith("extra:") and not standalone:
        return (f".[{listed[0].removeprefix('extra:')}]",)
    requirement = listed[1] if listed else tool
    return (requirement,) if standalone else (".", requirement)


def detect(config: Config) -> list[FoundGate]:
    """Gates for a project without a table: the checks its own CI runs (workflows, tox, nox,
    Makefile, pre-commit), else ruff, mypy and pytest where its pyproject uses them."""
    from_ci = ci_sources.read(config).gates
    return list(from_ci) if from_ci else _from_pyproject(config)


def _from_pyproject(config: Config) -> list[FoundGate]:
    """ruff, mypy and pytest gates, where the project's pyproject configures or lists them."""
    data, tool = config.pyproject, config.pyproject.get("tool", {})
    found: list[FoundGate] = []

    def reason(section: str, listed: tuple[str, str] | None) -> str:
        if section in tool or (section == "pytest" and "ini_options" in tool.get("pytest", {})):
            return f"[tool.{section}] in pyproject.toml"
        assert listed is not None
        return f"{listed[1]!r} in {listed[0].replace(':', ' ')}"

    ruff = _listed(data, "ruff")
    if "ruff" in tool or ruff:
        install = _install(ruff, "ruff", standalone=True)
        why = reason("ruff", ruff)
        found.append(FoundGate(Gate("lint", ("ruff check .",), install), why))
        found.append(FoundGate(Gate("format", ("ruff format --check .",), install), why))
    mypy = _listed(data, "mypy")
    if "mypy" in tool or mypy:
        target = "" if "files" in tool.get("mypy", {}) else " " + _package_path(config)
        install = _install(mypy, "mypy", standalone=False)
        found.append(FoundGate(Gate("mypy", (f"mypy{target}",), install), reason("mypy", mypy)))
    pytest = _listed(data, "pytest")
    if "ini_options" in tool.get("pytest", {}) or pytest:
        install = _install(pytest, "pytest", standalone=False)
        found.append(FoundGate(Gate("tests", ("pytest -q",), install), reason("pytest", pytest)))
    return found


def _package_path(config: Config) -> str:
    for candidate in (f"src/{config.package}", config.package, f"{config.package}.py"):
        if (config.root / candidate).exists():
            return candidate
    return "."


def _validate(config: Config, gate: Gate) -> Gate:
    where = f"{config.path}: [tool.release.gates.{gate.name}]"
    reserved = sorted({*cli.SESSION_NAMES, *workflows.RESERVED_JOBS})
    if gate.name in reserved or gate.name.startswith(workflows.RESERVED_PREFIXES):
        raise ConfigError(
            f"{where}: gate '{gate.name}' has the name of a command session or generated job",
            "rename the gate (e.g. 'tests', 'lint', 'typecheck'); reserved: "
            + ", ".join(reserved)
            + ", publish-*, verify-*",
        )
    if not _GATE_NAME.fullmatch(gate.name):
        raise ConfigError(
            f"{where}: '{gate.name}' cannot name a nox session and a GitHub job",
            "use letters, digits, '_' and '-' (not leading or doubled), e.g. 'type-check'",
        )
    resolved = replace(gate, python=gate.python or config.ci.python, os=gate.os or config.ci.os)
    for python in resolved.python:
        if not _PYTHON.fullmatch(python):
            raise ConfigError(
                f"{where}: python '{python}' is not a Python version",
                'write versions as "3.12" (or "pypy3.10", "3.13t")',
            )
    return resolved


def gates(config: Config) -> tuple[Gate, ...]:
    """The table's gates (or the detected ones), pythons and OSes filled from [tool.release.ci]."""
    rows = config.gates if config.gates is not None else tuple(f.gate for f in detect(config))
    return tuple(_validate(config, gate) for gate in rows)


def install_args(config: Config, gate: Gate) -> list[str]:
    """pip arguments: each install entry is shell-split (`-r requirements.txt` is two), and
    `--group NAME` becomes the group's requirements (PEP 735, poetry or pdm groups), so any
    uv and any pip install them."""
    where = f"{config.path}: [tool.release.gates.{gate.name}]"
    return ci_installs.expand(gate.install, config.pyproject, where)
