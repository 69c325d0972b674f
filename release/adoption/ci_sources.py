"""The project's own CI, read as data: which checks it runs, how, with what, on which Pythons.

Every job step of `.github/workflows/*.yml` that runs a check is followed to the command
that does the checking: through `scripts/…` shell scripts, Makefile and justfile targets,
tox envs, nox sessions and hatch scripts, and through the wrappers `uv run`, `poetry run`,
`pdm run`, `uvx`. Each becomes a gate with the command's exact flags and env, what it
needs installed (`Needs`), and the Pythons and OSes of the job's matrix. A job's matrix
is expanded one combination at a time, so `${{ matrix.x }}` has its value; what only the
runner knows (a secret, another job's output, `$(...)`) is reported, never guessed.
"""

from __future__ import annotations

import itertools
import re
import shlex
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import PurePosixPath
from typing import Any

import yaml
from packaging.version import Version

from release import workflows
from release.adoption import ci_runners
from release.adoption.ci_installs import (
    OFFERED,
    Needs,
    offered,
    pdm_needs,
    poetry_needs,
    project_pythons,
    python_name,
    supports,
    uv_needs,
)
from release.adoption.ci_shell import (
    Call,
    Shell,
    Unexpandable,
    Unread,
    condition,
    contexts,
    justfile,
    makefile,
    substitute,
)
from release.config import Config, Gate
from release.errors import ConfigError

DEFAULT_OS = "ubuntu-latest"
#: What a runner's shell has set that scripts test (`[ -z "$GITHUB_ACTIONS" ]`).
RUNNER_VARIABLES = {"CI": "true", "GITHUB_ACTIONS": "true"}
#: Programs that take a subcommand: their key is the pair (`ruff check`, `coverage run`).
SUBCOMMANDS = frozenset(
    {
        "ruff",
        "coverage",
        "pre-commit",
        "prek",
        "tox",
        "nox",
        "uv",
        "poetry",
        "pdm",
        "hatch",
        "pip",
        "pyrefly",
        "ty",
        "git",
        "gh",
        "towncrier",
    }
)
#: Gate names for the checks everyone runs; any other program names its own gate.
CATEGORIES = {
    ("ruff", "check"): "lint",
    ("ruff",): "lint",
    ("flake8",): "lint",
    ("pylint",): "lint",
    ("pyflakes",): "lint",
    ("pycodestyle",): "lint",
    ("pre-commit", "run"): "lint",
    ("prek", "run"): "lint",
    ("ruff", "format"): "format",
    ("black",): "format",
    ("isort",): "format",
    ("mypy",): "mypy",
    ("pyright",): "typecheck",
    ("basedpyright",): "typecheck",
    ("pyrefly", "check"): "typecheck",
    ("ty", "check"): "typecheck",
    ("pytype",): "typecheck",
    ("pytest",): "tests",
    ("py.test",): "tests",
    ("coverage", "run"): "tests",
    ("unittest",): "tests",
}
#: Programs (or program + subcommand) that install, set up, build, publish or report:
#: a step of CI, not a check.
_FILES = {"echo", "printf", "cd", "mkdir", "rm", "cp", "mv", "cat", "ls", "tar", "unzip", "dir"}
_SHELL = {"test", "[", "[[", "true", "false", "sleep", "pushd", "popd", "tee", "touch", "export"}
_TEXT = {"find", "grep", "sed", "awk", "head", "tail", "wc", "sort", "xargs", "tree", "du", "df"}
_SYSTEM = {"which", "printenv", "uname", "pwd", "sudo", "apt", "apt-get", "brew", "choco", "chmod"}
_NETWORK = {"curl", "wget", "git", "gh", "docker", "npm", "npx", "yarn", "timeout"}
_REPORTS = {"codecov", "coveralls", "codacy", "asv", "zipfile", "faqtory"}
_BUILDS = {"build", "pyproject-build", "twine", "mkdocs", "zensical", "sphinx-build", "cog"}
_INSTALLS = {"venv", "virtualenv", "pipx", "pip", "pip3", "sphinx-autobuild", "doc2dash"}
NOT_CHECKS = frozenset().union(
    _FILES, _SHELL, _TEXT, _SYSTEM, _NETWORK, _REPORTS, _BUILDS, _INSTALLS
)
NOT_CHECK_PAIRS = frozenset(
    {
        ("uv", "build"),
        ("uv", "lock"),
        ("uv", "venv"),
        ("uv", "python"),
        ("uv", "cache"),
        ("uv", "tool"),
        ("uv", "pip"),
        ("uv", "version"),
        ("uv", "export"),
        ("uv", "publish"),
        ("poetry", "config"),
        ("poetry", "env"),
        ("poetry", "build"),
        ("poetry", "lock"),
        ("poetry", "self"),
        ("poetry", "publish"),
        ("poetry", "version"),
        ("pdm", "build"),
        ("pdm", "lock"),
        ("pdm", "publish"),
        ("pdm", "use"),
        ("hatch", "build"),
        ("hatch", "publish"),
        ("hatch", "version"),
        ("towncrier", "build"),
    }
)
#: `coverage` subcommands that read the data an earlier test command wrote.
COVERAGE_REPORTS = frozenset({"report", "combine", "xml", "html", "json", "lcov", "erase"})
PUBLISH_ACTIONS = ("pypa/gh-action-pypi-publish", "casperdcl/deploy-pypi")
_SETUP_ACTIONS = (
    "actions/setup-python",
    "astral-sh/setup-uv",
    "pdm-project/setup-pdm",
    "conda-incubator/setup-miniconda",
    "hynek/setup-cached-uv",
)
_UV_RUN_VALUES = frozenset(
    {
        "--group",
        "--only-group",
        "--extra",
        "--with",
        "--python",
        "-p",
        "--directory",
        "--project",
        "--package",
        "--env-file",
        "--index",
        "--no-group",
        "--with-requirements",
        "--with-editable",
        "--from",
        "--isolated-from",
    }
)


@dataclass(frozen=True)
class FoundGate:
    """A gate as the project's CI runs it, and where in CI it was found."""

    gate: Gate
    origin: str


@dataclass(frozen=True)
class JobChecks:
    """What one hand-written job runs that checks something, each command as CI writes it."""

    file: str
    job: str
    commands: tuple[str, ...]


@dataclass(frozen=True)
class Reading:
    """Everything read from the project's CI: gates, each job's checks, what was not carried."""

    gates: tuple[FoundGate, ...]
    jobs: tuple[JobChecks, ...]
    notes: tuple[str, ...]
    python: tuple[str, ...]


@dataclass(frozen=True)
class _Check:
    """One check as one job combination runs it."""

    name: str
    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    needs: Needs
    origin: str
    written: str  # the command as the job's file (or its script) writes it
    python: str | None = None


@dataclass
class _Combination:
    """One job of one workflow for one matrix combination, while it is being read."""

    file: str
    job: str
    os: str
    python: str | None
    variables: dict[str, str | None]
    env: dict[str, str | None] = field(default_factory=dict)
    literal: dict[str, str] = field(default_factory=dict)
    step: dict[str, str | None] = field(default_factory=dict)  # the current step's variables
    installed: Needs = field(default_factory=Needs)
    checks: list[_Check] = field(default_factory=list)


# --- commands as programs ------------------------------------------------------------------


def normalized(argv: Sequence[str]) -> list[str]:
    """The words that say what runs: wrappers (`uv run`, `poetry run`, `python -m`) dropped,
    paths spelled one way (`./pkg/` is `pkg`), so equal commands compare equal."""
    words = unwrap(list(argv), {})[0]
    if len(words) > 2 and _is_python(words[0]) and words[1] == "-m":
        words = words[2:]
    return [_path(word) for word in words]


def _is_python(word: str) -> bool:
    """`python`, `python3.12`, `.venv/bin/python`, a Windows venv's `python.exe`, tox's."""
    return re.search(r"python(\d(\.\d+)?)?(\.exe)?$|^\{envpython\}$", word) is not None


def _path(word: str) -> str:
    """`./pkg/` -> `pkg`, `--cov=./pkg/` -> `--cov=pkg`."""
    head, separator, value = word.partition("=") if word.startswith("-") else ("", "", word)
    if value.startswith("./") and len(value) > 2:
        value = value[2:]
    if value.endswith("/") and len(value) > 1:
        value = value.rstrip("/")
    return f"{head}{separator}{value}"


def program(argv: Sequence[str]) -> tuple[str, ...]:
    """What runs, as a key: `("ruff", "check")`, `("pytest",)`, `("coverage", "run")`."""
    words = normalized(argv)
    if not words:
        return ()
    head = PurePosixPath(words[0]).name
    if _is_python(head) and len(words) > 1 and not words[1].startswith("-"):
        return (PurePosixPath(words[1]).name,)
    if head in SUBCOMMANDS and len(words) > 1 and not words[1].startswith("-"):
        return (head, words[1])
    return (head,)


def is_check(argv: Sequence[str]) -> bool:
    """Does this command check something (not install, set up, build, publish, report)?"""
    key = program(argv)
    words = normalized(argv)
    if not key or key[0] in NOT_CHECKS or key[:2] in NOT_CHECK_PAIRS:
        return False
    if _is_python(words[0]) and (len(words) < 2 or words[1].startswith("-")):
        return False  # `python -c ...`, `python -V`: a one-liner or a version print
    if len(words) > 1 and set(words[1:]) <= {"--version", "-V", "--help", "-h"}:
        return False
    return not (key[0] == "coverage" and len(key) > 1 and key[1] in COVERAGE_REPORTS)


def category(argv: Sequence[str]) -> str:
    """The gate name a command belongs to: lint, format, mypy, typecheck, tests, or its own."""
    key = program(argv)
    found = CATEGORIES.get(key) or CATEGORIES.get(key[:1])
    if found:
        return found
    stem = PurePosixPath(key[0] if key else "check").stem
    return re.sub(r"[^A-Za-z0-9_]+", "-", stem).strip("-") or "check"


def unwrap(argv: list[str], data: Mapping[str, Any]) -> tuple[list[str], Needs | None]:
    """The command a wrapper runs (`uv run`, `uvx`, `poetry run`, `pdm run`, `pipx run`,
    `env A=B`), and what the wrapper installs first (None: it installs nothing)."""
    needs: Needs | None = None
    while argv:
        if argv[:2] == ["uv", "run"] or argv[:3] == ["uv", "tool", "run"] or argv[0] == "uvx":
            tool = argv[0] == "uvx" or argv[1] == "tool"
            options, argv = _split_options(argv[3 if argv[1:2] == ["tool"] else 1 if tool else 2 :])
            if tool:
                withs = [v for k, v in itertools.pairwise(options) if k == "--with"]
                needs = (needs or Needs()) | Needs(requirements=tuple(withs))
            elif not {"--no-sync", "--no-project", "--script"} & set(options):
                needs = (needs or Needs()) | uv_needs(data, options)
        elif argv[:2] in (["poetry", "run"], ["pdm", "run"]):
            if data:
                more = poetry_needs(data, []) if argv[0] == "poetry" else pdm_needs(data, [])
                needs = (needs or Needs()) | more
            argv = argv[2:]
            while argv and argv[0] in ("-v", "--verbose"):
                argv = argv[1:]
        elif argv[:2] == ["pipx", "run"]:
            argv = [word for word in argv[2:] if not word.startswith("--")]
        elif argv[0] == "env" and len(argv) > 1 and "=" in argv[1]:
            argv = argv[1:]
            while argv and re.match(r"[A-Za-z_]\w*=", argv[0]):
                argv = argv[1:]
        else:
            break
    return argv, needs


def _split_options(words: list[str]) -> tuple[list[str], list[str]]:
    """(options, command) of `uv run [OPTIONS] [--] COMMAND`."""
    options: list[str] = []
    index = 0
    while index < len(words):
        word = words[index]
        if word == "--":
            return options, words[index + 1 :]
        if not word.startswith("-"):
            break
        if word in ("-m", "--module"):  # `uv run -m pkg` runs `python -m pkg`
            return options, ["python", *words[index:]]
        options.append(word)
        if word in _UV_RUN_VALUES:
            options.append(words[index + 1] if index + 1 < len(words) else "")
            index += 1
        index += 1
    return options, words[index:]


# --- reading -------------------------------------------------------------------------------


class _Reader:
    """Reads one project's CI; collects checks per job combination and notes."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.root = config.root
        self.data = config.pyproject
        self.notes: list[str] = []
        self.combinations: list[_Combination] = []
        self.pythons = project_pythons(self.data)
        self.tox = ci_runners.tox(self.root)
        self.nox = ci_runners.noxfile(self.root, self.data)
        self.branch = config.branch

    def note(self, text: str) -> None:
        if text not in self.notes:
            self.notes.append(text)

    # workflows

    def workflows(self) -> None:
        folder = self.root / ".github" / "workflows"
        paths = sorted([*folder.glob("*.yml"), *folder.glob("*.yaml")])
        for path in paths:
            relative = path.relative_to(self.root).as_posix()
            text = path.read_text(encoding="utf-8", errors="replace")
            if workflows.generated(text):
                continue
            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError as exc:
                reason = str(exc).splitlines()[0]
                self.note(f"{relative} is not readable YAML ({reason}): skipped")
                continue
            if not isinstance(data, Mapping) or not isinstance(data.get("jobs"), Mapping):
                self.note(f"{relative} has no jobs: skipped")
                continue
            if _checks_changes(data):
                self.workflow(relative, data)

    def workflow(self, file: str, data: Mapping[str, Any]) -> None:
        for job_id, job in data["jobs"].items():
            if not isinstance(job, Mapping):
                continue
            if _deploys(job):
                continue
            if _elsewhere(job):
                self.note(f"{file} job `{job_id}` checks out another repository: not read")
                continue
            if "uses" in job:
                self.note(
                    f"{file} job `{job_id}` calls the reusable workflow {job['uses']}:"
                    " its checks are not read"
                )
                continue
            for combo in self.matrix(file, job_id, job):
                self.job(file, str(job_id), job, combo, data.get("env") or {})

    def matrix(self, file: str, job_id: str, job: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The job's combinations; a python axis built from an expression takes the project's
        Pythons (requires-python and the classifiers), any other such axis is reported."""
        matrix = (job.get("strategy") or {}).get("matrix")
        if matrix is None:
            return [{}]
        if not isinstance(matrix, Mapping):
            self.note(
                f"{file} job `{job_id}`: the matrix `{matrix}` is known only to the"
                " runner: its combinations are not read"
            )
            return [{}]
        axes = dict(matrix)
        for key, value in matrix.items():
            if isinstance(value, str) and "${{" in value:
                if "python" in key.lower():
                    axes[key] = list(self.pythons)
                    self.note(
                        f"{file} job `{job_id}`: matrix {key} is `{value}`, known only to"
                        " the runner: the Pythons requires-python and the classifiers"
                        f" name are used ({', '.join(self.pythons)})"
                    )
                else:
                    axes.pop(key)
        return ci_runners.combinations(axes)

    def job(
        self,
        file: str,
        job_id: str,
        job: Mapping[str, Any],
        combo: Mapping[str, Any],
        workflow_env: Mapping[str, Any],
    ) -> None:
        known = contexts(combo, {}, DEFAULT_OS, self.branch)
        os_label = self.runs_on(file, job_id, job, known)
        raw_env = {**workflow_env, **(job.get("env") or {})}
        env = self.env(raw_env, contexts(combo, {}, os_label, self.branch))
        known = contexts(combo, env, os_label, self.branch)
        if "if" in job and not condition(job["if"], known):
            return
        steps = _steps(job)
        python = self.job_python(steps, combo, known)
        state = _Combination(
            file, job_id, os_label, python, {**RUNNER_VARIABLES, **env}, env, _literal(raw_env)
        )
        for index, step in enumerate(steps):
            if "if" in step and not condition(step["if"], known):
                continue
            name = str(step.get("name") or step.get("run") or step.get("uses") or index + 1)
            origin = f"`{file}` job `{job_id}` step `{_short(name)}`"
            if "uses" in step:
                self.action(state, step, origin, known)
                if (step.get("with") or {}).get("submodules"):
                    self.note(
                        f"{origin} checks out git submodules: run `git submodule update"
                        " --init --recursive` before its gates"
                    )
            elif "run" in step:
                step_env = self.env(step.get("env") or {}, known)
                literal = {**state.literal, **_literal(step.get("env") or {})}
                self.run_step(state, str(step["run"]), step_env, literal, origin, known)
        self.combinations.append(state)

    def runs_on(
        self, file: str, job_id: str, job: Mapping[str, Any], known: Mapping[str, Any]
    ) -> str:
        label = job.get("runs-on", DEFAULT_OS)
        if isinstance(label, list):
            label = label[0] if label else DEFAULT_OS
        if isinstance(label, Mapping):
            label = label.get("labels", DEFAULT_OS)
        try:
            return substitute(label, known) or DEFAULT_OS
        except Unexpandable:
            self.note(
                f"{file} job `{job_id}`: runs-on `{label}` is known only to the runner:"
                f" {DEFAULT_OS} is used"
            )
            return DEFAULT_OS

    def env(self, raw: Mapping[str, Any], known: Mapping[str, Any]) -> dict[str, str | None]:
        """`env:` values; one that needs a secret or the runner is None (known to be unknown)."""
        values: dict[str, str | None] = {}
        for key, value in raw.items():
            text = (
                ""
                if value is None
                else str(value)
                if not isinstance(value, bool)
                else ("true" if value else "false")
            )
            try:
                values[str(key)] = substitute(text, known)
            except Unexpandable:
                values[str(key)] = None
        return values

    def job_python(
        self, steps: Sequence[Mapping[str, Any]], combo: Mapping[str, Any], known: Mapping[str, Any]
    ) -> str | None:
        """The Python a setup action installs, else the matrix's python axis."""
        for step in steps:
            uses = str(step.get("uses", ""))
            given = step.get("with") or {}
            if not uses.startswith(_SETUP_ACTIONS):
                continue
            if "python-version" in given:
                try:
                    value = substitute(given["python-version"], known).split()
                except Unexpandable:
                    continue
                return python_name(value[0]) if value else None
            if "python-version-file" in given:
                return self.version_file(str(given["python-version-file"]))
        for key, value in combo.items():
            if "python" in key.lower() and python_name(value):
                return python_name(value)
        return None

    def version_file(self, name: str) -> str | None:
        path = self.root / name
        if name.endswith("pyproject.toml") or not path.is_file():
            return self.pythons[-1] if self.pythons else None
        words = path.read_text(encoding="utf-8").split()
        return python_name(words[0]) if words else None

    def action(
        self, state: _Combination, step: Mapping[str, Any], origin: str, known: Mapping[str, Any]
    ) -> None:
        """The check actions whose command is plain: pre-commit's and ruff's."""
        uses = str(step["uses"])
        given = step.get("with") or {}
        if uses.startswith("pre-commit/action"):
            extra = str(given.get("extra_args", "--all-files"))
            argv = ("pre-commit", "run", *shlex.split(extra))
            self.add(
                state,
                _Check(
                    "lint", argv, (), Needs(requirements=("pre-commit",)), origin, shlex.join(argv)
                ),
            )
        elif uses.startswith(("astral-sh/ruff-action", "chartboost/ruff-action")):
            try:
                args = shlex.split(substitute(given.get("args", "check"), known))
            except Unexpandable:
                args = ["check"]
            argv = ("ruff", *args)
            self.add(
                state,
                _Check(
                    category(argv),
                    argv,
                    (),
                    Needs(requirements=("ruff",)),
                    origin,
                    shlex.join(argv),
                ),
            )

    def run_step(
        self,
        state: _Combination,
        text: str,
        step_env: Mapping[str, str | None],
        literal: Mapping[str, str],
        origin: str,
        known: Mapping[str, Any],
    ) -> None:
        """A `run:` script: each command followed; the env written literally goes with it."""
        try:
            script = substitute(
                text, contexts(known["matrix"], {**state.env, **step_env}, state.os, self.branch)
            )
        except Unexpandable as exc:
            self.note(f"{origin}: `${{{{{exc}}}}}` is known only to the runner: not carried over")
            return
        state.step = {**state.variables, **step_env}
        shell = Shell(state.step, self.exists)
        items = list(self.follow_all(shell.run(script), state, origin, (), literal))
        installs = [item for item in items if isinstance(item, Needs)]
        for item in items:
            if isinstance(item, Needs):
                state.installed |= item
            elif isinstance(item, _Check):
                self.add(state, item)
            elif not installs and _worth_noting(item):
                self.note(f"{origin}: `{_short(item.line)}`: {item.why}; not carried over")

    def exists(self, path: str) -> bool:
        return (self.root / path).exists()

    def add(self, state: _Combination, check: _Check) -> None:
        """Record a check; `coverage report` joins the test command whose data it reads."""
        if _reads_coverage(check.argv):
            source = next((c for c in reversed(state.checks) if _writes_coverage(c.argv)), None)
            if source is None:
                self.note(
                    f"{check.origin}: `{check.written}` reports coverage that other jobs"
                    " measured: not carried over"
                )
                return
            check = replace(check, name=source.name, env=source.env, needs=source.needs)
        if not check.needs.entries():
            installed = state.installed.entries()
            check = replace(check, needs=state.installed if installed else _tool_needs(check.argv))
        state.checks.append(check)

    # following a command to what it runs

    def follow_all(
        self,
        calls: Iterable[Call | Unread],
        state: _Combination,
        origin: str,
        seen: tuple[str, ...],
        env: Mapping[str, str],
    ) -> Iterator[_Check | Needs | Unread]:
        for call in calls:
            if isinstance(call, Unread):
                yield call
            else:
                yield from self.follow(call, state, origin, seen, env)

    def follow(
        self,
        call: Call,
        state: _Combination,
        origin: str,
        seen: tuple[str, ...],
        env: Mapping[str, str],
    ) -> Iterator[_Check | Needs | Unread]:
        """One command, followed to the checks it runs (or the installs it makes)."""
        env = {**env, **dict(call.env)}
        installs = ci_runners.install_needs(list(call.argv), self.data)
        if installs is not None:
            yield installs
            return
        argv, wrapper = unwrap(list(call.argv), self.data)
        if not argv:
            return
        key = program(argv)
        if key[:1] == ("tox",):
            yield from self.tox_run(argv, state, origin, env)
        elif key[:1] == ("nox",):
            yield from self.nox_run(argv, state, origin)
        elif key[:2] == ("hatch", "run") and len(argv) > 2:
            found = ci_runners.hatch_env(self.root, self.data, argv[2], argv[3:])
            if found is not None:
                yield from self.runner_env(found, state, f"{origin} via hatch env `{found.name}`")
        elif key[:1] in (("make",), ("just",)):
            yield from self.recipe(argv, state, origin, seen, env)
        elif self.is_script(argv):
            yield from self.script(argv, state, origin, seen, env)
        elif is_check(argv) or _reads_coverage(argv):
            needs = (state.installed | wrapper) if wrapper is not None else Needs()
            yield _Check(
                category(argv),
                tuple(argv),
                tuple(sorted(env.items())),
                needs,
                origin,
                shlex.join(call.argv),
                state.python,
            )

    def is_script(self, argv: Sequence[str]) -> bool:
        target = argv[1] if argv[0] in ("bash", "sh") and len(argv) > 1 else argv[0]
        path = self.root / target
        if "/" not in target and argv[0] not in ("bash", "sh"):
            return False
        if not path.is_file() or path.suffix == ".py":
            return False
        first = path.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
        return argv[0] in ("bash", "sh") or not first.startswith("#!") or "sh" in first

    def script(
        self,
        argv: list[str],
        state: _Combination,
        origin: str,
        seen: tuple[str, ...],
        env: Mapping[str, str],
    ) -> Iterator[_Check | Needs | Unread]:
        """A shell script CI calls: its commands, unless a line can only be known by running
        it; then the script itself is the command (it runs exactly what CI runs)."""
        target = argv[1] if argv[0] in ("bash", "sh") else argv[0]
        relative = target.removeprefix("./")
        if relative in seen:
            return
        text = (self.root / relative).read_text(encoding="utf-8", errors="replace")
        shell = Shell({**state.variables, **env}, self.exists)
        where = f"{origin} via {relative}"
        items = list(self.follow_all(shell.run(text), state, where, (*seen, relative), env))
        if any(isinstance(item, Needs) for item in items) or not any(
            isinstance(item, Unread) for item in items
        ):
            yield from items
            return
        written = shlex.join(argv)
        yield _Check(
            category([relative]),
            tuple(argv),
            tuple(sorted(env.items())),
            Needs(),
            origin,
            written,
            state.python,
        )

    def recipe(
        self,
        argv: list[str],
        state: _Combination,
        origin: str,
        seen: tuple[str, ...],
        env: Mapping[str, str],
    ) -> Iterator[_Check | Needs | Unread]:
        """`make TARGET` / `just RECIPE`: the recipe's lines, its prerequisites first."""
        tool = argv[0]
        path = self.root / ("Makefile" if tool == "make" else "justfile")
        if not path.is_file() and tool == "just":
            path = self.root / "Justfile"
        if not path.is_file() or any(word.startswith("-C") for word in argv):
            yield Unread(shlex.join(argv), f"no {path.name} here to follow")
            return
        recipes = makefile(path) if tool == "make" else justfile(path)
        targets = [word for word in argv[1:] if not word.startswith("-") and "=" not in word]
        for target in targets or list(recipes)[:1]:
            if f"{tool}:{target}" in seen or target not in recipes:
                continue
            recipe = recipes[target]
            where = f"{origin} via {path.name} target `{target}`"
            chain = (*seen, f"{tool}:{target}")
            for need in recipe.needs:
                if need in recipes:
                    yield from self.recipe([tool, need], state, origin, chain, env)
            for line in recipe.lines:
                shell = Shell({**state.variables, **env}, self.exists)
                yield from self.follow_all(shell.run(line), state, where, chain, env)

    def tox_run(
        self, argv: list[str], state: _Combination, origin: str, env: Mapping[str, str]
    ) -> Iterator[_Check | Needs | Unread]:
        """`tox [run] [-e ENVS | -f FACTORS]` (or TOXENV/TOX_ENV): each env's commands."""
        if self.tox is None:
            yield Unread(shlex.join(argv), "no tox configuration here to follow")
            return
        names: list[str] = []
        factors: list[str] = []
        words = iter(argv[1:])
        for word in words:
            if word in ("-e", "--env"):
                names += next(words, "").split(",")
            elif word.startswith("-e") and len(word) > 2:
                names += word[2:].split(",")
            elif word == "-f":
                factors += next(words, "").split(",")
        known = {**state.variables, **state.step}
        variables = {**{k: v for k, v in known.items() if v is not None}, **env}
        for key in ("TOXENV", "TOX_ENV"):
            if not names and not factors and variables.get(key):
                names = variables[key].split(",")
        for name in self.tox.select(names, factors, state.python):
            found = self.tox.resolve(name, variables)
            where = f"{origin} via tox env `{name}` ({self.tox.source})"
            yield from self.runner_env(found, state, where)

    def nox_run(
        self, argv: list[str], state: _Combination, origin: str
    ) -> Iterator[_Check | Needs | Unread]:
        """`nox [-s SESSIONS]`: each session's commands (a `name-3.12` picks one Python)."""
        if self.nox is None:
            yield Unread(shlex.join(argv), "no noxfile.py here to follow")
            return
        names: list[str] = []
        words = iter(argv[1:])
        for word in words:
            if word in ("-s", "--session", "--sessions", "-e"):
                names += [n for n in (next(words, ""),) if n]
            elif names and not word.startswith("-"):
                names.append(word)
        for name in names or ci_runners.nox_defaults(self.root, self.nox):
            base, _, version = name.rpartition("-")
            session = self.nox.get(name) or (self.nox.get(base) if python_name(version) else None)
            if session is None:
                yield Unread(shlex.join(argv), f"noxfile.py has no session `{name}`")
                continue
            python = python_name(version) if session.name != name else state.python
            pythons = (python,) if python else session.pythons
            found = ci_runners.RunnerEnv(
                session.name, "noxfile.py", session.commands, session.needs, pythons=pythons
            )
            yield from self.runner_env(
                found, state, f"{origin} via nox session `{name}` (noxfile.py)"
            )

    def runner_env(
        self, found: ci_runners.RunnerEnv, state: _Combination, where: str
    ) -> Iterator[_Check | Needs | Unread]:
        """A tox env's, nox session's or hatch script's checks, named for the env."""
        checks = [
            c
            for c in found.commands
            if isinstance(c, Unread) or is_check(c.argv) or _reads_coverage(c.argv)
        ]
        own = [c for c in checks if not isinstance(c, Unread)]
        name = _env_gate_name(found.name, [c.argv for c in own])
        pythons = found.pythons or ((found.python,) if found.python else (state.python,))
        needs = found.needs
        for command in checks:
            if isinstance(command, Unread):
                yield Unread(command.line, command.why)
                continue
            if not needs.entries():
                needs = _tool_needs(command.argv)
            for python in pythons:
                yield _Check(
                    name,
                    command.argv,
                    tuple(sorted(command.env)),
                    needs,
                    where,
                    shlex.join(command.argv),
                    python,
                )

    # runner configurations without a workflow that calls them

    def pre_commit(self, have: set[str]) -> None:
        """pre-commit's hooks as a lint gate, when pre-commit.ci runs them (a `ci:` key) or no
        workflow already runs a linter."""
        path = self.root / ".pre-commit-config.yaml"
        if not path.is_file() or any(n.startswith("lint") or n == "format" for n in have):
            return
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            self.note(f".pre-commit-config.yaml is not readable YAML ({exc}): skipped")
            return
        hooks = [
            str(h.get("id"))
            for repo in data.get("repos") or []
            if isinstance(repo, Mapping)
            for h in repo.get("hooks") or []
            if isinstance(h, Mapping)
        ]
        if not hooks:
            return
        shown = ", ".join(hooks[:6]) + (", ..." if len(hooks) > 6 else "")
        origin = f"`.pre-commit-config.yaml` ({len(hooks)} hooks: {shown})"
        argv = ("pre-commit", "run", "--all-files")
        state = _Combination(
            ".pre-commit-config.yaml",
            "pre-commit",
            DEFAULT_OS,
            self.pythons[-1] if self.pythons else None,
            {},
        )
        state.checks.append(
            _Check(
                "lint",
                argv,
                (),
                Needs(requirements=("pre-commit",)),
                origin,
                shlex.join(argv),
                state.python,
            )
        )
        self.combinations.append(state)

    def runners_alone(self) -> None:
        """Without a workflow: tox's env_list, else nox's default sessions, is what CI runs."""
        state = _Combination("", "", DEFAULT_OS, None, dict(RUNNER_VARIABLES))
        if self.tox is not None:
            items = self.tox_run(["tox"], state, f"`{self.tox.source}` env_list", {})
        elif self.nox is not None:
            items = self.nox_run(["nox"], state, "`noxfile.py` default sessions")
        else:
            return
        for item in items:
            if isinstance(item, _Check):
                self.add(state, item)
            elif isinstance(item, Unread):
                self.note(f"{item.line}: {item.why}; not carried over")
        self.combinations.append(state)


def _checks_changes(data: Mapping[Any, Any]) -> bool:
    """Does the workflow run on pushes of branches or on pull requests (CI, not a release)?

    YAML 1.1 reads the key `on` as true, so both spellings are looked up."""
    on = data.get("on", data.get(True))
    events = [on] if isinstance(on, str) else list(on or ())
    if isinstance(on, Mapping):
        push = on.get("push")
        branch_push = "push" in on and not (
            isinstance(push, Mapping) and "tags" in push and "branches" not in push
        )
        return branch_push or any(e in on for e in ("pull_request", "merge_group"))
    return any(e in ("push", "pull_request", "merge_group") for e in events)


def _steps(job: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    """The job's steps that are mappings: a hand-written file may hold anything."""
    steps = job.get("steps")
    return [step for step in steps if isinstance(step, Mapping)] if isinstance(steps, list) else []


def _deploys(job: Mapping[str, Any]) -> bool:
    """A deployment (an `environment:`, a publishing action) checks nothing: not read."""
    uses = [str(step.get("uses", "")) for step in _steps(job)]
    return "environment" in job or any(u.startswith(PUBLISH_ACTIONS) for u in uses)


def _elsewhere(job: Mapping[str, Any]) -> bool:
    """Does the job run in a checkout of another repository (an integration test)?"""
    for step in _steps(job):
        given = step.get("with") or {}
        if str(step.get("uses", "")).startswith("actions/checkout"):
            return "repository" in given and "path" not in given
    return False


def _literal(raw: Mapping[str, Any]) -> dict[str, str]:
    """The `env:` entries written as plain values (no `${{ }}`, so no secret): a gate's env."""
    found = {}
    for key, value in raw.items():
        text = str(value).lower() if isinstance(value, bool) else str(value)
        if value is not None and "${{" not in text:
            found[str(key)] = text
    return found


def _short(text: str) -> str:
    """A step's name or command on one line, at most 60 characters."""
    lines = text.strip().splitlines() or [""]
    first = lines[0] if len(lines[0]) <= 60 else lines[0][:57].rstrip()
    return first + (" ..." if len(lines) > 1 or first != lines[0] else "")


def _worth_noting(item: Unread) -> bool:
    words = item.line.split()
    return bool(words) and not item.why.startswith("its failure") and words[0] not in NOT_CHECKS


def _reads_coverage(argv: Sequence[str]) -> bool:
    key = program(argv)
    return key[:1] == ("coverage",) and len(key) > 1 and key[1] in COVERAGE_REPORTS


def _writes_coverage(argv: Sequence[str]) -> bool:
    return program(argv) == ("coverage", "run") or any(w.startswith("--cov") for w in argv)


def _tool_needs(argv: Sequence[str]) -> Needs:
    """A check CI runs with nothing installed: the tool itself (`ruff`), from PyPI."""
    key = program(argv)
    return (
        Needs(requirements=(key[0],))
        if (key and key in CATEGORIES) or key[:1] in CATEGORIES
        else (Needs())
    )


def _env_gate_name(env: str, commands: Sequence[Sequence[str]]) -> str:
    """A tox env or nox session's gate name: its name without Python factors; a test env
    (`py311`, `3.12-tests`, `py311-coverage`) is `tests`. A hatch script (`env:script`) is
    named for what it runs."""
    if ":" in env and commands:
        return category(commands[0])
    base = ci_runners.base_name(env)
    tests = any(category(argv) == "tests" for argv in commands)
    if tests and base in ("", "test", "tests", "coverage", "cov", "unit", "pytest"):
        return "tests"
    return re.sub(r"[^A-Za-z0-9_-]+", "-", base).strip("-") or "tests"


# --- from checks to gates ------------------------------------------------------------------


@dataclass
class _Pending:
    """A gate being assembled over every combination that runs it."""

    name: str
    run: tuple[str, ...]
    env: tuple[tuple[str, str], ...]
    install: tuple[str, ...]
    origin: str
    pythons: list[str | None] = field(default_factory=list)
    oses: list[str] = field(default_factory=list)


def _pending(combinations: Sequence[_Combination]) -> list[_Pending]:
    """Checks grouped: by name within a combination, then equal gates across combinations."""
    found: dict[tuple[Any, ...], _Pending] = {}
    for combo in combinations:
        groups: dict[tuple[Any, ...], list[_Check]] = {}
        for check in combo.checks:
            key = (check.name, check.env, check.needs.entries(), check.python)
            groups.setdefault(key, []).append(check)
        for (name, env, install, python), checks in groups.items():
            run = tuple(dict.fromkeys(shlex.join(check.argv) for check in checks))
            gate_key = (name, run, env, install)
            pending = found.setdefault(
                gate_key, _Pending(name, run, env, install, checks[0].origin)
            )
            pending.pythons.append(python or combo.python)
            pending.oses.append(combo.os)
    return list(found.values())


def _pythons(pending: _Pending, reading: _Reader) -> tuple[str, ...]:
    """The gate's Pythons: those CI names that GitHub offers and requires-python admits."""
    named = [p for p in dict.fromkeys(pending.pythons) if p]
    if not named:
        newest = reading.pythons[-1:] if reading.pythons else ()
        return tuple(newest)
    kept = [p for p in named if offered(p) and supports(reading.data, p)]
    dropped = [p for p in named if p not in kept]
    if dropped and kept:
        reading.note(
            f"gate `{pending.name}`: CI's {', '.join(dropped)} left out (GitHub offers"
            f" {OFFERED[0]}-{OFFERED[-1]}; requires-python admits the rest)"
        )
    if not kept:
        raise ConfigError(
            f"pyproject.toml: requires-python excludes every Python CI runs `{pending.name}` on"
            f" ({', '.join(named)}; {pending.origin})",
            "make requires-python admit the Pythons your CI tests, or fix the CI matrix",
        )
    return tuple(sorted(kept, key=_python_order))


def _python_label(python: str) -> str:
    """`3.11` -> `py311`, `pypy3.10` -> `pypy310`: a Python in a gate name."""
    return ("" if python.startswith("pypy") else "py") + python.replace(".", "")


def _python_order(python: str) -> tuple[int, int, str]:
    minor = Version(python.removeprefix("pypy").removesuffix("t"))
    return (minor.major, minor.minor, python)


def _name_parts(pending: _Pending, first: _Pending) -> list[str]:
    """What tells `pending` apart from `first` (the gate with the plain name), most telling
    first: a word only its commands have (`--new-components-api`, `test/test_docs.py`), its
    Pythons, its one OS, an env variable only it sets."""
    theirs = {word for run in first.run for word in shlex.split(run)}
    words = [word for run in pending.run for word in shlex.split(run) if word not in theirs]
    word = next((w for w in words if w.startswith("-")), words[0] if words else "")
    parts = [PurePosixPath(word.split("=")[0]).stem.lstrip("-")]
    pythons = sorted({p for p in pending.pythons if p}, key=_python_order)
    if 0 < len(pythons) <= 3 and set(pythons) != {p for p in first.pythons if p}:
        parts.append("-".join(_python_label(p) for p in pythons))
    if len(set(pending.oses)) == 1 and set(pending.oses) != set(first.oses):
        parts.append(pending.oses[0].split("-")[0])
    parts += sorted(key for key, _ in pending.env if key not in dict(first.env))[:1]
    slugs = (re.sub(r"[^a-z0-9]+", "-", part.lower()).strip("-") for part in parts)
    return [slug for slug in slugs if slug]


def _named(pendings: list[_Pending]) -> list[_Pending]:
    """Stable, unique gate names: the gate run most widely keeps the plain name; another is
    named for what differs (`tests-new-components-api`, `tests-py314`), numbered only when
    nothing does. Reserved names get `-checks`."""
    from release import cli

    reserved = {*cli.SESSION_NAMES, *workflows.RESERVED_JOBS}
    taken: set[str] = set()
    by_name: dict[str, list[_Pending]] = {}
    for pending in pendings:
        base = pending.name
        if base in reserved or base.startswith(workflows.RESERVED_PREFIXES):
            base = f"{base}-checks"
        by_name.setdefault(base, []).append(pending)
    for base, group in by_name.items():
        group.sort(key=lambda p: -len(p.pythons))
        for index, pending in enumerate(group):
            parts = _name_parts(pending, group[0]) if index else []
            candidates = [base] if not index else []
            candidates += ["-".join([base, *parts[: count + 1]]) for count in range(len(parts))]
            name = next((c for c in candidates if c not in taken), f"{base}-{index + 1}")
            while name in taken:
                name = f"{name}-{index + 1}"
            taken.add(name)
            pending.name = name
    return pendings


def _jobs(combinations: Sequence[_Combination]) -> tuple[JobChecks, ...]:
    found: dict[tuple[str, str], list[str]] = {}
    for combo in combinations:
        if combo.file.startswith(".github/"):
            commands = found.setdefault((combo.file, combo.job), [])
            for check in combo.checks:
                if check.written not in commands:
                    commands.append(check.written)
    return tuple(JobChecks(file, job, tuple(cmds)) for (file, job), cmds in found.items() if cmds)


def read(config: Config) -> Reading:
    """The gates the project's CI runs (workflows first; tox or nox alone; pre-commit)."""
    reader = _Reader(config)
    reader.workflows()
    if not any(combo.checks for combo in reader.combinations):
        reader.runners_alone()
    reader.pre_commit({check.name for combo in reader.combinations for check in combo.checks})
    gates: list[FoundGate] = []
    for pending in _named(_pending(reader.combinations)):
        oses = tuple(dict.fromkeys(pending.oses))
        gate = Gate(
            pending.name,
            pending.run,
            pending.install,
            dict(pending.env),
            _pythons(pending, reader),
            oses,
        )
        gates.append(FoundGate(gate, pending.origin))
    python = tuple(sorted({p for found in gates for p in found.gate.python}, key=_python_order))
    return Reading(tuple(gates), _jobs(reader.combinations), tuple(reader.notes), python)


def origins(config: Config) -> dict[str, str]:
    """Gate name -> the CI step it comes from, re-derived from the hand-written files now."""
    try:
        return {found.gate.name: found.origin for found in read(config).gates}
    except ConfigError:
        return {}
