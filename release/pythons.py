"""Which Pythons are here: a gate runs locally on each Python of its row present on this
machine; CI's matrix runs the rest."""

from __future__ import annotations

import functools
import os
import platform
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from release import gate_table, proc
from release.config import Config


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
    rows = gate_table.gates(config)
    versions = sorted({python for gate in rows for python in gate.python})
    with ThreadPoolExecutor() as pool:  # a pyenv shim takes ~0.2 s to answer: ask all at once
        here = dict(zip(versions, pool.map(python_present, versions), strict=True))
    present: list[str] = []
    absent: list[str] = []
    for gate in rows:
        for python in gate.python:
            (present if here[python] else absent).append(f"{gate.name}-{python}")
    return present, absent
