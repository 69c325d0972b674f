"""The flags table: one gate = one nox session = one CI job, so local and CI cannot drift.

`[tool.release.gates.*]` (or, without a table, gates detected from the project's
pyproject) becomes nox sessions `<gate>-<python>` and the jobs of the generated
workflows. The jobs only call those sessions: the command, env and install list are
read from the table by nox, in CI as here. What the YAML does carry (pythons, OSes,
gate names, timeouts) is checked by `parity`: the workflows are regenerated in memory
and compared with the committed files.
"""

from __future__ import annotations

import difflib
import functools
import os
import platform
import re
import shlex
import shutil
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from release import cli, proc, project_workflows, tool_pins, version_files, workflows
from release.adoption import ci_installs, ci_sources
from release.adoption.ci_sources import FoundGate
from release.config import Config, Gate
from release.errors import ConfigError, ReleaseError

#: Command sessions (these and every command in cli.COMMANDS): no gate may take their names.
COMMAND_NAMES = (
    "release",
    "bump",
    "notes",
    "build",
    "wheelcheck",
    "publish",
    "verify",
    "check",
    "parity",
    "changelog",
    "next",
    "init",
    "retag",
    "demo",
)
_GATE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(-[A-Za-z0-9_]+)*")
_PYTHON = re.compile(r"(pypy)?3\.\d+t?")
FIX = "nox -s parity -- --write"


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
    reserved = sorted({*COMMAND_NAMES, *(c.name for c in cli.COMMANDS), *workflows.RESERVED_JOBS})
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


@functools.cache
def python_present(version: str) -> bool:
    """Is this interpreter here? Only those run locally; CI's matrix covers the rest.

    It must also start: a pyenv shim for a version not selected is on PATH, and fails.
    """
    if version == ".".join(platform.python_version_tuple()[:2]):
        return True
    program = version if version.startswith("pypy") else f"python{version}"
    found = shutil.which(program)
    if found is None:
        return False
    answer = _pyenv_selects(Path(found), program)
    return answer if answer is not None else proc.run([found, "-c", ""], check=False).ok


def _pyenv_selects(shim: Path, program: str) -> bool | None:
    """Will this pyenv shim run `program`? Read pyenv's own selection instead of running
    the shim (a bash script that takes ~0.2 s). None: not a shim, or "system" (ask it)."""
    root = shim.parent.parent
    if shim.parent.name != "shims" or not (root / "versions").is_dir():
        return None
    for name in _pyenv_selection(root):
        if name == "system":
            return None
        candidates = [root / "versions" / name, *(root / "versions").glob(f"{name}.*")]
        if any((candidate / "bin" / program).exists() for candidate in candidates):
            return True
    return False


def _pyenv_selection(root: Path) -> list[str]:
    """pyenv's version order: PYENV_VERSION, the nearest .python-version, the global file."""
    if os.environ.get("PYENV_VERSION"):
        return os.environ["PYENV_VERSION"].split(":")
    here = Path.cwd()
    files = [folder / ".python-version" for folder in (here, *here.parents)]
    files.append(root / "version")
    for file in files:
        if file.is_file():
            names = [line.split("#")[0].strip() for line in file.read_text().splitlines()]
            return [name for name in names if name] or ["system"]
    return ["system"]


def local_sessions(config: Config) -> tuple[list[str], list[str]]:
    """(sessions to run here, sessions skipped because their Python is absent)."""
    rows = gates(config)
    versions = sorted({python for gate in rows for python in gate.python})
    with ThreadPoolExecutor() as pool:  # a pyenv shim takes ~0.2 s to answer: ask all at once
        here = dict(zip(versions, pool.map(python_present, versions), strict=True))
    present: list[str] = []
    absent: list[str] = []
    for gate in rows:
        for python in gate.python:
            (present if here[python] else absent).append(f"{gate.name}-{python}")
    return present, absent


def install_args(config: Config, gate: Gate) -> list[str]:
    """pip arguments: each install entry is shell-split (`-r requirements.txt` is two), and
    `--group NAME` becomes the group's requirements (PEP 735, poetry or pdm groups), so any
    uv and any pip install them."""
    where = f"{config.path}: [tool.release.gates.{gate.name}]"
    return ci_installs.expand(gate.install, config.pyproject, where)


# --- nox -----------------------------------------------------------------------------------


def _session(gate: Gate, install: list[str], pins: tuple[str, ...]) -> Any:
    """The gate's nox session; `install` is resolved when the noxfile loads (a group the
    pyproject does not declare stops there, named, before any session starts). `pins` are
    the project's lock file's versions: what CI's `uv sync`/`poetry install` installs."""

    def session(session: Any) -> None:
        if install and pins:
            constraints = Path(session.virtualenv.location) / "constraints.txt"
            constraints.write_text("\n".join(pins) + "\n", encoding="utf-8")
            session.install(*install, "-c", str(constraints))
        elif install:
            session.install(*install)
        for command in gate.run:
            session.run(*shlex.split(command), env=dict(gate.env))

    session.__doc__ = f"gate: {'; '.join(gate.run)}"
    session.__name__ = gate.name
    return session


def register_sessions() -> None:
    """One nox session per gate, parametrized by python (`tests-3.12`; `tests` runs all).

    Called while nox loads the noxfile, from the noxfile's directory.
    """
    import nox

    config = version_files.load(Path.cwd())
    _, pins = ci_installs.lock_constraints(config.root, config.name)
    for gate in gates(config):
        nox.session(name=gate.name, python=list(gate.python), venv_backend="uv|virtualenv")(
            _session(gate, install_args(config, gate), pins)
        )


# --- drift ---------------------------------------------------------------------------------


def expected(config: Config) -> dict[str, str]:
    return workflows.generate(config, gates(config))


def _jobs(text: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    jobs = data.get("jobs") if isinstance(data, dict) else None
    return jobs if isinstance(jobs, dict) else {}


def _steps(job: Any) -> list[dict[str, Any]]:
    steps = job.get("steps") if isinstance(job, dict) else None
    return [step for step in steps if isinstance(step, dict)] if isinstance(steps, list) else []


def _short(run: Any) -> str:
    """A `run:` as one line: the first line of a script, then an ellipsis."""
    lines = str(run).strip().splitlines() or [""]
    return lines[0] + (" ..." if len(lines) > 1 else "")


def _signature(step: Mapping[str, Any]) -> tuple[str, str]:
    return str(step.get("run", "")).strip(), str(step.get("uses", ""))


def foreign(committed: str, generated: str) -> list[str]:
    """Jobs and steps in the committed file that the table does not produce, named."""
    ours, found = _jobs(generated), []
    for name, job in _jobs(committed).items():
        steps = _steps(job)
        if name not in ours:
            runs = "; ".join(_short(step["run"]) for step in steps if "run" in step)
            found.append(f"job '{name}' is not produced by the table (runs: {runs or 'nothing'})")
            continue
        known = {_signature(step) for step in _steps(ours[name])}
        for step in steps:
            if _signature(step) not in known:
                what = (
                    f"runs `{_short(step['run'])}`"
                    if "run" in step
                    else (f"uses {step.get('uses')}")
                )
                found.append(f"job '{name}' {what}, which the table does not produce")
    return found


def drift(config: Config) -> list[str]:
    """One report per generated file that differs from the committed one ([] when in sync).

    A hand-written file where a generated one belongs, and a generated file the table no
    longer produces, are reported too: each would run in CI beside, or instead of, ours.
    """
    reports = []
    files = expected(config)
    for path, text in files.items():
        file = config.root / path
        if not file.exists():
            diff = difflib.unified_diff([], text.splitlines(True), "/dev/null", f"b/{path}")
            reports.append(f"{path} is missing\n" + "".join(diff))
            continue
        committed = file.read_text(encoding="utf-8")
        if committed == text:
            continue
        if not workflows.generated(committed):
            hint = project_workflows.occupied(config, path)
            reports.append(f"{path} is hand-written (no release-parity header): {hint}\n")
            continue
        lines = [f"{path} differs from the table:"]
        lines += [f"  - {problem}" for problem in foreign(committed, text)]
        lines += difflib.unified_diff(
            committed.splitlines(True),
            text.splitlines(True),
            f"a/{path} (committed)",
            f"b/{path} (from the table)",
        )
        reports.append("".join(line if line.endswith("\n") else line + "\n" for line in lines))
    for path in project_workflows.stale(config.root, list(files)):
        reports.append(
            f"{path} was generated, and the table no longer produces it: `{FIX}` removes it\n"
        )
    return reports


def _hand_written(config: Config, files: Mapping[str, str]) -> list[str]:
    """The generated paths that hold a file release-parity did not write."""
    return [path for path in files if project_workflows.hand_written(config.root, path)]


def verify(config: Config) -> str:
    """Raise with every difference when the committed workflows drifted from the table, or
    pin another release-parity than the one running (CI would run that one)."""
    tool_pins.check(config)
    reports = drift(config)
    if reports:
        names = [report.split(" ", 1)[0] for report in reports]
        theirs = _hand_written(config, expected(config))
        regenerate = f"run `{FIX}` to regenerate them, review the diff, and commit the result"
        raise ReleaseError(
            f"the workflows do not match the flags table: {', '.join(names)}",
            project_workflows.occupied(config, theirs[0]) if theirs else regenerate,
            detail="\n".join(report.rstrip("\n") for report in reports),
        )
    files = [path for path in expected(config) if path != tool_pins.REQUIREMENTS]
    return f"{' and '.join(files)} match{'es' if len(files) == 1 else ''} the flags table"


def write(config: Config) -> list[str]:
    """Write the generated files that differ, remove those the table no longer produces;
    one line per file. A hand-written file at a generated path stops it, nothing written."""
    files = expected(config)
    theirs = _hand_written(config, files)
    if theirs:
        raise ReleaseError(
            f"{', '.join(theirs)}: hand-written (no release-parity header), never overwritten;"
            " nothing was written",
            project_workflows.occupied(config, theirs[0]),
            detail="\n".join(
                f"{path}: {project_workflows.occupied(config, path)}" for path in theirs[1:]
            ),
        )
    done = []
    for path, text in files.items():
        file = config.root / path
        if file.exists() and file.read_text(encoding="utf-8") == text:
            continue
        file.parent.mkdir(parents=True, exist_ok=True)
        version_files.replace_file(file, text)
        done.append(f"wrote {path}")
    for path in project_workflows.stale(config.root, list(files)):
        (config.root / path).unlink()
        done.append(f"removed {path} (generated; the table no longer produces it)")
    return done + tool_pins.write_noxfile(config)


# --- explain -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CiJob:
    """What the committed ci.yml says about one gate: the session it calls, its matrix."""

    job: str
    session: str
    python: tuple[str, ...]
    os: tuple[str, ...]


def ci_jobs(config: Config) -> dict[str, CiJob]:
    """Gate name -> its job in the committed ci.yml, read from the YAML itself."""
    path = config.root / config.ci.ci_file
    found: dict[str, CiJob] = {}
    if not path.exists():
        return found
    for name, job in _jobs(path.read_text(encoding="utf-8")).items():
        matrix = (job.get("strategy") or {}).get("matrix") or {}
        for step in _steps(job):
            argv = shlex.split(str(step.get("run", "")))
            if argv[:2] == ["nox", "-s"] and len(argv) > 2 and argv[2].endswith("-$PYTHON"):
                gate = argv[2].removesuffix("-$PYTHON")
                found[gate] = CiJob(
                    name,
                    argv[2],
                    tuple(str(v) for v in matrix.get("python", ())),
                    tuple(str(v) for v in matrix.get("os", ())),
                )
    return found


def _env(env: Mapping[str, str]) -> str:
    return " ".join(f"{key}={shlex.quote(value)}" for key, value in env.items()) or "-"


def explain(config: Config) -> str:
    """Per gate: what runs here and what runs in CI, side by side."""
    table_gates = gates(config)
    from_ci = ci_sources.origins(config)  # re-read now: the table keeps no origin
    if config.gates is None:
        origin = {found.gate.name: found.origin for found in detect(config)}
        source = "the project's CI" if from_ci else "pyproject.toml"
        head = [f"no [tool.release.gates] table: gates detected from {source}"]
    else:
        origin = {
            gate.name: f"[tool.release.gates.{gate.name}]"
            + (f", from {from_ci[gate.name]}" if gate.name in from_ci else "")
            for gate in table_gates
        }
        head = []
    if not table_gates:
        return "no gates: add [tool.release.gates.<name>] tables (run, install, env, python, os)"
    jobs = ci_jobs(config)
    here = f"{platform.system().lower()} (this machine)"
    blocks = head
    for gate in table_gates:
        present = [p for p in gate.python if python_present(p)]
        absent = [p for p in gate.python if p not in present]
        local_python = " ".join(present) or "none"
        if absent:
            local_python += f" (absent here, CI only: {' '.join(absent)})"
        job = jobs.get(gate.name)
        command = "; ".join(gate.run)
        install = " ".join(gate.install) or "-"
        if job is None:
            missing = f"(no job in {config.ci.ci_file}: run `{FIX}`)"
            ci = [missing, "-", "-", "-", "-", "-"]
        else:
            ci = [
                f"nox -s {job.session}  (job {job.job})",
                command,
                _env(gate.env),
                install,
                " ".join(job.python),
                " ".join(job.os),
            ]
        local = [f"nox -s {gate.name}", command, _env(gate.env), install, local_python, here]
        labels = ("session", "run", "env", "install", "python", "os")
        rows = [("", "local", f"CI ({config.ci.ci_file})"), *zip(labels, local, ci, strict=True)]
        width = max(len(row[1]) for row in rows) + 3
        blocks.append(f"\ngate {gate.name}  ({origin[gate.name]})")
        blocks += [f"  {label:<9}{left:<{width}}{right}".rstrip() for label, left, right in rows]
    return "\n".join(blocks).lstrip("\n")


# --- commands ------------------------------------------------------------------------------


def parity_command(options: Mapping[str, Any]) -> int:
    loaded = version_files.load()
    if options.get("write"):
        print("\n".join(write(loaded)) or "the workflows already match")
    if options.get("explain"):
        print(explain(loaded))
    if not options.get("write") and not options.get("explain"):
        print(f"parity: {verify(loaded)}")
    return 0


def _last_line(log: Path | None) -> str:
    """The gate tool's own last words (nox's `nox >` lines are chatter)."""
    if log is None or not log.exists():
        return ""
    lines = [line.strip() for line in log.read_text(encoding="utf-8").splitlines()]
    own = [line for line in lines if line and not line.startswith(("nox >", "$ ", "# "))]
    return own[-1] if own else next((line for line in reversed(lines) if line), "")


def check_command(options: Mapping[str, Any]) -> int:
    """Every gate for each Python present here, plus parity, in parallel; a summary line."""
    from packaging.version import Version

    from release import commands, graph
    from release.steps import gates as gate_steps
    from release.steps import parity

    loaded = version_files.load()
    _, absent = local_sessions(loaded)
    if absent:
        commands.note(f"skipped {', '.join(absent)}: no such Python here; they run in CI")
    steps = [parity.STEP, *gate_steps.steps(loaded)]
    # Gates and parity never read the version: check works on any tree, even mid-release.
    context = graph.Context(loaded, Version("0"), Version("0"), options)
    outcomes = graph.execute(graph.Plan.make(context, steps), report=graph.reporter())
    failed = [name for name, outcome in outcomes.items() if outcome.status is not graph.Status.OK]
    width = max(len(name) for name in outcomes)
    for name, outcome in outcomes.items():
        if outcome.error is not None:
            print(f"\n--- {name} failed: {outcome.error.message}")
            print(outcome.error.detail or outcome.error.hint)
    print()
    for name, outcome in outcomes.items():
        status, seconds = outcome.status.value, f"{outcome.seconds:.1f}s"
        print(f"{name:<{width}}  {status:<7} {seconds:>7}  {_last_line(outcome.log)}".rstrip())
    print(f"check: {len(outcomes) - len(failed)} passed, {len(failed)} failed")
    return 1 if failed else 0
