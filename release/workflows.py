"""The GitHub workflows as pure functions of the configuration, and the YAML they are written in.

Only the shape of CI lives in the YAML (which gates, pythons, OSes, timeouts, the
release jobs); every job runs `nox -s <session>`, and nox reads the gate's command,
env and install list from the table at run time. So a changed pytest flag needs no
regeneration, and a changed matrix does (the parity job catches it).

Security by construction (zizmor finds nothing, auditor persona included): every
`uses:` pinned to a SHA from release/pins.py, `permissions: {}` at the top and the
least per job, `persist-credentials: false`, no `${{ }}` inside `run:` (values travel
through `env:`), a timeout on every job, one concurrency group per ref. The Python tools
are pinned too: release-parity, nox, uv and every dependency, exact versions with hashes
(release/tool_pins.py), on a Python of their own beside the gate's.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import urlparse

from release.config import CI, Config, Gate
from release.errors import ConfigError
from release.index import BUILTIN
from release.pins import TOOL_PYTHON, uses
from release.tool_pins import MARKER, REQUIREMENTS, pinned, requirements

DIRECTORY = ".github/workflows"
#: The default paths ([tool.release.ci] ci-file and release-file move them).
CI_FILE = CI.ci_file
RELEASE_FILE = CI.release_file
#: The first line of every file the generator writes: what it may overwrite, and nothing else.
HEADER = f"""\
{MARKER} from [tool.release] in pyproject.toml: do not edit by hand.
# Change the table, then regenerate: nox -s parity -- --write
# The parity job fails whenever this file and the table disagree. Each gate job runs
# `nox -s <gate>-<python>`; nox reads the gate's command, env and install list from
# the table at run time, so those run the same here and on your machine.
"""
#: How the jobs get release-parity, said under the header (see release/tool_pins.py).
TOOL_PINNED = f"""\
# release-parity runs on Python {TOOL_PYTHON} of its own, beside the gate's Python: each job
# installs {REQUIREMENTS} (the version that generated this file, nox, uv
# and every dependency, at exact versions, hashes checked). The parity job fails when
# another version runs.
"""
TOOL_BOOTSTRAPPED = f"""\
# release-parity runs on Python {TOOL_PYTHON} of its own, beside the gate's Python: installed
# from {{bootstrap}} ([tool.release.ci] bootstrap), not a pinned release; nox, uv and its other
# dependencies come from {REQUIREMENTS} (exact versions, hashes checked).
"""
PYTHON = "${{ matrix.python }}"
#: The id of the step that sets up release-parity's own Python (the install step reads it).
TOOL_STEP = "tool-python"
INSTALL_STEP = "install release-parity, nox and uv"
# A venv of the tool's Python, first on PATH for the steps that follow; `--only-binary`:
# no package's build code runs. Windows venvs keep their programs in Scripts/.
INSTALL_SCRIPT = f"""\
"$TOOL_PYTHON" -m venv "$RUNNER_TEMP/release-parity"
bin="$RUNNER_TEMP/release-parity/bin"
[ -d "$bin" ] || bin="$RUNNER_TEMP/release-parity/Scripts"
"$bin/python" -m pip install --quiet --require-hashes --only-binary :all: -r {REQUIREMENTS}
{{bootstrap}}echo "$bin" >> "$GITHUB_PATH"
"""
#: nox never installs another release-parity on its own (the noxfile's script block): a
#: version that differs from the pinned one fails the parity job instead.
WORKFLOW_ENV = {"NOX_SCRIPT_MODE": "none"}
#: Every `run:` in bash, on Windows runners too: `bash -eo pipefail`, one syntax everywhere.
BASH = {"run": {"shell": "bash"}}
#: Job ids the generator uses besides the gates (a gate of the same name is refused).
RESERVED_PREFIXES = ("publish-", "verify-")
RESERVED_JOBS = ("parity", "build", "github-release")


# --- YAML --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Commented:
    """A scalar followed by a comment on its line (a pin's release, an audit's justification)."""

    value: str
    comment: str


_PLAIN = re.compile(r"[A-Za-z_$./][\w ./$@{}()\[\]'\"=!&|*,+<>-]*")
_FLOW_PLAIN = re.compile(r"[A-Za-z_][\w.-]*")
_RESERVED = re.compile(r"(?i)(y|n|yes|no|on|off|true|false|null|~|[-+.\d][\d._eE+-]*)")


def _scalar(value: Any, pattern: re.Pattern[str] = _PLAIN) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    text = str(value)
    plain = (
        pattern.fullmatch(text)
        and not _RESERVED.fullmatch(text)
        and ": " not in text
        and " #" not in text
        and not text.endswith((":", " "))
    )
    return text if plain else json.dumps(text)


def _lines(node: Any, indent: int) -> list[str]:
    pad = " " * indent
    if isinstance(node, Mapping):
        lines = []
        for key, value in node.items():
            head = f"{pad}{_scalar(key)}:"
            if isinstance(value, Commented):
                lines.append(f"{head} {_scalar(value.value)}  # {value.comment}")
            elif value is None:
                lines.append(head)
            elif isinstance(value, str) and "\n" in value:
                chomp = "" if value.endswith("\n") else "-"
                lines.append(f"{head} |{chomp}")
                lines.extend(f"{pad}  {line}".rstrip() for line in value.splitlines())
            elif isinstance(value, Mapping | list) and not value:
                lines.append(f"{head} {'{}' if isinstance(value, Mapping) else '[]'}")
            elif isinstance(value, list) and not any(isinstance(v, Mapping) for v in value):
                items = ", ".join(_scalar(v, _FLOW_PLAIN) for v in value)
                lines.append(f"{head} [{items}]")
            elif isinstance(value, Mapping | list):
                lines.append(head)
                lines.extend(_lines(value, indent + 2))
            else:
                lines.append(f"{head} {_scalar(value)}")
        return lines
    if isinstance(node, list):
        lines = []
        for item in node:
            nested = _lines(item, indent + 2)
            lines.append(f"{pad}- {nested[0].lstrip()}")
            lines.extend(nested[1:])
        return lines
    return [f"{pad}{_scalar(node)}"]


def dump(node: Mapping[str, Any], notes: str = "") -> str:
    """Block-style YAML that GitHub, check-jsonschema and PyYAML all read back as `node`,
    under the header and `notes` (comment lines)."""
    return HEADER + notes + "\n".join(_lines(node, 0)) + "\n"


def tool_notes(config: Config) -> str:
    """The header's lines on how the jobs get release-parity."""
    if pinned(config):
        return TOOL_PINNED
    return TOOL_BOOTSTRAPPED.format(bootstrap=" ".join(f"`{b}`" for b in config.ci.bootstrap))


def generated(text: str) -> bool:
    """Did release-parity write this file? Only then may it be overwritten or deleted."""
    return text.startswith(MARKER)


def _name(path: str) -> str:
    """The workflow's name is its file's stem: two workflows never share a name, so never
    a concurrency group (`github.workflow` is the name) or a line in the Actions sidebar."""
    return PurePosixPath(path).stem


# --- the pieces of a job -------------------------------------------------------------------


def _uses(action: str, **with_: Any) -> dict[str, Any]:
    pinned, version = uses(action)
    step: dict[str, Any] = {"uses": Commented(pinned, version)}
    if with_:
        step["with"] = with_
    return step


def _setup(config: Config, python: str = "") -> list[dict[str, Any]]:
    """Checkout (no token left on disk), the job's Python (a gate's, a verify matrix's), then
    release-parity's own Python with the tool installed from its pins."""
    steps = [_uses("actions/checkout", **{"persist-credentials": False})]
    if python:
        steps.append(_uses("actions/setup-python", **{"python-version": python}))
    own = {"python-version": TOOL_PYTHON, "update-environment": False}
    steps.append({"id": TOOL_STEP, **_uses("actions/setup-python", **own)})
    bootstrap = ""
    if not pinned(config):
        entries = shlex.join(config.ci.bootstrap)
        bootstrap = f'"$bin/python" -m pip install --quiet --no-deps {entries}\n'
    steps.append(
        {
            "name": INSTALL_STEP,
            "env": {"TOOL_PYTHON": f"${{{{ steps.{TOOL_STEP}.outputs.python-path }}}}"},
            "run": INSTALL_SCRIPT.format(bootstrap=bootstrap),
        }
    )
    return steps


def _nox(session: str, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    step: dict[str, Any] = {"name": f"nox -s {session}"}
    if env:
        step["env"] = dict(env)
    step["run"] = f"nox -s {session}"
    return step


def _matrix(gate: Gate) -> dict[str, Any]:
    return {"fail-fast": False, "matrix": {"python": list(gate.python), "os": list(gate.os)}}


def gate_job(config: Config, gate: Gate) -> dict[str, Any]:
    """One job per gate; the matrix is the gate's pythons x OSes."""
    return {
        "name": f"{gate.name} ({PYTHON}, ${{{{ matrix.os }}}})",
        "runs-on": "${{ matrix.os }}",
        "timeout-minutes": gate.timeout_minutes,
        "permissions": {"contents": "read"},
        "strategy": _matrix(gate),
        "steps": [
            *_setup(config, PYTHON),
            {
                "name": f"nox -s {gate.name}-{PYTHON}",
                "env": {"PYTHON": PYTHON},
                "run": f'nox -s "{gate.name}-$PYTHON"',
            },
        ],
    }


def _single(
    config: Config, name: str, minutes: int, permissions: Mapping[str, Any]
) -> dict[str, Any]:
    """A job on the first configured OS (where it runs release-parity: on the tool's Python)."""
    return {
        "name": name,
        "runs-on": config.ci.os[0],
        "timeout-minutes": minutes,
        "permissions": dict(permissions),
    }


def _gate_jobs(config: Config, gates: Sequence[Gate]) -> dict[str, Any]:
    jobs = {gate.name: gate_job(config, gate) for gate in gates}
    parity = _single(config, "parity: workflows match the flags table", 10, {"contents": "read"})
    jobs["parity"] = {**parity, "steps": [*_setup(config), _nox("parity")]}
    return jobs


def _concurrency(cancel: bool) -> dict[str, Any]:
    return {"group": "${{ github.workflow }}-${{ github.ref }}", "cancel-in-progress": cancel}


def ci(config: Config, gates: Sequence[Gate]) -> str:
    """ci.yml: on pushes to the release branch and on pull requests, every gate plus parity."""
    return dump(
        {
            "name": _name(config.ci.ci_file),
            "on": {"push": {"branches": [config.branch]}, "pull_request": None},
            "permissions": {},
            "concurrency": _concurrency(True),
            "defaults": BASH,
            "env": WORKFLOW_ENV,
            "jobs": _gate_jobs(config, gates),
        },
        tool_notes(config),
    )


# --- release.yml ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """Where a release job publishes: "pypi", "testpypi" or an upload URL (see release.index)."""

    name: str

    @property
    def known(self) -> bool:
        return self.name in BUILTIN

    @property
    def slug(self) -> str:
        if self.known:
            return self.name
        return re.sub(r"[^a-z0-9]+", "-", (urlparse(self.name).hostname or "index").lower())

    def publish_step(self) -> dict[str, Any]:
        if self.known:
            options: dict[str, Any] = {"skip-existing": True}  # a re-run uploads nothing twice
            if self.name != "pypi":
                options = {"repository-url": BUILTIN[self.name].upload, **options}
            return _uses("pypa/gh-action-pypi-publish", **options)
        # Trusted publishing exists only on PyPI and TestPyPI: another index takes a token.
        return _uses(
            "pypa/gh-action-pypi-publish",
            **{
                "repository-url": self.name,
                "user": "__token__",
                "password": "${{ secrets.RELEASE_INDEX_PASSWORD }}",
                "skip-existing": True,
            },
        )

    def environment(self, project: str) -> dict[str, str] | str:
        if self.known:
            return {"name": self.name, "url": BUILTIN[self.name].page.format(name=project)}
        return self.slug


def _tag_glob(tag_format: str) -> str:
    """`v{version}` -> `v*`; GitHub's filter characters in the rest are escaped."""
    prefix, _, suffix = tag_format.partition("{version}")
    return f"{_escape(prefix)}*{_escape(suffix)}"


def _escape(text: str) -> str:
    return re.sub(r"([*?+\[\]!])", r"\\\1", text)


# PEP 440 decides what a pre-release is (packaging comes with nox) and spells the version
# the way every command does (a `v0.2.0-rc1` tag releases 0.2.0rc1); a bad version fails here.
VERSION_PY = (
    "import sys; from packaging.version import Version; v = Version(sys.argv[1]); "
    "print(f'version={v}'); print(f'prerelease={str(v.is_prerelease).lower()}')"
)
VERSION_SCRIPT = """\
if [ "$GITHUB_EVENT_NAME" = workflow_dispatch ]; then
  version="$INPUT_VERSION"
else
  version="${GITHUB_REF_NAME#"$TAG_PREFIX"}"
  version="${version%"$TAG_SUFFIX"}"
fi
python -c "$VERSION_PY" "$version" >> "$GITHUB_OUTPUT"
"""

RELEASE_SCRIPT = """\
nox -s notes -- "$VERSION" > "$RUNNER_TEMP/notes.md"
if gh release view "$GITHUB_REF_NAME" > /dev/null 2>&1; then
  gh release upload "$GITHUB_REF_NAME" dist/* --clobber
else
  gh release create "$GITHUB_REF_NAME" dist/* --verify-tag --title "$VERSION" \\
    --notes-file "$RUNNER_TEMP/notes.md" --prerelease="$PRERELEASE"
fi
"""

# The only write permissions, each said why (zizmor's auditor persona asks for it).
OIDC = Commented("write", "trusted publishing and attestations: a short-lived OIDC token")
RELEASE_WRITE = Commented("write", "create the GitHub Release and attach the dist files")
NO_FILES_FAILS = {"if-no-files-found": "error"}
VERSION_OUTPUT = "${{ needs.build.outputs.version }}"
IS_PRERELEASE = "needs.build.outputs.prerelease == 'true'"
IS_FINAL = "needs.build.outputs.prerelease == 'false'"
ON_TAG = "github.event_name == 'push'"


def _build_job(config: Config, needs: list[str]) -> dict[str, Any]:
    prefix, _, suffix = config.tag_format.partition("{version}")
    return {
        **_single(config, "build and check the distributions", 20, {"contents": "read"}),
        "needs": needs,
        "outputs": {
            "version": "${{ steps.version.outputs.version }}",
            "prerelease": "${{ steps.version.outputs.prerelease }}",
        },
        "steps": [
            *_setup(config),
            {
                "name": "the version, from the tag",
                "id": "version",
                "env": {
                    "TAG_PREFIX": prefix,
                    "TAG_SUFFIX": suffix,
                    "INPUT_VERSION": "${{ inputs.version }}",
                    "VERSION_PY": VERSION_PY,
                },
                "run": VERSION_SCRIPT,
            },
            _nox("build"),
            _nox('wheelcheck -- "$VERSION"', {"VERSION": "${{ steps.version.outputs.version }}"}),
            _uses("actions/upload-artifact", name="dist", path="dist/", **NO_FILES_FAILS),
        ],
    }


def _publish_job(config: Config, index: Target, needs: list[str], when: str) -> dict[str, Any]:
    return {
        **_single(config, f"publish to {index.name}", 15, {"id-token": OIDC}),
        "needs": needs,
        "if": f"{ON_TAG} && {when}" if when else ON_TAG,
        "environment": index.environment(config.name),
        "steps": [
            _uses("actions/download-artifact", name="dist", path="dist/"),
            index.publish_step(),
        ],
    }


def _verify_job(config: Config, tests: Gate, index: Target, needs: list[str]) -> dict[str, Any]:
    """`nox -s verify` from a clean venv, on the tests gate's OS x Python matrix."""
    return {
        "name": f"verify on {index.name} ({PYTHON}, ${{{{ matrix.os }}}})",
        "runs-on": "${{ matrix.os }}",
        "timeout-minutes": 20,
        "permissions": {"contents": "read"},
        "needs": needs,
        "strategy": _matrix(tests),
        "steps": [
            *_setup(config, PYTHON),
            _nox(
                'verify -- "$VERSION" --index "$INDEX"',
                {"VERSION": VERSION_OUTPUT, "INDEX": index.name},
            ),
        ],
    }


def _publish_jobs(config: Config, tests: Gate) -> dict[str, Any]:
    """Where each release goes: pre-releases and finals, or everything through staging first."""
    publish = config.publish
    if publish.where == "local":
        return {}
    final, jobs = Target(publish.final), {}
    if publish.staging:
        staging = Target(publish.staging)
        if staging.slug == final.slug:
            raise ConfigError(
                f"{config.path}: [tool.release.publish] staging = '{publish.staging}' is also"
                " the final index",
                'staging must be another index, e.g. staging = "testpypi", or ""',
            )
        jobs[f"publish-{staging.slug}"] = _publish_job(config, staging, ["build"], "")
        jobs[f"verify-{staging.slug}"] = _verify_job(
            config, tests, staging, ["build", f"publish-{staging.slug}"]
        )
        routes = [(final, [f"verify-{staging.slug}"], IS_FINAL)]
    elif Target(publish.pre_release).slug == final.slug:
        routes = [(final, [], "")]
    else:
        routes = [(Target(publish.pre_release), [], IS_PRERELEASE), (final, [], IS_FINAL)]
    for index, after, when in routes:
        jobs[f"publish-{index.slug}"] = _publish_job(config, index, ["build", *after], when)
        jobs[f"verify-{index.slug}"] = _verify_job(
            config, tests, index, ["build", f"publish-{index.slug}", "github-release"]
        )  # the order: publish, then the GitHub Release, then verify
    return jobs


def _github_release_job(config: Config, needs: list[str]) -> dict[str, Any]:
    return {
        **_single(config, "GitHub Release", 10, {"contents": RELEASE_WRITE}),
        "needs": needs,
        "if": f"${{{{ !cancelled() && !failure() && {ON_TAG} }}}}",
        "steps": [
            *_setup(config),
            _uses("actions/download-artifact", name="dist", path="dist/"),
            {
                "name": "create the release, notes from the changelog",
                "env": {
                    "GH_TOKEN": "${{ github.token }}",
                    "VERSION": VERSION_OUTPUT,
                    "PRERELEASE": "${{ needs.build.outputs.prerelease }}",
                },
                "run": RELEASE_SCRIPT,
            },
        ],
    }


def release(config: Config, gates: Sequence[Gate]) -> str:
    """release.yml: on a tag, the gates again, build + wheelcheck, publish, GitHub Release, verify.

    `workflow_dispatch` is a dry run: the gates, build and wheelcheck, nothing published.
    """
    tests = next((gate for gate in gates if gate.name == "tests"), None) or Gate(
        "tests", ("",), python=config.ci.python, os=config.ci.os
    )
    jobs = _gate_jobs(config, gates)
    jobs["build"] = _build_job(config, list(jobs))
    published = _publish_jobs(config, tests)
    jobs.update(published)
    uploads = [name for name in published if name.startswith("publish-")]
    jobs["github-release"] = _github_release_job(config, ["build", *uploads])
    version_input = {
        "description": "dry run: the version the tree carries (nothing is published)",
        "required": True,
        "type": "string",
    }
    return dump(
        {
            "name": _name(config.ci.release_file),
            "on": {
                "push": {"tags": [_tag_glob(config.tag_format)]},
                "workflow_dispatch": {"inputs": {"version": version_input}},
            },
            "permissions": {},
            "concurrency": _concurrency(False),
            "defaults": BASH,
            "env": WORKFLOW_ENV,
            "jobs": jobs,
        },
        tool_notes(config),
    )


def generate(config: Config, gates: Sequence[Gate]) -> dict[str, str]:
    """Every generated file, by its path relative to the project root: the workflows and
    the pinned tool they install (.github/release-parity.txt).

    With `where = "external"` the project's own workflow publishes the tag: a release
    workflow of ours would publish it a second time, so there is none.
    """
    files = {config.ci.ci_file: ci(config, gates)}
    if config.publish.where != "external":
        files[config.ci.release_file] = release(config, gates)
    files[REQUIREMENTS] = requirements(config)
    return files
