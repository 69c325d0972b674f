"""The drift check: the committed workflows are what the flags tables generate.

The workflows live at the top of the repository, one set for all its packages: they are
regenerated in memory from every package's table and compared with the committed files,
byte for byte, whichever package asks; `write` heals them. `explain` shows each gate as it
runs here and in CI.
"""

from __future__ import annotations

import dataclasses
import difflib
import platform
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from release import (
    gate_table,
    package,
    project_workflows,
    release_pr_workflow,
    tool_pins,
    workflows,
)
from release.adoption import ci_sources
from release.config import Config
from release.errors import ReleaseError
from release.files import replace_file
from release.pythons import python_present
from release.tool_pins import FIX


def _own(config: Config) -> package.Package:
    """`config`'s package, placed in the repository whose workflows it shares."""
    top = package.workflow_root(config.root)
    return package.Package(dataclasses.replace(config, root=config.root.resolve()), top)


def packages(config: Config) -> list[package.Package]:
    """The packages of the repository `config`'s package is in, with `config` as its own
    (init passes a table not written yet), the top's first."""
    mine = _own(config)
    others = [found for found in package.discover(mine.repository) if found.root != mine.root]
    return sorted([mine, *others], key=lambda p: (p.folder != "", p.folder))


def expected(config: Config) -> dict[str, str]:
    """Every generated file of the repository, by its path from the top of the repository."""
    found = [(each, gate_table.gates(each.config)) for each in packages(config)]
    files = workflows.generate_parts(workflows.parts(found))
    first = found[0][0].config
    if first.release_pr.workflow:  # [tool.release.release-pr]: the release PR, kept current
        files[first.release_pr.file] = release_pr_workflow.text(first)
    return files


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
    top = _own(config).repository
    files = expected(config)
    for path, text in files.items():
        file = top / path
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
    for path in project_workflows.stale(top, list(files)):
        reports.append(
            f"{path} was generated, and the table no longer produces it: `{FIX}` removes it\n"
        )
    return reports


def _hand_written(config: Config, files: Mapping[str, str]) -> list[str]:
    """The generated paths that hold a file release-parity did not write."""
    top = _own(config).repository
    return [path for path in files if project_workflows.hand_written(top, path)]


def verify(config: Config) -> str:
    """Raise with every difference when the committed workflows drifted from the table, or
    pin another release-parity than the one running (CI would run that one)."""
    for each in packages(config):
        tool_pins.check(each.config)
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
    done, top = [], _own(config).repository
    for path, text in files.items():
        file = top / path
        if file.exists() and file.read_text(encoding="utf-8") == text:
            continue
        file.parent.mkdir(parents=True, exist_ok=True)
        replace_file(file, text)
        done.append(f"wrote {path}")
    for path in project_workflows.stale(top, list(files)):
        (top / path).unlink()
        done.append(f"removed {path} (generated; the table no longer produces it)")
    return done + [
        line for each in packages(config) for line in tool_pins.write_noxfile(each.config)
    ]


@dataclass(frozen=True)
class CiJob:
    """What the committed ci.yml says about one gate: the session it calls, its matrix."""

    job: str
    session: str
    python: tuple[str, ...]
    os: tuple[str, ...]


def ci_jobs(config: Config) -> dict[str, CiJob]:
    """Gate name -> its job in the committed ci.yml, read from the YAML itself: the jobs
    whose gate runs in this package's folder (the repository's other packages have theirs)."""
    mine = _own(config)
    path = mine.repository / config.ci.ci_file
    found: dict[str, CiJob] = {}
    if not path.exists():
        return found
    for name, job in _jobs(path.read_text(encoding="utf-8")).items():
        matrix = (job.get("strategy") or {}).get("matrix") or {}
        for step in _steps(job):
            argv = shlex.split(str(step.get("run", "")))
            if step.get("working-directory", "") != mine.folder:
                continue
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
    table_gates = gate_table.gates(config)
    from_ci = ci_sources.origins(config)  # re-read now: the table keeps no origin
    if config.gates is None:
        origin = {found.gate.name: found.origin for found in gate_table.detect(config)}
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
