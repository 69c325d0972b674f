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

import dataclasses
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
from release.package import Package
from release.pins import TOOL_PYTHON, uses
from release.platforms import MATURIN, PLATFORMS, builder
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


# --- one package's part --------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """One package's share of the repository's workflows.

    GitHub runs only the workflows at the top of the repository, so a package in a folder
    gets its jobs there, each `run:` in its folder. The only package at the top is the
    plain case (plain job ids, no conditions); with several, each package's job ids and
    names start with its name, and its jobs run only when they are its business: `route`
    (release.yml: this tag or dry run is the package's), `changed` (ci.yml: the change
    touches the package's paths).
    """

    config: Config
    gates: tuple[Gate, ...]
    folder: str = ""  # relative to the repository; '' at the top
    prefix: str = ""  # of its job ids: '' for the only package, else its slug and '-'
    paths: tuple[str, ...] = (".",)  # whose changes are the package's, relative to the top
    route: str = ""

    @property
    def key(self) -> str:
        """The package's slug: its output of the changes job."""
        return self.prefix.removesuffix("-")

    @property
    def changed(self) -> str:
        """ci.yml: the condition that a change touches the package ('' always)."""
        if not self.prefix or "." in self.paths:
            return ""
        return f"needs.changes.outputs.{self.key} == 'true'"

    def job(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def title(self, name: str) -> str:
        return f"{self.config.name}: {name}" if self.prefix else name

    @property
    def artifact(self) -> str:
        return f"{self.prefix}dist"

    @property
    def dist(self) -> str:
        """The dist folder, relative to the repository (where actions' paths start)."""
        return f"{self.folder}/dist/" if self.folder else "dist/"

    def here(self, step: dict[str, Any]) -> dict[str, Any]:
        """A `run:` step, run in the package's folder."""
        return {**step, "working-directory": self.folder} if self.folder else step

    def output(self, name: str) -> str:
        """An output of the package's build job, as an expression's operand."""
        return f"needs.{self.job('build')}.outputs.{name}"


def _all(*conditions: str) -> str:
    """Conditions joined with `&&`; each one with an `||` in parentheses."""
    return " && ".join(f"({c})" if "||" in c else c for c in conditions if c)


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


def gate_job(part: Part, gate: Gate) -> dict[str, Any]:
    """One job per gate; the matrix is the gate's pythons x OSes."""
    return {
        "name": part.title(f"{gate.name} ({PYTHON}, ${{{{ matrix.os }}}})"),
        "runs-on": "${{ matrix.os }}",
        "timeout-minutes": gate.timeout_minutes,
        "permissions": {"contents": "read"},
        "strategy": _matrix(gate),
        "steps": [
            *_setup(part.config, PYTHON),
            part.here(
                {
                    "name": f"nox -s {gate.name}-{PYTHON}",
                    "env": {"PYTHON": PYTHON},
                    "run": f'nox -s "{gate.name}-$PYTHON"',
                }
            ),
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


def _only(job: dict[str, Any], when: str, needs: Sequence[str] = ()) -> dict[str, Any]:
    """`job`, after `needs` and only `when` (each left out when empty)."""
    head: dict[str, Any] = {"name": job["name"]}
    if needs:
        head["needs"] = list(needs)
    if when:
        head["if"] = when
    return {**head, **job}


def _gate_jobs(part: Part, when: str, needs: Sequence[str] = ()) -> dict[str, Any]:
    return {part.job(gate.name): _only(gate_job(part, gate), when, needs) for gate in part.gates}


def _parity_job(part: Part) -> dict[str, Any]:
    """The drift check, once for the whole repository (from the first package's folder)."""
    parity = _single(
        part.config, "parity: workflows match the flags table", 10, {"contents": "read"}
    )
    return {**parity, "steps": [*_setup(part.config), part.here(_nox("parity"))]}


def _add(jobs: dict[str, Any], more: Mapping[str, Any]) -> None:
    """Add `more` to `jobs`; two packages' jobs never share an id."""
    for job_id, job in more.items():
        if job_id in jobs:
            raise ConfigError(
                f"two jobs of the generated workflows would both be '{job_id}'",
                "rename a gate, or a package, so that package name and gate name never"
                " spell the same job id",
            )
        jobs[job_id] = job


def _concurrency(cancel: bool) -> dict[str, Any]:
    return {"group": "${{ github.workflow }}-${{ github.ref }}", "cancel-in-progress": cancel}


# Each package's paths, one line each: `<output> <path> ...` (paths relative to the top).
CHANGES_SCRIPT = """\
if [ "$GITHUB_EVENT_NAME" = pull_request ]; then range="$BASE...HEAD"; else range="$BASE..HEAD"; fi
[ -n "$BASE" ] && changed=$(git diff --name-only "$range" --) || changed=.github/
while read -r output paths; do
  [ -n "$output" ] || continue
  touched=false
  for path in $paths; do
    while IFS= read -r file; do
      case "$file" in
        "$path"/* | "$path" | .github/*) touched=true ;;
      esac
    done <<< "$changed"
  done
  echo "$output=$touched" >> "$GITHUB_OUTPUT"
done <<< "$PACKAGES"
"""


def _changes_job(config: Config, watched: Sequence[Part]) -> dict[str, Any]:
    """Which packages a push or pull request touches: one output per package.

    GitHub's `paths:` filters belong to a whole workflow, and a workflow they skip leaves
    its required checks pending forever; a job skipped by its `if:` counts as passed. So
    one ci.yml, whose gate jobs run when this job says their package changed. An unknown
    range (a new branch, a force push) or a change under .github/ runs every package.
    """
    steps = [
        _uses("actions/checkout", **{"persist-credentials": False, "fetch-depth": 0}),
        {
            "name": "the packages the change touches",
            "id": "changed",
            "env": {
                "BASE": "${{ github.event.pull_request.base.sha || github.event.before }}",
                "PACKAGES": "".join(f"{p.key} {' '.join(p.paths)}\n" for p in watched),
            },
            "run": CHANGES_SCRIPT,
        },
    ]
    return {
        **_single(config, "which packages changed", 5, {"contents": "read"}),
        "outputs": {p.key: f"${{{{ steps.changed.outputs.{p.key} }}}}" for p in watched},
        "steps": steps,
    }


def _ci(parts: Sequence[Part]) -> str:
    """ci.yml: on pushes to the release branch and on pull requests, every gate plus parity."""
    first = parts[0].config
    jobs: dict[str, Any] = {}
    watched = [part for part in parts if part.changed]
    if watched:
        jobs["changes"] = _changes_job(first, watched)
    for part in parts:
        _add(jobs, _gate_jobs(part, part.changed, ["changes"] if part.changed else []))
    _add(jobs, {"parity": _parity_job(parts[0])})
    releasing = [name for part in parts for name in (part.config.branch, *part.config.maintenance)]
    branches = list(dict.fromkeys(releasing))  # every release branch: main and maintenance
    return dump(
        {
            "name": _name(first.ci.ci_file),
            "on": {"push": {"branches": branches}, "pull_request": None},
            "permissions": {},
            "concurrency": _concurrency(True),
            "defaults": BASH,
            "env": WORKFLOW_ENV,
            "jobs": jobs,
        },
        tool_notes(first),
    )


def ci(config: Config, gates: Sequence[Gate]) -> str:
    """ci.yml of a project that is the only package of its repository, at its top."""
    return _ci([Part(config, tuple(gates))])


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

    def environment(self, config: Config) -> dict[str, str] | str:
        """The GitHub environment of its publish job: [tool.release.publish] environments
        names it (e.g. `pypi-production`, with required reviewers), else the index's name."""
        default = self.name if self.known else self.slug
        name = config.publish.environments.get(self.name, default)
        if self.known:
            return {"name": name, "url": BUILTIN[self.name].page.format(name=config.name)}
        return name


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

#: The GitHub Release as a local release makes it (release/github_release.py): a draft, every
#: dist file and SHA256SUMS, then published, so immutable releases work; a re-run keeps it.
RELEASE_SCRIPT = 'nox -s github-release -- "$VERSION"\n'

# The only write permissions, each said why (zizmor's auditor persona asks for it).
OIDC = Commented("write", "trusted publishing and attestations: a short-lived OIDC token")
RELEASE_WRITE = Commented("write", "create the GitHub Release and attach the dist files")
ATTEST = Commented("write", "record the dist files' build provenance (artifact attestations)")
RELEASE_PERMISSIONS = {"contents": RELEASE_WRITE, "id-token": OIDC, "attestations": ATTEST}
NO_FILES_FAILS = {"if-no-files-found": "error"}
ON_TAG = "github.event_name == 'push'"


def _expression(part: Part, output: str) -> str:
    return f"${{{{ {part.output(output)} }}}}"


def _build_job(part: Part, needs: list[str]) -> dict[str, Any]:
    config = part.config
    prefix, _, suffix = config.tag_format.partition("{version}")
    job = {
        **_single(
            config, part.title("build and check the distributions"), 20, {"contents": "read"}
        ),
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
            part.here(_nox("build")),
            part.here(
                _nox(
                    'wheelcheck -- "$VERSION"', {"VERSION": "${{ steps.version.outputs.version }}"}
                )
            ),
            _uses("actions/upload-artifact", name=part.artifact, path=part.dist, **NO_FILES_FAILS),
        ],
    }
    return _only(job, part.route)


# --- native wheels: one wheel per platform (release.platforms) -----------------------------

WHEELHOUSE = "wheelhouse/"
#: What the gather step runs: the wheel the tool's Python installs, beside the sdist.
GATHER = f"python -m release.gather {WHEELHOUSE}"


def native(config: Config) -> bool:
    """Does the package ship one wheel per platform ([tool.release.ci] wheels)?"""
    return bool(config.ci.wheels)


def _wheel_matrix(config: Config) -> list[dict[str, str]]:
    """One row per platform: its runner, and what the builder is told to target."""
    maturin = builder(config.pyproject) == MATURIN
    rows = []
    for name in config.ci.wheels:
        platform = PLATFORMS[name]
        row = {"platform": name, "runner": platform.runner}
        if maturin:
            row["target"] = platform.target
            row["manylinux"] = platform.manylinux
        else:
            row["archs"] = platform.archs
        rows.append(row)
    return rows


def _builder_step(part: Part) -> dict[str, Any]:
    """maturin (in a manylinux container on Linux) or cibuildwheel, into the wheelhouse."""
    folder = {"working-directory": part.folder} if part.folder else {}
    if builder(part.config.pyproject) == MATURIN:
        return _uses(
            "PyO3/maturin-action",
            target="${{ matrix.target }}",
            manylinux="${{ matrix.manylinux }}",
            args=f"--release --out {WHEELHOUSE} --find-interpreter",
            **folder,
        )
    wheelhouse = f"{part.folder}/{WHEELHOUSE}" if part.folder else WHEELHOUSE
    return {
        **_uses(
            "pypa/cibuildwheel", **{"package-dir": part.folder or ".", "output-dir": wheelhouse}
        ),
        "env": {"CIBW_ARCHS": "${{ matrix.archs }}"},
    }


def _sdist_job(part: Part, needs: list[str]) -> dict[str, Any]:
    """The build job, once: the version, the sdist (checked with the host's wheel), uploaded
    alone; the platforms' wheels come from the wheels job."""
    job = _build_job(part, needs)
    job["name"] = part.title("build and check the sdist")
    upload = {"name": f"{part.artifact}-sdist", "path": f"{part.dist}*.tar.gz"}
    job["steps"][-1] = _uses("actions/upload-artifact", **upload, **NO_FILES_FAILS)
    return job


def _wheels_job(part: Part, sdist: str) -> dict[str, Any]:
    """Each platform's wheels, built on its runner and wheelchecked there against the sdist."""
    config = part.config
    maturin = builder(config.pyproject) == MATURIN
    wheelhouse = f"{part.folder}/{WHEELHOUSE}" if part.folder else WHEELHOUSE
    upload = {"name": f"{part.artifact}-wheels-${{{{ matrix.platform }}}}", "path": wheelhouse}
    job = {
        "name": part.title("wheels for ${{ matrix.platform }}"),
        "runs-on": "${{ matrix.runner }}",
        "timeout-minutes": 45,
        "permissions": {"contents": "read"},
        "needs": [sdist],
        "strategy": {"fail-fast": False, "matrix": {"include": _wheel_matrix(config)}},
        "steps": [
            # maturin builds for every Python it finds: the project's, and the tool's venv.
            *_setup(config, "\n".join(config.ci.python) if maturin else ""),
            _uses("actions/download-artifact", name=f"{part.artifact}-sdist", path=part.dist),
            _builder_step(part),
            part.here(
                {"name": "the wheel this runner's Python installs, beside the sdist", "run": GATHER}
            ),
            part.here(
                _nox(
                    'wheelcheck -- "$VERSION"',
                    {"VERSION": f"${{{{ needs.{sdist}.outputs.version }}}}"},
                )
            ),
            _uses("actions/upload-artifact", **upload, **NO_FILES_FAILS),
        ],
    }
    return _only(job, part.route)


def _gathered_job(part: Part, sdist: str, wheels: str) -> dict[str, Any]:
    """The build job the publish jobs read: every file under one artifact, the version."""
    everything = {"pattern": f"{part.artifact}-*", "path": "dist/", "merge-multiple": True}
    job = {
        **_single(
            part.config,
            part.title("the sdist and every platform's wheels"),
            10,
            {"contents": "read"},
        ),
        "needs": [sdist, wheels],
        "outputs": {
            "version": f"${{{{ needs.{sdist}.outputs.version }}}}",
            "prerelease": f"${{{{ needs.{sdist}.outputs.prerelease }}}}",
        },
        "steps": [
            _uses("actions/download-artifact", **everything),
            _uses("actions/upload-artifact", name=part.artifact, path="dist/", **NO_FILES_FAILS),
        ],
    }
    return _only(job, part.route)


def _native_build_jobs(part: Part, needs: list[str]) -> dict[str, Any]:
    """In place of the build job: the sdist once, each platform's wheels on its own runner,
    then the job named build with every file, which the publish jobs download."""
    sdist, wheels = part.job("sdist"), part.job("wheels")
    taken = sorted({sdist, wheels} & set(needs))
    if taken:
        raise ConfigError(
            f"{part.config.path}: a gate is named '{taken[0]}', the job that builds native wheels",
            "rename the gate in [tool.release.gates]",
        )
    return {
        sdist: _sdist_job(part, needs),
        wheels: _wheels_job(part, sdist),
        part.job("build"): _gathered_job(part, sdist, wheels),
    }


def _publish_job(part: Part, index: Target, needs: list[str], when: str) -> dict[str, Any]:
    return {
        **_single(part.config, part.title(f"publish to {index.name}"), 15, {"id-token": OIDC}),
        "needs": needs,
        "if": _all(part.route, ON_TAG, when),
        "environment": index.environment(part.config),
        "steps": [
            _uses("actions/download-artifact", name=part.artifact, path="dist/"),
            index.publish_step(),
        ],
    }


def _verify_job(part: Part, tests: Gate, index: Target, needs: list[str]) -> dict[str, Any]:
    """`nox -s verify` from a clean venv, on the tests gate's OS x Python matrix."""
    job = {
        "name": part.title(f"verify on {index.name} ({PYTHON}, ${{{{ matrix.os }}}})"),
        "runs-on": "${{ matrix.os }}",
        "timeout-minutes": 20,
        "permissions": {"contents": "read"},
        "needs": needs,
        "strategy": _matrix(tests),
        "steps": [
            *_setup(part.config, PYTHON),
            part.here(
                _nox(
                    'verify -- "$VERSION" --index "$INDEX"',
                    {"VERSION": _expression(part, "version"), "INDEX": index.name},
                )
            ),
        ],
    }
    return _only(job, part.route)


def _tests_gate(part: Part) -> Gate:
    """The gate whose matrix verify runs on: `tests`, else the CI defaults."""
    config = part.config
    return next((gate for gate in part.gates if gate.name == "tests"), None) or Gate(
        "tests", ("",), python=config.ci.python, os=config.ci.os
    )


def _publish_jobs(part: Part) -> dict[str, Any]:
    """Where each release goes: pre-releases and finals, or everything through staging first."""
    config, tests, build = part.config, _tests_gate(part), part.job("build")
    publish = config.publish
    if publish.where == "local":
        return {}
    final, jobs = Target(publish.final), {}
    is_final = f"{part.output('prerelease')} == 'false'"
    if publish.staging:
        staging = Target(publish.staging)
        if staging.slug == final.slug:
            raise ConfigError(
                f"{config.path}: [tool.release.publish] staging = '{publish.staging}' is also"
                " the final index",
                'staging must be another index, e.g. staging = "testpypi", or ""',
            )
        upload, check = part.job(f"publish-{staging.slug}"), part.job(f"verify-{staging.slug}")
        jobs[upload] = _publish_job(part, staging, [build], "")
        jobs[check] = _verify_job(part, tests, staging, [build, upload])
        routes = [(final, [check], is_final)]
    elif Target(publish.pre_release).slug == final.slug:
        routes = [(final, [], "")]
    else:
        is_pre = f"{part.output('prerelease')} == 'true'"
        routes = [(Target(publish.pre_release), [], is_pre), (final, [], is_final)]
    for index, after, when in routes:
        upload = part.job(f"publish-{index.slug}")
        jobs[upload] = _publish_job(part, index, [build, *after], when)
        jobs[part.job(f"verify-{index.slug}")] = _verify_job(
            part, tests, index, [build, upload, part.job("github-release")]
        )  # the order: publish, then the GitHub Release, then verify
    return jobs


def _github_release_job(part: Part, needs: list[str]) -> dict[str, Any]:
    config = part.config
    return {
        **_single(config, part.title("GitHub Release"), 10, RELEASE_PERMISSIONS),
        "needs": needs,
        "if": f"${{{{ !cancelled() && !failure() && {_all(ON_TAG, part.route)} }}}}",
        "steps": [
            *_setup(config),
            _uses("actions/download-artifact", name=part.artifact, path=part.dist),
            _uses(
                "actions/attest-build-provenance",
                **{"subject-path": f"{part.dist}*.whl\n{part.dist}*.tar.gz"},
            ),
            part.here(
                {
                    "name": "the GitHub Release: a draft, dist/ and SHA256SUMS, then published",
                    "env": {
                        "GITHUB_TOKEN": "${{ github.token }}",
                        "VERSION": _expression(part, "version"),
                    },
                    "run": RELEASE_SCRIPT,
                }
            ),
        ],
    }


def _release_jobs(part: Part, needs: list[str]) -> dict[str, Any]:
    """One package's jobs after the gates: build + wheelcheck, publish, GitHub Release, verify."""
    if native(part.config):
        jobs = _native_build_jobs(part, needs)
    else:
        jobs = {part.job("build"): _build_job(part, needs)}
    published = _publish_jobs(part)
    jobs.update(published)
    uploads = [name for name in published if name.startswith(part.job("publish-"))]
    jobs[part.job("github-release")] = _github_release_job(part, [part.job("build"), *uploads])
    return jobs


def _literal(text: str) -> str:
    """A string literal of GitHub's expressions."""
    return "'" + text.replace("'", "''") + "'"


def _route(part: Part, parts: Sequence[Part]) -> str:
    """release.yml: this run releases `part`: a dry run names it, or the tag is in its
    format (and not in another package's longer prefix: `a-v` is not `a-v2-`'s)."""
    prefix, _, suffix = part.config.tag_format.partition("{version}")
    tag = [ON_TAG, f"startsWith(github.ref_name, {_literal(prefix)})"]
    if suffix:
        tag.append(f"endsWith(github.ref_name, {_literal(suffix)})")
    for other in parts:
        longer = other.config.tag_format.partition("{version}")[0]
        if longer != prefix and longer.startswith(prefix):
            tag.append(f"!startsWith(github.ref_name, {_literal(longer)})")
    return f"inputs.package == {_literal(part.config.name)} || {' && '.join(tag)}"


def _release(parts: Sequence[Part]) -> str:
    """release.yml: on a tag, the gates again, build + wheelcheck, publish, GitHub Release,
    verify; with several packages the tag's package only (its prefix routes it).

    `workflow_dispatch` is a dry run: the gates, build and wheelcheck, nothing published.
    """
    first = parts[0].config
    jobs: dict[str, Any] = {}
    for part in parts:
        _add(jobs, _gate_jobs(part, part.route))
    _add(jobs, {"parity": _parity_job(parts[0])})
    for part in parts:
        gates = [part.job(gate.name) for gate in part.gates]
        _add(jobs, _release_jobs(part, [*gates, "parity"]))
    inputs: dict[str, Any] = {}
    if any(part.route for part in parts):
        inputs["package"] = {
            "description": "dry run: the package to build and check",
            "required": True,
            "type": "choice",
            "options": [part.config.name for part in parts],
        }
    inputs["version"] = {
        "description": "dry run: the version the tree carries (nothing is published)",
        "required": True,
        "type": "string",
    }
    tags = list(dict.fromkeys(_tag_glob(part.config.tag_format) for part in parts))
    return dump(
        {
            "name": _name(first.ci.release_file),
            "on": {"push": {"tags": tags}, "workflow_dispatch": {"inputs": inputs}},
            "permissions": {},
            "concurrency": _concurrency(False),
            "defaults": BASH,
            "env": WORKFLOW_ENV,
            "jobs": jobs,
        },
        tool_notes(first),
    )


# --- the repository's files ----------------------------------------------------------------

#: [tool.release.ci] keys every package of one repository shares: one set of workflows.
SHARED_KEYS = (("ci-file", "ci_file"), ("release-file", "release_file"), ("bootstrap", "bootstrap"))


def _slug(name: str) -> str:
    """A package name as the start of a job id (a letter first, then [a-z0-9-])."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug if slug[:1].isalpha() else f"p-{slug}"


def _require_shared(packages: Sequence[Package]) -> None:
    first = packages[0].config
    for package in packages[1:]:
        for key, attribute in SHARED_KEYS:
            if getattr(package.config.ci, attribute) != getattr(first.ci, attribute):
                raise ConfigError(
                    f"{package.config.path}: [tool.release.ci] {key} differs from"
                    f" {first.path}'s: the packages of one repository share its workflows",
                    f"give every package the same {key}, or leave it out of each",
                )


def parts(packages: Sequence[tuple[Package, Sequence[Gate]]]) -> list[Part]:
    """Each package's part of the workflows at the top of their repository."""
    _require_shared([package for package, _ in packages])
    if len(packages) == 1 and not packages[0][0].folder:
        return [Part(packages[0][0].config, tuple(packages[0][1]))]
    several = len(packages) > 1
    made = [
        Part(
            package.config,
            tuple(gates),
            folder=package.folder,
            prefix=f"{_slug(package.name)}-" if several else "",
            paths=package.paths,
        )
        for package, gates in packages
    ]
    if not several:
        return made
    return [dataclasses.replace(part, route=_route(part, made)) for part in made]


def generate_parts(parts: Sequence[Part]) -> dict[str, str]:
    """Every generated file, by its path relative to the top of the repository: one ci.yml
    and one release.yml for every package, and the pinned tool they install
    (.github/release-parity.txt).

    A package with `where = "external"` has its own workflow publish its tag: a release
    workflow of ours would publish it a second time, so it has no release jobs (and with
    no other package, there is no release.yml).
    """
    first = parts[0].config
    files = {first.ci.ci_file: _ci(parts)}
    publishing = [part for part in parts if part.config.publish.where != "external"]
    if publishing:
        files[first.ci.release_file] = _release(publishing)
    files[REQUIREMENTS] = requirements(first)
    return files


def generate(config: Config, gates: Sequence[Gate]) -> dict[str, str]:
    """Every generated file of a project that is the only package of its repository, at
    its top, by its path relative to the project root."""
    return generate_parts([Part(config, tuple(gates))])
