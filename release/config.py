"""`[tool.release]` in pyproject.toml -> frozen dataclasses.

Every key is optional. Validation names the file, the key and, for a typo, the
closest valid key, in one line.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from release import git
from release.errors import ConfigError
from release.platforms import DEFAULT_WHEELS, PLATFORMS, native
from release.towncrier_settings import news_file
from release.versioning import DEFAULT_PRE_RELEASE, PRE_RELEASE_SPELLING

PYPROJECT = "pyproject.toml"

DEFAULT_CHANGELOG_TYPES: Mapping[str, str] = {
    "feat": "Added",
    "fix": "Fixed",
    "perf": "Performance",
    "revert": "Reverted",
    "refactor": "Changed",
    "docs": "Documentation",
    "deps": "Dependencies",
    "security": "Security",
}


@dataclass(frozen=True)
class VersionFile:
    """One place that carries the version: `path:key` or `{path, pattern}`."""

    path: str
    key: str = ""
    pattern: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.key}" if self.key else f"{self.path} ~ /{self.pattern}/"


@dataclass(frozen=True)
class Publish:
    where: str = "ci"  # "ci", "local" or "external" (the project's own `workflow` publishes)
    pre_release: str = "testpypi"
    final: str = "pypi"
    staging: str = ""
    workflow: str = ""  # where = "external": the project's workflow that publishes the tag
    github_release: bool = True  # the tag's GitHub Release (draft, assets, published)
    #: index -> the GitHub environment of its publish job (default: the index's name)
    environments: Mapping[str, str] = field(default_factory=dict)

    @property
    def on_tag(self) -> bool:
        """Pushing the tag is what publishes (our release workflow, or the project's own)."""
        return self.where != "local"


@dataclass(frozen=True)
class CI:
    provider: str = "github"
    os: tuple[str, ...] = ("ubuntu-latest",)
    python: tuple[str, ...] = ("3.11", "3.12", "3.13")
    bootstrap: tuple[str, ...] = ("release-parity",)  # the noxfile imports `release`
    ci_file: str = ".github/workflows/ci.yml"  # the generated workflows' paths
    release_file: str = ".github/workflows/release.yml"
    wheels: tuple[str, ...] = ()  # native wheels: the platforms (release.platforms); () pure


@dataclass(frozen=True)
class ReleasePR:
    """`[tool.release.release-pr]`: the generated release-pr.yml keeps the release pull
    request current. `auth` (the key `token`): "github-token" (the workflow's own), "app" (a
    GitHub App's, from vars.RELEASE_APP_ID and secrets.RELEASE_APP_PRIVATE_KEY) or the name
    of a secret."""

    workflow: bool = False  # the table is there: generate release-pr.yml
    auth: str = "github-token"
    file: str = ".github/workflows/release-pr.yml"

    @property
    def starts_workflows(self) -> bool:
        """GitHub starts no workflow for what the workflow's own token pushes."""
        return self.auth != ReleasePR.auth


@dataclass(frozen=True)
class ChangelogStyle:
    """`[tool.release.changelog-style]`: what the changelog's own headings cannot tell.

    Empty strings (and `unreleased` None) leave it to detection; `unreleased = false` in
    the table says the project keeps no Unreleased section (stored as "").
    """

    heading: str = ""  # a released heading, e.g. "## {version} ({date})"
    underline: str = ""  # its underline character when it is underlined (setext, rST)
    date: str = ""  # how {date} is written, e.g. "%B %-d, %Y"
    unreleased: str | None = None  # the Unreleased heading, e.g. "## [Unreleased]"


@dataclass(frozen=True)
class Gate:
    """One row of the flags table: one gate = one nox session = one CI job per python/os."""

    name: str
    run: tuple[str, ...]
    install: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)
    python: tuple[str, ...] = ()
    os: tuple[str, ...] = ()
    timeout_minutes: int = 15


@dataclass(frozen=True)
class Config:
    root: Path
    name: str
    package: str
    version_source: str  # "static", "poetry", "file", "cargo" or "vcs" (the tag is the version)
    branch: str = "main"
    maintenance: tuple[str, ...] = ()  # more release branches (patterns): patch lines
    tag_format: str = "v{version}"
    tag_pre_release: str = DEFAULT_PRE_RELEASE  # how a pre-release is spelled in a tag
    changelog: str = "CHANGELOG.md"
    version_files: tuple[VersionFile, ...] = ()
    date_files: tuple[VersionFile, ...] = ()
    forbidden: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()  # beyond its folder, whose commits are the package's
    smoke: tuple[str, ...] = ()
    commit_message: str = "Release {version}"
    sdist_complete: bool = False
    major_on_zero: bool = False
    changelog_types: Mapping[str, str] = field(default_factory=lambda: DEFAULT_CHANGELOG_TYPES)
    changelog_style: ChangelogStyle = ChangelogStyle()
    publish: Publish = Publish()
    ci: CI = CI()
    release_pr: ReleasePR = ReleasePR()
    gates: tuple[Gate, ...] | None = None  # None: no table, detect from the project
    pyproject: Mapping[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def path(self) -> Path:
        return self.root / PYPROJECT


class _Table:
    """Typed access to one TOML table; every error names the file and the dotted key."""

    def __init__(self, data: Mapping[str, Any], where: str, file: str) -> None:
        self.data = data
        self.where = where
        self.file = file

    def check_keys(self, allowed: list[str]) -> None:
        for key in self.data:
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                valid = "valid keys: " + ", ".join(allowed)
                hint = f"did you mean '{close[0]}'?" if close else valid
                raise ConfigError(f"{self.file}: unknown key '{key}' in [{self.where}]", hint)

    def _fail(self, key: str, expected: str) -> ConfigError:
        got = type(self.data[key]).__name__
        return ConfigError(
            f"{self.file}: [{self.where}] {key} must be {expected}, not {got}",
            f"see the configuration reference in the README for '{key}'",
        )

    def text(self, key: str, default: str) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            raise self._fail(key, "a string")
        return value

    def flag(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false")
        return value

    def integer(self, key: str, default: int) -> int:
        value = self.data.get(key, default)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise self._fail(key, "a positive integer")
        return value

    def texts(self, key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        """A list of strings; a single string is accepted as a list of one."""
        value = self.data.get(key, default)
        if isinstance(value, str):
            return (value,)
        if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
            raise self._fail(key, "a list of strings")
        return tuple(value)

    def text_map(self, key: str, default: Mapping[str, str]) -> Mapping[str, str]:
        value = self.data.get(key, default)
        if not isinstance(value, Mapping) or not all(isinstance(v, str) for v in value.values()):
            raise self._fail(key, "a table of strings")
        return dict(value)

    def table(self, key: str) -> _Table:
        value = self.data.get(key, {})
        if not isinstance(value, Mapping):
            raise self._fail(key, "a table")
        return _Table(value, f"{self.where}.{key}", self.file)


def read_pyproject(root: Path) -> dict[str, Any]:
    path = root / PYPROJECT
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: no pyproject.toml here",
            "run from the project's root, or adopt release-parity with `python -m release init`",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}", "fix the syntax, then re-run") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text", "save it as UTF-8") from None


def _version_files(
    table: _Table, key: str, default: tuple[VersionFile, ...]
) -> tuple[VersionFile, ...]:
    if key not in table.data:
        return default
    raw = table.data[key]
    if not isinstance(raw, list):
        raise table._fail(key, "a list")
    entries = []
    for item in raw:
        if isinstance(item, str):
            path, sep, dotted = item.rpartition(":")
            if not sep or not path or not dotted:
                raise ConfigError(
                    f"{table.file}: [{table.where}] {key}: '{item}' is not 'path:key'",
                    "write e.g. 'pyproject.toml:project.version' or {path = ..., pattern = ...}",
                )
            entries.append(VersionFile(path=path, key=dotted))
        elif isinstance(item, Mapping):
            entry = _Table(item, f"{table.where}.{key}", table.file)
            entry.check_keys(["path", "pattern"])
            path, pattern = entry.text("path", ""), entry.text("pattern", "")
            if not path or "(?P<version>" not in pattern:
                raise ConfigError(
                    f"{table.file}: [{table.where}] {key}: {dict(item)} needs a path and a"
                    " pattern with a (?P<version>...) group",
                    'e.g. { path = "docs/conf.py", pattern = \'release = "(?P<version>[^"]+)"\' }',
                )
            entries.append(VersionFile(path=path, pattern=pattern))
        else:
            raise table._fail(key, "a list of 'path:key' strings or {path, pattern} tables")
    return tuple(entries)


#: setuptools' `version = {file = "VERSION"}`: the whole file is the version.
WHOLE_FILE = r"\A\s*(?P<version>\S+)\s*\Z"


def _project_identity(
    data: Mapping[str, Any], root: Path, file: str
) -> tuple[str, str, tuple[VersionFile, ...]]:
    """(name, version source, where the version is read), as the build backend reads it.

    Only "vcs" (hatch-vcs, setuptools-scm, pdm-backend's scm) makes the release tag the
    version; the others are files a bump rewrites: "static" [project].version, "poetry"
    [tool.poetry].version, "file" (hatch's version path, pdm-backend's file, setuptools'
    attr or file, flit's module), "cargo" (maturin's Cargo.toml).
    """
    project = data.get("project", {})
    poetry = data.get("tool", {}).get("poetry", {})
    name = str(project.get("name") or poetry.get("name", ""))
    if "version" in project:
        return name, "static", (VersionFile(PYPROJECT, "project.version"),)
    if "version" in project.get("dynamic", []):
        return (name, *_dynamic_version(data, root, name))
    if "version" in poetry:
        return name, "poetry", (VersionFile(PYPROJECT, "tool.poetry.version"),)
    raise ConfigError(
        f"{file}: no version: [project] has neither 'version' nor dynamic = [\"version\"]",
        'add version = "0.1.0" to [project], or declare it dynamic (hatch-vcs, setuptools-scm)',
    )


def _dynamic_version(
    data: Mapping[str, Any], root: Path, name: str
) -> tuple[str, tuple[VersionFile, ...]]:
    """A dynamic version as the build backend computes it: from a file, or from the tag.

    A backend this does not know is taken to read the tag, as setuptools-scm does.
    """
    tool = data.get("tool", {})
    backend = str(data.get("build-system", {}).get("build-backend", ""))
    if backend.startswith("hatchling"):
        hatch = tool.get("hatch", {}).get("version", {})
        if "path" in hatch and hatch.get("source", "regex") == "regex":
            path, pattern = str(hatch["path"]), hatch.get("pattern")
            if isinstance(pattern, str):
                return "file", (VersionFile(path, pattern=pattern),)
            return "file", (VersionFile(path, _hatch_name(root / path)),)
    elif backend.startswith("pdm.backend"):
        pdm = tool.get("pdm", {}).get("version", {})
        if pdm.get("source") == "file":
            return "file", (VersionFile(str(pdm.get("path", "")), "__version__"),)
    elif backend.startswith("setuptools"):
        setuptools = tool.get("setuptools", {})
        dynamic = setuptools.get("dynamic", {}).get("version")
        dynamic = dynamic if isinstance(dynamic, Mapping) else {}
        if "attr" in dynamic:
            module, _, attribute = str(dynamic["attr"]).rpartition(".")
            bases = (str(setuptools.get("package-dir", {}).get("", "")), "src", "")
            return "file", (VersionFile(_module_file(root, module, bases), attribute),)
        if "file" in dynamic:
            files = dynamic["file"]
            path = str(files[0] if isinstance(files, list) else files)
            return "file", (VersionFile(path, pattern=WHOLE_FILE),)
    elif backend.startswith("flit_core"):
        module = tool.get("flit", {}).get("module", {}).get("name") or name.replace("-", "_")
        return "file", (VersionFile(_module_file(root, str(module), ("", "src")), "__version__"),)
    elif backend == "maturin":
        return "cargo", (_cargo_version(root, tool.get("maturin", {}).get("manifest-path")),)
    elif backend.startswith("poetry"):
        from_tags = tool.get("poetry-dynamic-versioning", {}).get("enable", False)
        if "version" in tool.get("poetry", {}) and not from_tags:
            return "poetry", (VersionFile(PYPROJECT, "tool.poetry.version"),)
    return "vcs", ()


def _hatch_name(path: Path) -> str:
    """hatch's default pattern reads `__version__` or `VERSION`: the one the file assigns."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return "__version__"  # reading it later says what is wrong
    assigned = re.findall(r"^(__version__|VERSION)\s*[:=]", text, re.MULTILINE)
    return "VERSION" if assigned and "__version__" not in assigned else "__version__"


def _module_file(root: Path, module: str, bases: tuple[str, ...]) -> str:
    """A dotted module's file under the first base that has it (package or single file)."""
    relative = module.replace(".", "/")
    candidates = [
        f"{base}/{relative}{tail}" if base else f"{relative}{tail}"
        for base in bases
        for tail in ("/__init__.py", ".py")
    ]
    return next((c for c in candidates if (root / c).is_file()), candidates[0])


def _cargo_version(root: Path, manifest: object) -> VersionFile:
    """maturin's version: Cargo.toml's package.version, or, when the crate inherits it
    (`version = { workspace = true }`), the workspace's from the nearest workspace root."""
    crate = Path(str(manifest or "Cargo.toml"))
    version = _toml(root / crate).get("package", {}).get("version")
    if isinstance(version, Mapping):
        for folder in (crate.parent, *crate.parent.parents):
            if "workspace" in _toml(root / folder / "Cargo.toml"):
                return VersionFile((folder / "Cargo.toml").as_posix(), "workspace.package.version")
    return VersionFile(crate.as_posix(), "package.version")


def _toml(path: Path) -> dict[str, Any]:
    """A TOML file's data; {} when missing or broken (reading the version names the fault)."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError):
        return {}


TOP_KEYS = [
    "package",
    "branch",
    "tag-format",
    "tag-pre-release",
    "changelog",
    "version-files",
    "date-files",
    "forbidden",
    "paths",
    "smoke",
    "commit-message",
    "sdist-complete",
    "major-on-zero",
    "changelog-types",
    "changelog-style",
    "publish",
    "ci",
    "release-pr",
    "gates",
]
GATE_KEYS = ["run", "install", "env", "python", "os", "timeout-minutes"]


def is_project(pyproject: Mapping[str, Any]) -> bool:
    """Does this pyproject.toml describe a project (not only a workspace's top)?"""
    return "project" in pyproject or "poetry" in pyproject.get("tool", {})


def load(root: Path | str = ".") -> Config:
    root = Path(root).resolve()
    return from_data(root, read_pyproject(root))


def load_text(root: Path, text: str) -> Config:
    """The configuration a pyproject.toml with this text would give (init's proposal)."""
    return from_data(root.resolve(), tomllib.loads(text))


def from_data(root: Path, data: dict[str, Any]) -> Config:
    file = str(root / PYPROJECT)
    name, source, read_from = _project_identity(data, root, file)
    tool = data.get("tool", {}).get("release", {})
    top = _Table(tool, "tool.release", file)
    top.check_keys(TOP_KEYS)

    tag_format = top.text("tag-format", "v{version}")
    if tag_format.count("{version}") != 1:
        raise ConfigError(
            f"{file}: [tool.release] tag-format '{tag_format}' must contain {{version}} once",
            'e.g. tag-format = "v{version}"',
        )
    tag_pre_release = top.text("tag-pre-release", DEFAULT_PRE_RELEASE)
    if not PRE_RELEASE_SPELLING.fullmatch(tag_pre_release):
        raise ConfigError(
            f"{file}: [tool.release] tag-pre-release '{tag_pre_release}' is not a spelling",
            "write {label} (a, b, rc) or {name} (alpha, beta, rc), then {number}, each after"
            ' an optional - . or _: "-{label}{number}" tags v0.2.0-rc1, "-{name}.{number}"'
            " tags 1.0.0-rc.1",
        )

    listed = isinstance(tool.get("branch"), list)  # ["main", "release/*"]: maintenance lines
    branches = top.texts("branch", ()) if listed else (top.text("branch", ""),)
    branches = tuple(filter(None, branches)) or (git.default_branch(root),)
    publish = top.table("publish")
    publish.check_keys(
        ["where", "pre-release", "final", "staging", "workflow", "github-release", "environments"]
    )
    where = publish.text("where", "ci")
    if where not in ("ci", "local", "external"):
        raise ConfigError(
            f"{file}: [tool.release.publish] where = '{where}' is not 'ci', 'local' or 'external'",
            "'ci': the generated release workflow publishes the tag; 'local': this machine"
            " uploads with twine; 'external': your own `workflow` publishes the tag",
        )
    workflow = _workflow_path(publish, "workflow", "")
    if where == "external" and not workflow:
        raise ConfigError(
            f"{file}: [tool.release.publish] where = 'external' names no workflow",
            'add the workflow that publishes your tags, e.g. workflow = ".github/workflows/'
            'publish.yml"',
        )

    ci = top.table("ci")
    ci.check_keys(["provider", "os", "python", "bootstrap", "ci-file", "release-file", "wheels"])
    ci_config = CI(
        provider=ci.text("provider", "github"),
        os=ci.texts("os", CI.os),
        python=ci.texts("python", CI.python),
        bootstrap=ci.texts("bootstrap", CI.bootstrap),
        ci_file=_workflow_path(ci, "ci-file", CI.ci_file),
        release_file=_workflow_path(ci, "release-file", CI.release_file),
        wheels=_wheels(ci, DEFAULT_WHEELS if native(data) else ()),
    )
    if ci_config.ci_file == ci_config.release_file:
        raise ConfigError(
            f"{file}: [tool.release.ci] ci-file and release-file are both {ci_config.ci_file}",
            "give the two generated workflows two different paths",
        )

    gates: tuple[Gate, ...] | None = None
    if "gates" in tool:
        table = top.table("gates")
        gates = tuple(_gate(gate_name, table.table(gate_name)) for gate_name in table.data)

    package = top.text("package", _import_package(data, name))
    return Config(
        root=root,
        name=name,
        package=package,
        version_source=source,
        branch=branches[0],
        maintenance=branches[1:],
        tag_format=tag_format,
        tag_pre_release=tag_pre_release,
        changelog=top.text("changelog", _default_changelog(root, data)),
        version_files=_version_files(top, "version-files", read_from),
        date_files=_version_files(top, "date-files", ()),
        forbidden=top.texts("forbidden", ()),
        paths=top.texts("paths", ()),
        smoke=top.texts("smoke", ()),
        commit_message=top.text("commit-message", "Release {version}"),
        sdist_complete=top.flag("sdist-complete", False),
        major_on_zero=top.flag("major-on-zero", False),
        changelog_types=top.text_map("changelog-types", DEFAULT_CHANGELOG_TYPES),
        changelog_style=_changelog_style(top.table("changelog-style")),
        publish=Publish(
            where=where,
            pre_release=publish.text("pre-release", "testpypi"),
            final=publish.text("final", "pypi"),
            staging=publish.text("staging", ""),
            workflow=workflow,
            github_release=publish.flag("github-release", True),
            environments=_environments(publish),
        ),
        ci=ci_config,
        release_pr=_release_pr(top, "release-pr" in tool),
        gates=gates,
        pyproject=data,
    )


#: The [tool.release.publish] keys that name an index, and their defaults.
PUBLISH_INDEXES = {"pre-release": "testpypi", "final": "pypi", "staging": ""}


def _environments(publish: _Table) -> Mapping[str, str]:
    """`environments`: each key one of the indexes this table publishes to."""
    found = publish.text_map("environments", {})
    indexes = [publish.text(key, default) for key, default in PUBLISH_INDEXES.items()]
    for index in found:
        if index not in indexes:
            raise ConfigError(
                f"{publish.file}: [tool.release.publish] environments names '{index}',"
                " which is not an index this project publishes to",
                f"name one of {', '.join(repr(i) for i in indexes if i)},"
                ' e.g. environments = { pypi = "pypi-production" }',
            )
    return found


def _import_package(data: Mapping[str, Any], name: str) -> str:
    """What `import` names: maturin's module-name (its top part) when set, else the name."""
    module = data.get("tool", {}).get("maturin", {}).get("module-name")
    if isinstance(module, str) and module:
        return module.split(".")[0]
    return name.replace("-", "_").replace(".", "_").lower()


def _default_changelog(root: Path, data: Mapping[str, Any]) -> str:
    """towncrier's news file when towncrier keeps the changelog, else CHANGELOG.md."""
    return news_file(root, data) or "CHANGELOG.md"


def _changelog_style(table: _Table) -> ChangelogStyle:
    """The keys that settle what a changelog's headings leave open, each checked here."""
    table.check_keys(["heading", "underline", "date", "unreleased"])
    heading, date = table.text("heading", ""), table.text("date", "")
    underline = table.text("underline", "")
    raw = table.data.get("unreleased")
    if raw is not None and raw is not False and not isinstance(raw, str):
        raise table._fail("unreleased", "a heading or false")
    where = f"{table.file}: [{table.where}]"
    if heading and "{version}" not in heading:
        raise ConfigError(
            f"{where} heading '{heading}' has no {{version}}",
            'e.g. heading = "## [{version}] - {date}" or "{version} ({date})"',
        )
    if underline and not re.fullmatch(r"[!-/:-@\[-`{-~]", underline):
        raise ConfigError(
            f"{where} underline '{underline}' is not one punctuation character",
            'e.g. underline = "-" for headings underlined with ---',
        )
    if date:
        from release.changelog import dates

        if why := dates.problem(date):
            raise ConfigError(f"{where} date '{date}': {why}", 'e.g. date = "%B %-d, %Y"')
    unreleased = None if raw is None else raw or ""
    return ChangelogStyle(heading, underline, date, unreleased)


def _workflow_path(table: _Table, key: str, default: str) -> str:
    """A workflow file: GitHub runs only `.github/workflows/*.yml` or `*.yaml`."""
    path = table.text(key, default)
    if path and not re.fullmatch(r"\.github/workflows/[\w.-]+\.ya?ml", path):
        raise ConfigError(
            f"{table.file}: [{table.where}] {key} = '{path}' is not a workflow file",
            'GitHub runs only files in .github/workflows/, e.g. ".github/workflows/'
            'release-parity-ci.yml"',
        )
    return path


def _release_pr(top: _Table, present: bool) -> ReleasePR:
    """The release-pr.yml workflow's table; its token a GitHub App's, a secret or the default."""
    table = top.table("release-pr")
    table.check_keys(["token", "file"])
    auth = table.text("token", ReleasePR.auth)
    if auth not in (ReleasePR.auth, "app") and not re.fullmatch(r"[A-Za-z_]\w*", auth):
        raise ConfigError(
            f"{table.file}: [{table.where}] token = '{auth}' is not a token source",
            '"github-token" (the default), "app" (a GitHub App token), or the name of a secret'
            ' such as "RELEASE_PR_TOKEN"',
        )
    file = _workflow_path(table, "file", ReleasePR.file)
    return ReleasePR(workflow=present, auth=auth, file=file)


def _wheels(table: _Table, default: tuple[str, ...]) -> tuple[str, ...]:
    """The platforms native wheels are built on, each one release.platforms knows."""
    wheels = table.texts("wheels", default)
    for name in wheels:
        if name not in PLATFORMS:
            close = difflib.get_close_matches(name, list(PLATFORMS), n=1, cutoff=0.6)
            raise ConfigError(
                f"{table.file}: [{table.where}] wheels: '{name}' is not a wheel platform",
                f"did you mean '{close[0]}'?" if close else "one of: " + ", ".join(PLATFORMS),
            )
    return wheels


def _gate(name: str, table: _Table) -> Gate:
    table.check_keys(GATE_KEYS)
    run = table.texts("run", ())
    if not run:
        raise ConfigError(
            f"{table.file}: [{table.where}] has no 'run' commands",
            'add run = ["..."]: the exact command, as CI will run it',
        )
    return Gate(
        name=name,
        run=run,
        install=table.texts("install", ()),
        env=table.text_map("env", {}),
        python=table.texts("python", ()),
        os=table.texts("os", ()),
        timeout_minutes=table.integer("timeout-minutes", 15),
    )
