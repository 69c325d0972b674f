"""release-parity pinned in the projects it generates for (issue 14).

The generated jobs install .github/release-parity.txt (the tool that wrote it, then its
locked dependencies, hashes checked) on a Python of the tool's own; the noxfile's script
block pins the same version; parity fails when another release-parity runs, and
`--write` changes only the pins. Another version of the tool is this checkout built as
a wheel under that version (tests/wheelhouse.py), installed from a loopback pypiserver
with its dependencies: no network.
"""

from __future__ import annotations

import difflib
import hashlib
import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from conftest import git, release_cli, run
from packaging.version import Version
from parity_projects import make_project, nox
from wheelhouse import PURE, dependency_wheels, tool_wheel, write_wheel

from release import pins, tool_pins, workflows
from release.demo import pypiserver

REPO = Path(__file__).parent.parent
RUNNING = importlib.metadata.version("release-parity")
#: Another release of the tool: the version after the one running here.
OTHER = f"{Version(RUNNING).major}.{Version(RUNNING).minor + 1}.0"
TABLE = '[tool.release.ci]\npython = ["3.11"]\n\n[tool.release.gates.ok]\nrun = ["python -V"]\n'
# what `init` writes for this project (the table above is kept)
NOXFILE_BLOCK = '# dependencies = ["nox", "release-parity=={}"]'


@dataclass(frozen=True)
class Index:
    """A loopback pypiserver: its folder of packages and its simple API."""

    packages: Path
    simple: str


@pytest.fixture(scope="module")
def index(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    """pypiserver with release-parity OTHER (this checkout) and every wheel it needs."""
    base = tmp_path_factory.mktemp("index")
    with pypiserver(base, {"tester": "pw-tool-pins"}) as url:
        packages = base / "packages"
        dependency_wheels(packages)
        tool_wheel(packages, OTHER)
        yield Index(packages, url + "simple/")


@pytest.fixture(scope="module")
def other_tool(index: Index, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv whose release-parity is OTHER, installed from the index; its bin folder."""
    venv = tmp_path_factory.mktemp("other") / "venv"
    uv = [sys.executable, "-m", "uv"]
    subprocess.run([*uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
    install = [*uv, "pip", "install", "-q", "--python", str(venv / "bin/python"), "--no-config"]
    subprocess.run([*install, "--index-url", index.simple, f"release-parity=={OTHER}"], check=True)
    return venv / "bin"


def adopted(root: Path) -> Path:
    """A committed project adopted by `init --write` with the release-parity running here."""
    make_project(root, TABLE, write=False)
    (root / "noxfile.py").unlink()
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "project")
    result = release_cli(root, "init", "--write")
    assert result.returncode == 0, result.stderr
    git(root, "add", "-A")
    git(root, "commit", "-qm", "adopt release-parity")
    return root


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- what is generated ---------------------------------------------------------------------


def test_the_requirements_file_is_the_running_tool_then_its_lock(tmp_path: Path) -> None:
    root = adopted(tmp_path / "p")
    text = (root / tool_pins.REQUIREMENTS).read_text()
    assert text.startswith(tool_pins.MARKER)
    head, _, lock = text.partition(f"release-parity=={RUNNING}\n")
    assert lock == pins.locked_lines()  # every dependency, as the lock ships them
    # an editable checkout is on no index: pinned without hashes, and the file says so
    assert "# No hashes for release-parity: it was not installed from an index here" in head
    assert tool_pins.requirements_pin(text) == RUNNING
    noxfile = (root / "noxfile.py").read_text()
    assert NOXFILE_BLOCK.format(RUNNING) in noxfile.splitlines()
    requires_python = importlib.metadata.metadata("release-parity")["Requires-Python"]
    assert f'# requires-python = "{requires_python}"' in noxfile.splitlines()


def test_the_lock_pins_nox_and_uv_with_hashes_for_the_tools_python() -> None:
    lines = re.sub(r" \\\n\s+", " ", pins.locked_lines()).splitlines()
    for name in ("nox", "uv"):
        line = next(line for line in lines if line.startswith(f"{name}=="))
        assert re.fullmatch(rf"{name}==\S+( --hash=sha256:[0-9a-f]{{64}})+", line), line
    assert all("--hash=sha256:" in line for line in lines)


def test_this_repository_installs_itself_and_says_so() -> None:
    ci = (REPO / workflows.CI_FILE).read_text()
    assert (
        f"# release-parity runs on Python {pins.TOOL_PYTHON} of its own, beside the gate's Python:"
        " installed\n# from `.` ([tool.release.ci] bootstrap), not a pinned release;"
    ) in ci
    job = yaml.safe_load(ci)["jobs"]["tests"]
    install = next(step for step in job["steps"] if step.get("name") == workflows.INSTALL_STEP)
    assert install["run"].splitlines()[3:5] == [
        '"$bin/python" -m pip install --quiet --require-hashes --only-binary :all: -r'
        " .github/release-parity.txt",
        '"$bin/python" -m pip install --quiet --no-deps .',
    ]
    requirements = (REPO / tool_pins.REQUIREMENTS).read_text()
    assert tool_pins.requirements_pin(requirements) is None  # the checkout is the tool
    assert requirements.endswith("\n" + pins.locked_lines())


def test_a_gate_on_python_3_9_sets_up_both_pythons_and_runs_on_3_9(tmp_path: Path) -> None:
    table = (
        "[tool.release.gates.old]\nrun = [\"python -c 'import sys; print(sys.version_info[:2])'\"]"
        '\npython = ["3.9"]\n'
    )
    root = make_project(tmp_path / "p", table)
    job = yaml.safe_load((root / workflows.CI_FILE).read_text())["jobs"]["old"]
    assert job["strategy"]["matrix"]["python"] == ["3.9"]
    pythons = [s["with"] for s in job["steps"] if s.get("uses", "").startswith("actions/setup-")]
    assert pythons == [
        {"python-version": "${{ matrix.python }}"},  # the gate's: on PATH as python3.9
        {"python-version": pins.TOOL_PYTHON, "update-environment": False},  # the tool's
    ]
    install = next(s for s in job["steps"] if s.get("name") == workflows.INSTALL_STEP)
    assert install["env"] == {"TOOL_PYTHON": "${{ steps.tool-python.outputs.python-path }}"}
    assert job["steps"][-1]["run"] == 'nox -s "old-$PYTHON"'
    assert job["steps"][-1]["env"] == {"PYTHON": "${{ matrix.python }}"}

    found = _python("3.9")
    if found is None:
        pytest.skip("no Python 3.9 here (PATH or ~/.pyenv/versions)")
    path = f"{found.parent}{os.pathsep}{os.environ['PATH']}"
    result = nox(root, "-s", "old-3.9", PATH=path, NOX_DOWNLOAD_PYTHON="never")
    assert result.returncode == 0, result.stderr
    assert "(3, 9)" in result.stdout + result.stderr


def _python(version: str) -> Path | None:
    """A `pythonX.Y` that runs: on PATH, else in pyenv's versions (not selected, not on PATH)."""
    program = f"python{version}"
    pyenv = sorted(Path.home().glob(f".pyenv/versions/{version}.*/bin/{program}"))
    candidates = [shutil.which(program), *pyenv]
    for candidate in candidates:
        if candidate and run([str(candidate), "-c", ""], Path.cwd()).returncode == 0:
            return Path(candidate)
    return None


# --- the noxfile ---------------------------------------------------------------------------


OLD_NOXFILE = """\
# /// script
# dependencies = ["nox", "release-parity"]
# ///
from release.adapters.nox_sessions import register

register()
"""


def test_init_updates_only_the_pin_of_a_noxfile_an_older_version_wrote(tmp_path: Path) -> None:
    root = make_project(tmp_path / "p", TABLE, write=False)
    (root / "noxfile.py").write_text(OLD_NOXFILE)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "project")
    assert release_cli(root, "init", "--write").returncode == 0
    new = (root / "noxfile.py").read_text()
    diff = difflib.ndiff(OLD_NOXFILE.splitlines(), new.splitlines())
    changed = [line for line in diff if line[:1] in "+-"]
    assert changed == [
        '- # dependencies = ["nox", "release-parity"]',
        f"+ {NOXFILE_BLOCK.format(RUNNING)}",
    ]


@pytest.mark.parametrize(
    ("noxfile", "pinned"),
    [
        (OLD_NOXFILE, OLD_NOXFILE.replace('"release-parity"', '"release-parity==4.5.6"')),
        (
            "# /// script\n# dependencies = [\n#   'nox>=2025',\n#   'release_parity>=0.1',\n"
            "#   'rich',\n# ]\n# ///\nimport nox\n",
            "# /// script\n# dependencies = [\n#   'nox>=2025',\n#   'release-parity==4.5.6',\n"
            "#   'rich',\n# ]\n# ///\nimport nox\n",
        ),
        (
            "import nox\n# release-parity is the tool\n",
            "import nox\n# release-parity is the tool\n",
        ),
        (
            "# /// script\n# dependencies = ['nox']\n# ///\n",
            "# /// script\n# dependencies = ['nox']\n# ///\n",
        ),
    ],
    ids=["older-template", "own-block", "no-block", "block-without-the-tool"],
)
def test_the_noxfile_pin_touches_only_the_release_parity_entry(noxfile: str, pinned: str) -> None:
    assert tool_pins.pin_noxfile(noxfile, "4.5.6") == pinned
    assert tool_pins.noxfile_pin(pinned) == ("4.5.6" if pinned != noxfile else None)


# --- another release-parity ----------------------------------------------------------------


def test_another_version_fails_parity_naming_both_and_write_changes_only_the_pins(
    tmp_path: Path, index: Index, other_tool: Path
) -> None:
    root = adopted(tmp_path / "p")
    ci = {"NOX_SCRIPT_MODE": "none", "UV_INDEX_URL": index.simple}  # as the parity job runs
    failed = run([str(other_tool / "nox"), "-s", "parity"], root, **ci)
    assert failed.returncode == 1
    errors = failed.stderr[failed.stderr.index("error: ") :].splitlines()
    assert errors[:2] == [
        f"error: generated by release-parity {RUNNING} (.github/release-parity.txt, noxfile.py),"
        f" running {OTHER}: regenerate with `NOX_SCRIPT_MODE=none nox -s parity -- --write`",
        "hint: the diff is only the pins (release-parity's version and hashes, its locked"
        " dependencies): review it and commit it",
    ]

    written = run([str(other_tool / "nox"), "-s", "parity", "--", "--write"], root, **ci)
    assert written.returncode == 0, written.stderr
    assert "wrote noxfile.py (its script block pins release-parity==" + OTHER in written.stdout
    assert run([str(other_tool / "nox"), "-s", "parity"], root, **ci).returncode == 0

    assert git(root, "diff", "--name-only").split() == [".github/release-parity.txt", "noxfile.py"]
    diff = git(root, "diff", "-U0", "--no-color")
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in "+++---"]
    wheel = index.packages / f"release_parity-{OTHER}-py3-none-any.whl"
    assert changed == [
        "-# No hashes for release-parity: it was not installed from an index here, or the index",
        "-# does not list this version. pip refuses this file until `parity --write` runs with",
        "-# this version installed from the index.",
        f"-release-parity=={RUNNING}",
        f"+release-parity=={OTHER} \\",
        f"+    --hash=sha256:{sha256(wheel)}",  # installed from the index: its hash
        f"-{NOXFILE_BLOCK.format(RUNNING)}",
        f"+{NOXFILE_BLOCK.format(OTHER)}",
    ]


def test_the_hashes_are_kept_while_the_version_stays(
    tmp_path: Path, index: Index, other_tool: Path
) -> None:
    """Once written, parity checks the pins without asking the index (CI, offline)."""
    root = adopted(tmp_path / "p")
    online = {"NOX_SCRIPT_MODE": "none", "UV_INDEX_URL": index.simple}
    write = [str(other_tool / "nox"), "-s", "parity", "--", "--write"]
    assert run(write, root, **online).returncode == 0
    offline = {"NOX_SCRIPT_MODE": "none", "UV_INDEX_URL": "http://127.0.0.1:9/simple/"}
    result = run([str(other_tool / "nox"), "-s", "parity"], root, **offline)
    assert result.returncode == 0, result.stderr
    assert "--hash=sha256:" in (root / tool_pins.REQUIREMENTS).read_text().split("argcomplete")[0]


# --- python -m release.pins ----------------------------------------------------------------


def _serve(packages: Path, name: str, version: str, tags: list[str]) -> None:
    """A wheel per tag (an empty module and its metadata), as an index would list them."""
    stem = f"{name}-{version}"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\nRequires-Python: >=3.8\n"
    if name == "alpha":
        metadata += "Requires-Dist: beta\n"
    files = {f"{name}.py": b"", f"{stem}.dist-info/METADATA": metadata.encode()}
    for tag in tags:
        write_wheel(packages, stem, files, PURE.replace("py3-none-any", tag))


def test_pins_refresh_locks_the_dependencies_with_the_wheels_the_tools_python_takes(
    tmp_path: Path,
) -> None:
    project = tmp_path / "pyproject.toml"
    project.write_text('[project]\nname = "tool"\nversion = "1"\ndependencies = ["alpha"]\n')
    lock = tmp_path / "lock.txt"
    with pypiserver(tmp_path / "index", {"tester": "pw-refresh"}) as url:
        packages = tmp_path / "index" / "packages"
        _serve(packages, "alpha", "1.0", ["py3-none-any"])
        beta = [
            "cp312-cp312-manylinux_2_17_x86_64",
            "cp311-cp311-manylinux_2_17_x86_64",
            "cp312-cp312-musllinux_1_2_x86_64",
            "cp312-cp312-win_amd64",
        ]
        _serve(packages, "beta", "1.0", beta)
        argv = [sys.executable, "-m", "release.pins", "--only", "tools", "--lock", str(lock)]
        argv += ["--pyproject", str(project), "--index", url + "simple/"]
        first = run(argv, tmp_path)
        assert first.returncode == 0, first.stderr
        assert first.stdout.splitlines() == [
            "alpha: (none) -> 1.0",
            "beta: (none) -> 1.0",
            "next: nox -s parity -- --write, then review and commit the workflows",
        ]
        taken = sorted(sha256(packages / f"beta-1.0-{tag}.whl") for tag in (beta[0], beta[3]))
        alpha = sha256(packages / "alpha-1.0-py3-none-any.whl")
        assert pins.locked_lines(lock) == (
            f"alpha==1.0 \\\n    --hash=sha256:{alpha}\n"
            f"beta==1.0 \\\n    --hash=sha256:{taken[0]} \\\n    --hash=sha256:{taken[1]}\n"
        )  # CPython 3.12 on GitHub's runners: no cp311, no musl
        assert run(argv, tmp_path).stdout == "every pin is the latest release\n"

        _serve(packages, "beta", "1.1", ["py3-none-any"])
        again = run(argv, tmp_path)
        assert again.stdout.splitlines()[0] == "beta: 1.0 -> 1.1"


def test_a_noxfile_that_names_the_tool_without_a_version_fails_parity(tmp_path: Path) -> None:
    root = adopted(tmp_path / "p")
    (root / "noxfile.py").write_text(OLD_NOXFILE)
    failed = release_cli(root, "parity")
    assert failed.returncode == 1
    assert failed.stderr.splitlines()[0] == (
        f"error: generated by an unpinned release-parity (noxfile.py), running {RUNNING}:"
        " regenerate with `NOX_SCRIPT_MODE=none nox -s parity -- --write`"
    )
    written = release_cli(root, "parity", "--write")
    assert written.stdout.splitlines() == [
        f"wrote noxfile.py (its script block pins release-parity=={RUNNING})"
    ]
    assert release_cli(root, "parity").returncode == 0
    assert (root / "noxfile.py").read_text() == OLD_NOXFILE.replace(
        '"release-parity"', f'"release-parity=={RUNNING}"'
    )  # only the tool's entry changed
