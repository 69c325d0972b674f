"""The generated workflows: valid for GitHub, clean for zizmor, secure by construction.

Seven differently shaped tables (this repository's own, the realistic fixture, one
detected from a pyproject, one with an OS matrix and staging, one publishing to an
index URL, one publishing locally, one whose gates run on Pythons older than the
tool's) are generated and checked with GitHub's workflow schema (vendored in
check-jsonschema), zizmor offline (default and auditor personas) and actionlint; every
`run:` is scanned for an install of release-parity, nox or uv that is not pinned.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shlex
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import run, tool
from packaging.requirements import Requirement
from parity_projects import GITHUB_BASH, make_project

from release import pins, workflows

REPO = Path(__file__).parent.parent
SHAPES = {
    "detected": """\
[project.optional-dependencies]
test = ["pytest>=8"]

[tool.ruff]
line-length = 100
""",
    "matrix-staging": """\
[tool.release]
tag-format = "release-{version}"
branch = "trunk"

[tool.release.publish]
staging = "testpypi"

[tool.release.ci]
os = ["ubuntu-latest", "windows-latest"]
python = ["3.10", "3.12"]

[tool.release.gates.tests]
run = ["pytest --timeout=60 -q"]
install = [".[dev]", "pytest-timeout"]
env = { HYPOTHESIS_MAX_EXAMPLES = "10" }
python = ["3.11", "3.12", "3.13"]
os = ["ubuntu-latest", "macos-latest"]
timeout-minutes = 25

[tool.release.gates.type-check]
run = ["mypy src"]
install = ["-r requirements-dev.txt"]
""",
    "url-index": """\
[tool.release]
tag-format = "{version}"

[tool.release.publish]
pre-release = "https://pkgs.example.com/legacy/"

[tool.release.ci]
bootstrap = ["./vendor/release-parity"]

[tool.release.gates.lint]
run = ["ruff check .", "ruff format --check ."]
install = ["ruff==0.8.0"]
""",
    "local": """\
[tool.release.publish]
where = "local"

[tool.release.ci]
python = ["3.13"]
os = ["macos-latest"]

[tool.release.gates.docs]
run = ["sphinx-build -W -b html docs docs/_build"]
env = { SPHINXOPTS = "-j auto", LC_ALL = "C.UTF-8" }
""",
    "old-pythons": """\
[tool.release.ci]
python = ["3.8", "3.9", "3.10"]

[tool.release.gates.tests]
run = ["pytest -q"]
install = ["."]
""",
}


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every shape's project root (workflows written by `parity --write`), and this repo's."""
    base = tmp_path_factory.mktemp("shapes")
    roots = {name: make_project(base / name, table) for name, table in SHAPES.items()}
    return {"self": REPO, "realistic": REPO / "tests/fixtures/realistic", **roots}


def workflow_files(generated: dict[str, Path]) -> list[str]:
    return [str(root / name) for root in generated.values()
            for name in (workflows.CI_FILE, workflows.RELEASE_FILE)]  # fmt: skip


def load(root: Path, name: str) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((root / name).read_text())
    return data


def test_this_repository_workflows_are_generated_from_its_own_table() -> None:
    result = run([tool("nox"), "-s", "parity"], REPO)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("match the flags table")


def test_every_workflow_validates_against_githubs_schema(generated: dict[str, Path]) -> None:
    files = workflow_files(generated)
    assert len(files) == 2 * len(generated) == 14
    result = run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                  *files], REPO)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok -- validation done" in result.stdout


@pytest.mark.parametrize("persona", ["regular", "auditor"])
def test_zizmor_finds_nothing(generated: dict[str, Path], persona: str) -> None:
    argv = [tool("zizmor"), "--offline", "--persona", persona, "--format", "json"]
    result = run([*argv, *workflow_files(generated)], REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []


def test_actionlint_finds_nothing(generated: dict[str, Path]) -> None:
    result = run([tool("actionlint"), "-shellcheck=", *workflow_files(generated)], REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


TOOLS = ("release-parity", "nox", "uv")
#: pip options followed by a value that is not a requirement.
VALUED = ("-c", "--constraint", "-i", "--index-url", "--only-binary", "--python", "-f")


def _pip_installs(script: str) -> list[list[str]]:
    """The arguments of every `pip install` / `uv pip install` in a `run:` script."""
    found = []
    for line in script.replace("\\\n", " ").splitlines():
        argv = shlex.split(line, comments=True)
        starts = [i for i in range(len(argv) - 1) if argv[i : i + 2] == ["pip", "install"]]
        found += [argv[i + 2 :] for i in starts]
    return found


def _requirement_lines(text: str) -> list[str]:
    """A requirements file's entries, each with its continuation lines joined."""
    joined = re.sub(r" \\\n\s+", " ", text)
    return [line for line in joined.splitlines() if line and not line.startswith("#")]


def _check_requirements_file(file: Path) -> None:
    text = file.read_text()
    for line in _requirement_lines(text):
        requirement = Requirement(line.split(" --hash")[0])
        assert len(requirement.specifier) == 1, line
        assert next(iter(requirement.specifier)).operator == "==", line
        if requirement.name != "release-parity":  # without hashes only when said so
            assert "--hash=sha256:" in line, line
        elif "--hash=sha256:" not in line:
            assert "# No hashes for release-parity:" in text


def test_no_job_installs_release_parity_nox_or_uv_unpinned(generated: dict[str, Path]) -> None:
    """Every `run:` of every shape: a tool named is pinned `==`, a requirements file is
    installed with --require-hashes and pins each entry, with hashes."""
    for root in generated.values():
        for name in (workflows.CI_FILE, workflows.RELEASE_FILE):
            for job in load(root, name)["jobs"].values():
                runs = [step.get("run", "") for step in job["steps"]]
                installs = [args for run_ in runs for args in _pip_installs(run_)]
                if any("nox" in run_ for run_ in runs):
                    assert installs, (root, name, job["name"])  # nox runs: it was installed
                for args in installs:
                    words = iter(args)
                    for word in words:
                        if word in ("-r", "--requirement"):
                            assert "--require-hashes" in args, args
                            _check_requirements_file(root / next(words))
                        elif word in VALUED:
                            next(words)
                        elif not word.startswith(("-", ".", "/")):
                            requirement = Requirement(word)
                            if requirement.name in TOOLS:
                                assert str(requirement.specifier).startswith("=="), args


def test_every_job_is_locked_down(generated: dict[str, Path]) -> None:
    """permissions: {} on top, least per job, pinned uses, no token on disk, no ${{ }} in run."""
    for root in generated.values():
        for name in (workflows.CI_FILE, workflows.RELEASE_FILE):
            text = (root / name).read_text()
            assert text.startswith("# Generated by release-parity from [tool.release]")
            data = load(root, name)
            assert data["permissions"] == {}
            assert data["concurrency"]["group"] == "${{ github.workflow }}-${{ github.ref }}"
            for job_name, job in data["jobs"].items():
                assert isinstance(job["timeout-minutes"], int)
                writes = {k for k, v in job["permissions"].items() if v == "write"}
                if job_name.startswith("publish-"):
                    assert writes == {"id-token"}
                elif job_name == "github-release":  # the release, and its files' attestations
                    assert writes == {"contents", "id-token", "attestations"}
                else:
                    assert writes == set(), (root, job_name)
                for step in job["steps"]:
                    assert "${{" not in step.get("run", "")
                    if step.get("uses", "").startswith("actions/checkout@"):
                        assert step["with"]["persist-credentials"] is False
            for action, version in re.findall(r"uses: ([\w./-]+@\w+)  # (\S+)", text):
                name_, _, sha = action.partition("@")
                assert pins.PINS[name_] == (sha, version)
            pinned = re.findall(r"uses: [\w./-]+@[0-9a-f]{40}  # ", text)
            assert len(re.findall(r"uses: ", text)) == len(pinned)


def test_release_routes_through_staging_then_promotes(generated: dict[str, Path]) -> None:
    data = load(generated["matrix-staging"], workflows.RELEASE_FILE)
    jobs = data["jobs"]
    assert data["on"]["push"]["tags"] == ["release-*"]
    gates = ["tests", "type-check", "parity", "build"]
    publishing = ["publish-testpypi", "verify-testpypi", "publish-pypi", "verify-pypi"]
    assert list(jobs) == [*gates, *publishing, "github-release"]
    assert jobs["build"]["needs"] == ["tests", "type-check", "parity"]
    assert jobs["publish-testpypi"]["if"] == "github.event_name == 'push'"  # every release
    assert jobs["verify-testpypi"]["needs"] == ["build", "publish-testpypi"]
    promote = jobs["publish-pypi"]
    assert promote["needs"] == ["build", "verify-testpypi"]
    assert promote["if"].endswith("needs.build.outputs.prerelease == 'false'")
    assert promote["environment"] == {
        "name": "pypi",
        "url": "https://pypi.org/project/probe-project/",
    }
    assert jobs["verify-pypi"]["strategy"]["matrix"] == {
        "python": ["3.11", "3.12", "3.13"], "os": ["ubuntu-latest", "macos-latest"]
    }  # the tests gate's matrix  # fmt: skip
    verify_run = jobs["verify-pypi"]["steps"][-1]
    assert verify_run["run"] == 'nox -s verify -- "$VERSION" --index "$INDEX"'
    assert verify_run["env"] == {"VERSION": "${{ needs.build.outputs.version }}", "INDEX": "pypi"}
    assert jobs["github-release"]["needs"] == ["build", "publish-testpypi", "publish-pypi"]
    gate = yaml.safe_load((generated["matrix-staging"] / workflows.CI_FILE).read_text())
    assert gate["on"]["push"]["branches"] == ["trunk"]
    assert gate["jobs"]["type-check"]["strategy"]["matrix"] == {
        "python": ["3.10", "3.12"], "os": ["ubuntu-latest", "windows-latest"]
    }  # [tool.release.ci] defaults  # fmt: skip


def test_release_without_staging_splits_pre_releases_from_finals(
    generated: dict[str, Path],
) -> None:
    jobs = load(generated["self"], workflows.RELEASE_FILE)["jobs"]
    pre, final = jobs["publish-testpypi"], jobs["publish-pypi"]
    assert pre["if"].endswith("prerelease == 'true'")
    assert final["if"].endswith("prerelease == 'false'")
    assert pre["steps"][-1]["with"]["repository-url"] == "https://test.pypi.org/legacy/"
    assert "repository-url" not in final["steps"][-1]["with"]
    assert pre["environment"]["name"] == "testpypi"
    assert final["environment"]["name"] == "pypi"
    build = jobs["build"]["steps"]
    assert [s.get("run") for s in build if "run" in s][-2:] == [
        "nox -s build", 'nox -s wheelcheck -- "$VERSION"']  # fmt: skip


def test_an_index_url_gets_a_token_and_local_publishing_gets_no_upload(
    generated: dict[str, Path],
) -> None:
    jobs = load(generated["url-index"], workflows.RELEASE_FILE)["jobs"]
    upload = jobs["publish-pkgs-example-com"]["steps"][-1]["with"]
    assert upload["repository-url"] == "https://pkgs.example.com/legacy/"
    assert upload["password"] == "${{ secrets.RELEASE_INDEX_PASSWORD }}"
    install = next(s for s in jobs["lint"]["steps"] if s.get("name") == workflows.INSTALL_STEP)
    assert install["run"].splitlines()[-2:] == [
        '"$bin/python" -m pip install --quiet --no-deps ./vendor/release-parity',
        'echo "$bin" >> "$GITHUB_PATH"',
    ]  # the bootstrap entry, after the pinned dependencies
    local = load(generated["local"], workflows.RELEASE_FILE)["jobs"]
    assert list(local) == ["docs", "parity", "build", "github-release"]
    assert local["github-release"]["needs"] == ["build"]


def _version_step(root: Path) -> dict[str, Any]:
    build = load(root, workflows.RELEASE_FILE)["jobs"]["build"]
    step: dict[str, Any] = next(s for s in build["steps"] if s.get("id") == "version")
    return step


@pytest.mark.parametrize(
    ("event", "ref", "given", "expected"),
    [
        ("push", "release-1.2.0rc1", "", "version=1.2.0rc1\nprerelease=true\n"),
        ("push", "release-1.2.0", "", "version=1.2.0\nprerelease=false\n"),
        ("push", "release-2.0.0.dev3", "", "version=2.0.0.dev3\nprerelease=true\n"),
        ("workflow_dispatch", "trunk", "3.1.4", "version=3.1.4\nprerelease=false\n"),
    ],
)
def test_the_version_comes_from_the_tag(
    generated: dict[str, Path], tmp_path: Path, event: str, ref: str, given: str, expected: str
) -> None:
    """The generated shell, run by bash as the runner would, with the step's env."""
    step = _version_step(generated["matrix-staging"])
    env = {k: v.replace("${{ inputs.version }}", given) for k, v in step["env"].items()}
    output = tmp_path / "output"
    output.touch()
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    result = run([*GITHUB_BASH, step["run"]], tmp_path, **env, GITHUB_EVENT_NAME=event,
                 GITHUB_REF_NAME=ref, GITHUB_OUTPUT=str(output), PATH=path)  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert output.read_text() == expected


def test_a_tag_that_is_not_a_version_stops_the_release(
    generated: dict[str, Path], tmp_path: Path
) -> None:
    step = _version_step(generated["matrix-staging"])
    env = {k: v.replace("${{ inputs.version }}", "") for k, v in step["env"].items()}
    output = tmp_path / "output"
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    github = {"GITHUB_EVENT_NAME": "push", "GITHUB_REF_NAME": "release-latest"}
    result = run([*GITHUB_BASH, step["run"]], tmp_path, **env, **github,
                 GITHUB_OUTPUT=str(output), PATH=path)  # fmt: skip
    assert result.returncode != 0
    assert "InvalidVersion: Invalid version: 'latest'" in result.stderr
    assert not output.exists() or output.read_text() == ""


def test_yaml_scalars_read_back_as_written() -> None:
    node: dict[str, Any] = {
        "on": None, "version": "3.11", "flag": "true", "colon": "a: b", "hash": "a #b",
        "dash": "- x", "star": "*x", "bang": "!x", "at": "@x", "hex": "0x1F", "exp": "1e3",
        "tilde": "~", "null": "null", "empty": "", "quote": "it's \"fine\"",
        "expr": "${{ matrix.os }}", "multi": "one\ntwo\n", "nested": {"empty": {}, "list": []},
        "flow": ["3.11", "a b", "x,y", "[z]", "plain"], "number": 15, "bool": False,
        "steps": [{"name": "x", "with": {"k": "v"}}, {"run": "echo $A"}],
    }  # fmt: skip
    assert yaml.safe_load(workflows.dump(node)) == node


class _GitHub(BaseHTTPRequestHandler):
    """The two GitHub API answers the refresh reads; one action is unknown when asked."""

    missing = ""

    def do_GET(self) -> None:
        match = re.fullmatch(r"/repos/([\w.-]+/[\w.-]+)/(releases/latest|commits/(.+))", self.path)
        if match is None or match[1] == self.missing:
            self._send(404, {"message": "Not Found"})
        elif match[2] == "releases/latest":
            same = match[1] == "actions/checkout"  # already the latest
            self._send(200, {"tag_name": pins.PINS[match[1]][1] if same else "v9.9.9"})
        else:
            same = match[1] == "actions/checkout"
            sha = pins.PINS[match[1]][0] if same else f"{abs(hash(match[1])):040x}"[-40:]
            self._send(200, {"sha": sha})

    def _send(self, status: int, body: dict[str, str]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def github_api() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GitHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    _GitHub.missing = ""


def _pins_in(path: Path) -> dict[str, tuple[str, str]]:
    tree = ast.parse(path.read_text())
    table = next(n for n in tree.body if isinstance(n, ast.AnnAssign) and
                 isinstance(n.target, ast.Name) and n.target.id == "PINS")  # fmt: skip
    assert table.value is not None
    value: dict[str, tuple[str, str]] = ast.literal_eval(table.value)
    return value


def test_pins_refresh_rewrites_only_the_table(tmp_path: Path, github_api: str) -> None:
    copy = tmp_path / "pins.py"
    original = Path(pins.__file__).read_text()
    copy.write_text(original)
    argv = [sys.executable, "-m", "release.pins", "--only", "actions", "--api", github_api]
    argv += ["--file", str(copy)]
    result = run(argv, tmp_path, GITHUB_TOKEN="")
    assert result.returncode == 0, result.stderr
    fresh = _pins_in(copy)
    assert fresh["actions/checkout"] == pins.PINS["actions/checkout"]
    assert fresh["pypa/gh-action-pypi-publish"][1] == "v9.9.9"
    assert re.fullmatch(r"[0-9a-f]{40}", fresh["pypa/gh-action-pypi-publish"][0])
    lines = result.stdout.splitlines()
    assert lines[0] == (
        f"actions/setup-python: {pins.PINS['actions/setup-python'][1]} -> v9.9.9"
        f" ({fresh['actions/setup-python'][0][:12]})"
    )
    assert len(lines) == len(pins.PINS)  # a change for every pin but checkout, the next step
    assert lines[-1] == "next: nox -s parity -- --write, then review and commit the workflows"
    before, after = original.split("# BEGIN PINS"), copy.read_text().split("# BEGIN PINS")
    assert before[0] == after[0]
    assert before[1].split("# END PINS")[1] == after[1].split("# END PINS")[1]


def test_pins_refresh_fails_whole_on_an_unknown_action(tmp_path: Path, github_api: str) -> None:
    _GitHub.missing = "pypa/gh-action-pypi-publish"
    copy = tmp_path / "pins.py"
    copy.write_text(Path(pins.__file__).read_text())
    before = copy.read_text()
    result = run([sys.executable, "-m", "release.pins", "--only", "actions", "--api", github_api,
                  "--file", str(copy)],
                 tmp_path, GITHUB_TOKEN="")  # fmt: skip
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == (
        "error: GitHub: repository pypa/gh-action-pypi-publish not found, or no access to its"
        " Actions (404)"
    )
    assert copy.read_text() == before
