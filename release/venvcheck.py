"""Install a distribution into a fresh venv outside the source tree and prove it works.

Used twice by wheelcheck (from the wheel, then from the sdist) and by verify (from the
index). The venv lives in a temporary directory and every command runs from there
with isolated Python, so nothing in the source tree can make a broken artifact look
good: a package left out of the wheel fails the import here even though it imports
fine in the checkout.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shlex
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from release import proc
from release.config import Config
from release.errors import ReleaseError
from release.proc import Log, Result
from release.report import Check, run_checks

#: Run inside the venv: import the package, write what the checks need to a JSON file
#: (a file, not stdout, which the package itself may print to).
PROBE = """
import importlib, importlib.metadata as md, json, sys
name, package, report = sys.argv[1:4]
out = {"scripts": {}, "extras": [], "requires": [], "error": "", "file": "", "version": None,
       "all": None, "missing": []}
try:
    dist = md.distribution(name)
    out["scripts"] = {e.name: e.extras for e in dist.entry_points if e.group == "console_scripts"}
    out["extras"] = dist.metadata.get_all("Provides-Extra") or []
    out["requires"] = dist.requires or []
except md.PackageNotFoundError:
    out["error"] = "distribution %r is not installed" % name
try:
    module = importlib.import_module(package)
except BaseException as exc:
    out["error"] = out["error"] or "%s: %s" % (type(exc).__name__, exc)
else:
    out["file"] = getattr(module, "__file__", None) or ""
    if hasattr(module, "__version__"):
        out["version"] = str(module.__version__)
    names = getattr(module, "__all__", None)
    if names is not None:
        out["all"] = len(names)
        for attribute in names:
            try:
                getattr(module, attribute)
            except Exception:
                out["missing"].append(str(attribute))
with open(report, "w", encoding="utf-8") as handle:
    json.dump(out, handle)
"""

TIMEOUT = 300.0  # seconds for one install or one command
#: The top-level module a script could not import.
MISSING_MODULE = re.compile(r"ModuleNotFoundError: No module named '([^'.]+)")
#: `name[extra]` as a script names the install it wants (`pip install 'httpx[cli]'`).
NAMED_EXTRA = re.compile(r"([A-Za-z0-9][A-Za-z0-9._-]*)\[([A-Za-z0-9._, -]+)\]")


def has_uv() -> bool:
    """uv is a dependency, so normally present; without it, stdlib venv and pip."""
    return importlib.util.find_spec("uv") is not None


@dataclass(frozen=True)
class Venv:
    path: Path

    @property
    def bin(self) -> Path:
        return self.path / ("Scripts" if os.name == "nt" else "bin")

    @property
    def python(self) -> Path:
        return self.bin / ("python.exe" if os.name == "nt" else "python")

    def env(self) -> dict[str, str]:
        """The venv's bin first on PATH; nothing that could point Python at the checkout."""
        path = f"{self.bin}{os.pathsep}{os.environ.get('PATH', '')}"
        return {
            "PATH": path,
            "VIRTUAL_ENV": str(self.path),
            "PYTHONPATH": "",
            "PYTHONNOUSERSITE": "1",
        }


@dataclass(frozen=True)
class Install:
    """What goes into a fresh venv, and how: kept so a script can be tried with an extra."""

    config: Config
    requirements: tuple[str, ...]
    pip_args: tuple[str, ...] = ()
    uv: bool = True

    def with_extras(self, extras: Sequence[str]) -> Install:
        """The same install with `extras` added to each requirement (`pkg.whl[cli]`)."""
        return replace(self, requirements=tuple(_with_extras(r, extras) for r in self.requirements))


def _with_extras(requirement: str, extras: Sequence[str]) -> str:
    if Path(requirement).exists():
        return f"{requirement}[{','.join(extras)}]"
    parsed = Requirement(requirement)
    parsed.extras.update(extras)
    return str(parsed)


def _create(venv: Venv, install: Install, log: Log) -> None:
    requirements = install.requirements
    if install.uv:
        uv_run = [sys.executable, "-m", "uv"]
        proc.run(
            [*uv_run, "venv", "--quiet", "--python", sys.executable, str(venv.path)],
            log=log,
            timeout=TIMEOUT,
            what="uv venv",
        )
        command = [
            *uv_run,
            "pip",
            "install",
            "--python",
            str(venv.python),
            "--refresh-package",
            install.config.name,
        ]
    else:
        proc.run(
            [sys.executable, "-m", "venv", str(venv.path)],
            log=log,
            timeout=TIMEOUT,
            what="python -m venv",
        )
        command = [str(venv.python), "-m", "pip", "install", "--no-input"]
    proc.run(
        [*command, *install.pip_args, *requirements],
        cwd=venv.path.parent,
        env=venv.env(),
        log=log,
        timeout=TIMEOUT,
        what="install " + " ".join(requirements),
    )


def _probe(venv: Venv, config: Config, log: Log) -> dict[str, Any]:
    probe, found = venv.path.parent / "probe.py", venv.path.parent / "probe.json"
    probe.write_text(PROBE, encoding="utf-8")
    proc.run(
        [str(venv.python), "-I", str(probe), config.name, config.package, str(found)],
        cwd=venv.path.parent,
        env=venv.env(),
        log=log,
        timeout=TIMEOUT,
        what=f"import {config.package}",
    )
    if not found.exists():  # the import ended the process (os._exit) before the report
        raise ReleaseError(f"import {config.package} ended Python before it finished")
    result: dict[str, Any] = json.loads(found.read_text(encoding="utf-8"))
    return result


def _tail(result: proc.Result) -> str:
    lines = (result.stdout + result.stderr).strip().splitlines()
    return lines[-1].strip() if lines else "no output"


@dataclass(frozen=True)
class Script:
    """A console script and the extras its entry point names (`x = pkg.cli:main [cli]`)."""

    name: str
    extras: tuple[str, ...] = ()


@dataclass(frozen=True)
class Extras:
    """The extras a distribution provides, and the distributions each one adds."""

    provided: tuple[str, ...]
    adds: Mapping[str, frozenset[str]]  # extra -> canonical names of what it requires

    @classmethod
    def from_metadata(cls, provided: Sequence[str], requires: Sequence[str]) -> Extras:
        adds: dict[str, set[str]] = {extra: set() for extra in provided}
        for line in requires:
            try:
                requirement = Requirement(line)
            except InvalidRequirement:
                continue  # the installer judges it; here it only cannot point at an extra
            marker = requirement.marker
            if marker is None or marker.evaluate({"extra": ""}):
                continue  # installed without any extra
            for extra in provided:
                if marker.evaluate({"extra": extra}):
                    adds[extra].add(canonicalize_name(requirement.name))
        return cls(tuple(provided), {extra: frozenset(names) for extra, names in adds.items()})

    def candidates(self, script: Script, package: str, output: str) -> list[tuple[str, ...]]:
        """Extras to try, likeliest first: the entry point's own, a `package[extra]` the
        script printed, those that add a distribution named like the missing module, and
        (only for a missing module no name explains) every other extra."""
        known = {canonicalize_name(extra): extra for extra in self.provided}
        printed = [
            known[canonicalize_name(extra)]
            for name, extras in NAMED_EXTRA.findall(output)
            if canonicalize_name(name) == canonicalize_name(package)
            for extra in extras.split(",")
            if canonicalize_name(extra) in known
        ]
        missing = MISSING_MODULE.search(output)
        module = canonicalize_name(missing[1]) if missing else ""
        providing = [extra for extra in self.provided if module in self.adds[extra]]
        rest = list(self.provided) if missing and not providing else []
        groups = [script.extras] if script.extras else []
        groups += [(extra,) for extra in (*printed, *providing, *rest)]
        return list(dict.fromkeys(groups))


def _run_script(venv: Venv, name: str, log: Log) -> Result:
    return _run_in(venv, [str(venv.bin / name), "--help"], log)


def _run_in(venv: Venv, argv: list[str], log: Log) -> Result:
    """A command of the clean venv, outside the checkout, with no input and a timeout."""
    return proc.run(
        argv,
        cwd=venv.path.parent,
        env=venv.env(),
        log=log,
        check=False,
        input="",
        timeout=TIMEOUT,
    )


def _run_with_extras(install: Install, name: str, extras: Sequence[str], log: Log) -> Result | None:
    """`name --help` in a venv of its own with `extras` installed (None: they do not install)."""
    with tempfile.TemporaryDirectory(prefix="release-venv-") as temp:
        venv = Venv(Path(temp).resolve() / "venv")
        try:
            _create(venv, install.with_extras(extras), log)
        except ReleaseError:
            return None  # the log has the installer's complaint
        return _run_script(venv, name, log)


def _failure(name: str, result: Result) -> str:
    return f"{name} --help exited {result.returncode}: {_tail(result)}"


def _script(venv: Venv, install: Install, extras: Extras, script: Script, log: Log) -> Check:
    """One script's `--help`; when it fails, again with each likely extra in a venv of its own,
    so "needs an extra" and "broken" are told apart."""
    name = script.name
    result = _run_script(venv, name, log)
    if result.ok:
        return Check(name, True, f"{name} --help")
    output = result.stdout + result.stderr
    furthest = f"script `{name}` is broken: {_failure(name, result)}"
    for group in extras.candidates(script, install.config.name, output):
        retried = _run_with_extras(install, name, group, log)
        shown = f"[{','.join(group)}]"
        if retried is None:
            continue
        if retried.ok:
            return Check(name, True, f"script `{name}` needs extra {shown}: passes with it")
        if _tail(retried) != _tail(result):
            furthest = f"script `{name}` is broken, even with {shown}: {_failure(name, retried)}"
    return Check(name, False, furthest)


def _scripts(venv: Venv, install: Install, found: dict[str, Any], log: Log) -> Check:
    extras = Extras.from_metadata(found["extras"], found["requires"])
    scripts = [Script(name, tuple(wanted)) for name, wanted in sorted(found["scripts"].items())]
    checked = [_script(venv, install, extras, script, log) for script in scripts]
    failed = [check.detail for check in checked if not check.ok]
    if failed:
        return Check("console scripts", False, "; ".join(failed))
    return Check("console scripts", True, "; ".join(check.detail for check in checked) or "none")


def _smoke(venv: Venv, commands: Sequence[str], log: Log) -> Check:
    failed = []
    for command in commands:
        result = _run_in(venv, shlex.split(command), log)
        if not result.ok:
            failed.append(f"`{command}` exited {result.returncode}: {_tail(result)}")
    if failed:
        return Check("smoke", False, "; ".join(failed))
    return Check("smoke", True, f"{len(commands)} passed" if commands else "none configured")


def _version(found: dict[str, Any], package: str, version: str) -> Check:
    value = found["version"]
    if value is None:
        return Check("__version__", True, f"{package} has no __version__: not compared")
    try:
        same = Version(value) == Version(version)
    except InvalidVersion:
        same = False
    detail = f"{package}.__version__ is '{value}', expected '{version}'"
    return Check("__version__", same, value if same else detail)


def _all(found: dict[str, Any], package: str) -> Check:
    if found["all"] is None:
        return Check("__all__", True, f"{package} has no __all__")
    if found["missing"]:
        return Check("__all__", False, f"missing from {package}: " + ", ".join(found["missing"]))
    count = found["all"]
    return Check("__all__", True, f"{count} name{'s' if count != 1 else ''} resolved")


def _import(found: dict[str, Any], venv: Venv, package: str) -> Check:
    if found["error"]:
        return Check("import", False, f"import {package}: {found['error']}")
    where = Path(found["file"]).resolve() if found["file"] else venv.path
    if not where.is_relative_to(venv.path.resolve()):
        return Check("import", False, f"{package} came from {where}, not the fresh venv")
    return Check("import", True, f"import {package}")


AFTER_IMPORT = ("__version__", "__all__", "console scripts", "smoke")


def _not_run(names: Sequence[str], why: str) -> list[Check]:
    """Checks that cannot run because an earlier one failed: shown, not counted twice."""
    return [Check(name, False, f"not run: {why}", warning=True) for name in names]


def _checks(venv: Venv, install: Install, version: str, log: Log) -> list[Check]:
    config = install.config
    try:
        found = _probe(venv, config, log)
    except ReleaseError as error:
        found = {"error": f"{error.message}: {installer_complaint(error.detail)}"}
    imported = _import(found, venv, config.package)
    if not imported.ok:
        return [imported, *_not_run(AFTER_IMPORT, f"the import of {config.package} failed")]
    return [
        imported,
        *run_checks(
            [
                ("__version__", lambda: _version(found, config.package, version)),
                ("__all__", lambda: _all(found, config.package)),
                ("console scripts", lambda: _scripts(venv, install, found, log)),
                ("smoke", lambda: _smoke(venv, config.smoke, log)),
            ]
        ),
    ]


def install_checks(
    config: Config,
    version: str,
    requirements: list[str],
    *,
    pip_args: Sequence[str] = (),
    log: Log,
    label: str = "",
    uv: bool | None = None,
) -> list[Check]:
    """Install `requirements` into a fresh venv and check the package the way a user meets it.

    Every check runs (none stops the others); those that need the package imported
    are shown as not run when the import fails, so the table points at the cause.
    """
    requirements = [str(Path(r).resolve()) if Path(r).exists() else r for r in requirements]
    install = Install(config, tuple(requirements), tuple(pip_args), has_uv() if uv is None else uv)
    with tempfile.TemporaryDirectory(prefix="release-venv-") as temp:
        venv = Venv(Path(temp).resolve() / "venv")
        if venv.path.is_relative_to(config.root):
            raise ReleaseError(
                f"the temporary directory {temp} is inside the source tree",
                "set TMPDIR to a directory outside the project",
            )
        try:
            _create(venv, install, log)
        except ReleaseError as error:
            failed = f"{error.message}: {installer_complaint(error.detail)}"
            results = [
                Check("install", False, failed),
                *_not_run(("import", *AFTER_IMPORT), "the install failed"),
            ]
        else:
            shown = " ".join(Path(r).name if Path(r).is_absolute() else r for r in requirements)
            results = [Check("install", True, shown), *_checks(venv, install, version, log)]
    prefix = f"{label}: " if label else ""
    return [Check(prefix + c.name, c.ok, c.detail, c.warning) for c in results]


def installer_complaint(detail: str) -> str:
    """An installer's complaint on one line: from its first `error` line to the end."""
    lines = [line.strip() for line in detail.splitlines() if line.strip()]
    first = next((i for i, line in enumerate(lines) if line.lower().startswith("error")), -1)
    text = " ".join(lines[first:]) if lines else "no output"
    return re.sub(r"^error:\s*", "", text, flags=re.IGNORECASE)
