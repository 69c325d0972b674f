"""`uvx nox -s release -- 1.0.1` on a machine with only uv runs exactly the pinned tool.

A loopback pypiserver serves this checkout as release-parity under two test versions
(the pinned one and a newer one) with every wheel they need, so nothing reaches the
network. The project is adopted by the pinned version; nox, started by uvx, reads the
noxfile's script block and installs exactly that version, not the newer one.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.version import Version
from parity_projects import make_project
from wheelhouse import dependency_wheels, tool_wheel

from e2e.conftest import git
from e2e.servers import Server, pypi_server
from release import __version__, tool_pins

BASE = Version(__version__)
PINNED = f"{BASE.major}.{BASE.minor + 1}.0"
NEWER = f"{BASE.major}.{BASE.minor + 2}.0"
BIN = Path(sys.executable).parent
TABLE = '[tool.release.ci]\npython = ["3.11"]\n\n[tool.release.gates.ok]\nrun = ["python -V"]\n'
CHANGELOG = "# Changelog\n\n## [Unreleased]\n\n### Added\n\n- Pinned tools.\n"


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with pypi_server(tmp_path_factory.mktemp("tools"), {"tester": "pw-pinned"}) as server:
        dependency_wheels(server.directory)
        tool_wheel(server.directory, PINNED)
        tool_wheel(server.directory, NEWER)
        yield server


def sh(argv: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **env}
    return subprocess.run(argv, cwd=cwd, env=full, capture_output=True, text=True, check=False)


def test_uvx_nox_runs_exactly_the_pinned_release_parity(index: Server, tmp_path: Path) -> None:
    simple = index.url + "simple/"
    # the local index only (no network); uv for nox's script mode beside this interpreter
    only_here = {
        "UV_INDEX_URL": simple,
        "UV_CACHE_DIR": str(tmp_path / "uv-cache"),
        "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}",
    }
    venv = tmp_path / "pinned"
    uv = str(BIN / "uv")
    assert sh([uv, "venv", "-q", "--python", sys.executable, str(venv)], tmp_path).returncode == 0
    install = [uv, "pip", "install", "-q", "--python", str(venv / "bin/python")]
    installed = sh([*install, f"release-parity=={PINNED}"], tmp_path, **only_here)
    assert installed.returncode == 0, installed.stderr

    root = make_project(tmp_path / "project", TABLE, {"CHANGELOG.md": CHANGELOG}, write=False)
    (root / "noxfile.py").unlink()
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "project")
    adopted = sh([str(venv / "bin/python"), "-m", "release", "init", "--write"], root, **only_here)
    assert adopted.returncode == 0, adopted.stderr
    git(root, "add", "-A")
    git(root, "commit", "-qm", "adopt release-parity")
    requirements = (root / tool_pins.REQUIREMENTS).read_text()
    wheel = index.directory / f"release_parity-{PINNED}-py3-none-any.whl"
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert f"release-parity=={PINNED} \\\n    --hash=sha256:{digest}\n" in requirements
    assert f'"release-parity=={PINNED}"' in (root / "noxfile.py").read_text()

    result = sh([str(BIN / "uvx"), "nox", "-s", "release", "--", "1.0.1"], root, **only_here)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f" + release-parity=={PINNED}\n" in result.stderr  # what nox's script mode installed
    assert NEWER not in result.stdout + result.stderr  # the index serves it; nothing took it
    script_env = root / ".nox" / "_nox_script_mode" / "bin" / "python"
    ran = sh([str(script_env), "-c", "import release; print(release.__version__)"], root)
    assert ran.stdout == f"{PINNED}\n"
    output = result.stdout + result.stderr
    assert re.search(r"(?m)^\s+ok\s+parity\s", output)  # the pins checked, by the pinned tool
