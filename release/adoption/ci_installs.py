"""What a check needs installed, and on which Pythons, read the way the project's tools read it.

A gate's `install` list holds pip arguments: `-e .[extra]`, `-r requirements.txt`, a
requirement, and `--group NAME`. A group is expanded here, when the session installs,
into the requirements it lists: a PEP 735 `[dependency-groups]` entry (with its
`include-group`s), a pdm dev group, a poetry group (its caret and tilde ranges turned
into PEP 508), or uv's legacy `dev-dependencies`. So any uv and any pip install it: none
needs to know `--group` (pip has it from 25.1, uv's `pip install` from 0.7).
"""

from __future__ import annotations

import re
import shlex
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from release.errors import ConfigError

#: The CPython minors GitHub's runners offer (actions/setup-python), oldest first.
OFFERED = ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")
#: Installers and runners a CI job installs to drive the checks, not for them.
RUNNER_TOOLS = frozenset(
    {
        "pip",
        "setuptools",
        "wheel",
        "uv",
        "tox",
        "tox-uv",
        "tox-uv-bare",
        "tox-gh",
        "tox-gh-actions",
        "nox",
        "nox-uv",
        "poetry",
        "pdm",
        "pipx",
        "hatch",
        "virtualenv",
        "pre-commit-uv",
    }
)
_PYTHON = re.compile(r"(?:py|python)?(?P<pypy>pypy-?)?(?P<major>3)\.?(?P<minor>\d+|x)(?P<t>t)?")
_PROJECT = re.compile(r"\.(?:\[(?P<extras>[^\]]*)\])?")


# --- Pythons -------------------------------------------------------------------------------


def python_name(value: object) -> str | None:
    """A CI or tox spelling of a Python as a gate writes it (`3.11`, `3.14t`, `pypy3.11`).

    `3.x` is the newest offered; a patch or `-dev` suffix is dropped; None: not a Python.
    """
    text = str(value).strip().lower().removesuffix("-dev")
    text = re.sub(r"^(\d+\.\d+)\.\d+$", r"\1", text)
    match = _PYTHON.fullmatch(text)
    if match is None or (match["minor"] == "x" and match["pypy"]):
        return None
    minor = OFFERED[-1].split(".")[1] if match["minor"] == "x" else str(int(match["minor"]))
    return f"{'pypy' if match['pypy'] else ''}3.{minor}{match['t'] or ''}"


def _minor(python: str) -> str:
    return python.removeprefix("pypy").removesuffix("t")


def offered(python: str) -> bool:
    """Can a GitHub runner set this Python up?"""
    return _minor(python) in OFFERED


def _requires_python(data: Mapping[str, Any]) -> SpecifierSet | None:
    text = data.get("project", {}).get("requires-python")
    poetry = data.get("tool", {}).get("poetry", {}).get("dependencies", {}).get("python")
    try:
        if isinstance(text, str):
            return SpecifierSet(text)
        if isinstance(poetry, str):
            return SpecifierSet(poetry_specifier(poetry))
    except (InvalidSpecifier, ValueError):
        return None
    return None


def supports(data: Mapping[str, Any], python: str) -> bool:
    """Does `requires-python` (or poetry's `python`) admit this Python?"""
    spec = _requires_python(data)
    return spec is None or spec.contains(Version(_minor(python)), prereleases=True)


def project_pythons(data: Mapping[str, Any]) -> tuple[str, ...]:
    """The offered Pythons that requires-python admits and the classifiers list (if any do)."""
    admitted = [python for python in OFFERED if supports(data, python)]
    project = data.get("project", {})
    classifiers = [
        *project.get("classifiers", ()),
        *data.get("tool", {}).get("poetry", {}).get("classifiers", ()),
    ]
    prefix = "Programming Language :: Python :: "
    listed = {c.removeprefix(prefix) for c in classifiers if isinstance(c, str)}
    chosen = [python for python in admitted if python in listed]
    return tuple(chosen or admitted)


# --- what a check needs installed ----------------------------------------------------------


@dataclass(frozen=True)
class Needs:
    """The project (editable or not, with extras), groups, requirements and files to install."""

    project: bool = False
    editable: bool = False
    #: Kept without the project too: `uv sync --all-extras --no-install-project` then an
    #: install of the project installs it with them (PyPSA's CI).
    extras: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    requirements: tuple[str, ...] = ()

    def __or__(self, other: Needs) -> Needs:
        return Needs(
            self.project or other.project,
            self.editable or other.editable,
            _union(self.extras, other.extras),
            _union(self.groups, other.groups),
            _union(self.requirements, other.requirements),
        )

    def entries(self) -> tuple[str, ...]:
        """The gate's `install` list."""
        found: list[str] = []
        if self.project:
            extras = f"[{','.join(self.extras)}]" if self.extras else ""
            found.append(f"{'-e ' if self.editable else ''}.{extras}")
        found += [f"--group {group}" for group in self.groups]
        found += list(self.requirements)
        return tuple(found)


def _union(first: Sequence[str], second: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys([*first, *second]))


def _is_runner_tool(requirement: str) -> bool:
    try:
        return canonicalize_name(Requirement(requirement).name) in RUNNER_TOOLS
    except InvalidRequirement:
        return False


def pip_needs(args: Sequence[str]) -> Needs:
    """`pip install ARGS` (also `uv pip install`, nox's `session.install`) as Needs."""
    needs = Needs()
    words = iter(args)
    for word in words:
        if word in ("-e", "--editable"):
            needs |= _target(next(words, ""), editable=True)
        elif word.startswith("-e") and len(word) > 2:
            needs |= _target(word[2:], editable=True)
        elif word in ("-r", "--requirement"):
            needs |= Needs(requirements=(f"-r {_relative(next(words, ''))}",))
        elif word.startswith("-r") and len(word) > 2:
            needs |= Needs(requirements=(f"-r {_relative(word[2:])}",))
        elif word == "--group":
            needs |= Needs(groups=(next(words, ""),))
        elif word in ("-c", "--constraint", "-i", "--index-url", "--extra-index-url", "-f"):
            next(words, "")
        elif not word.startswith("-"):
            needs |= _target(word, editable=False)
    return needs


def _relative(path: str) -> str:
    return path.removeprefix("{toxinidir}/").removeprefix("./")


def _target(word: str, *, editable: bool) -> Needs:
    """One positional install target: the project, a built wheel of it, or a requirement."""
    word = _relative(word) if word.startswith(("./", "{toxinidir}")) else word
    project = _PROJECT.fullmatch(word)
    if project or word in (".", "./"):
        extras = (project["extras"] or "") if project else ""
        return Needs(True, editable, tuple(e.strip() for e in extras.split(",") if e.strip()))
    if word.startswith("dist/") and word.endswith((".whl", ".tar.gz")):
        return Needs(project=True)  # CI installs the wheel it built: the project, as built
    if _is_runner_tool(word):
        return Needs()
    return Needs(requirements=(word,))


def _options(args: Sequence[str], flags: Mapping[str, str]) -> dict[str, list[str]]:
    """Options of a uv/poetry/pdm command: canonical name -> values ("" for a flag)."""
    found: dict[str, list[str]] = {}
    words = iter(args)
    for word in words:
        name, _, value = word.partition("=")
        key = flags.get(name)
        if key is None:
            continue
        if key.endswith("="):
            value = value or next(words, "")
            for part in value.split(","):
                found.setdefault(key.rstrip("="), []).append(part.strip())
        else:
            found.setdefault(key, []).append("")
    return found


_UV = {
    "--group": "group=",
    "--only-group": "only-group=",
    "--extra": "extra=",
    "--all-extras": "all-extras",
    "--all-groups": "all-groups",
    "--dev": "dev",
    "--no-dev": "no-dev",
    "--no-default-groups": "no-default-groups",
    "--no-install-project": "no-project",
    "--only-dev": "only-dev",
    "--with": "with=",
    "--no-editable": "no-editable",
    "--no-group": "no-group=",
}


def uv_needs(data: Mapping[str, Any], args: Sequence[str]) -> Needs:
    """What `uv sync ARGS` (and so `uv run ARGS`) installs: the project, editable, and its
    default groups (`[tool.uv] default-groups`, else `dev`), as the options change them."""
    options = _options(args, _UV)
    only = options.get("only-group", []) + (["dev"] if "only-dev" in options else [])
    defaults = [] if {"no-default-groups", "no-dev"} & options.keys() else uv_default_groups(data)
    groups = only or [*defaults, *options.get("group", []), *(["dev"] if "dev" in options else [])]
    if "all-groups" in options:
        groups = list(dependency_group_names(data))
    groups = [group for group in groups if group not in options.get("no-group", [])]
    extras = options.get("extra", [])
    if "all-extras" in options:
        extras = list(data.get("project", {}).get("optional-dependencies", {}))
    project = not only and "no-project" not in options
    return Needs(
        project=project,
        editable=project and "no-editable" not in options,
        extras=tuple(extras),
        groups=tuple(dict.fromkeys(groups)),
        requirements=tuple(options.get("with", [])),
    )


def uv_default_groups(data: Mapping[str, Any]) -> list[str]:
    uv = data.get("tool", {}).get("uv", {})
    names = dependency_group_names(data)
    declared = uv.get("default-groups")
    if declared == "all":
        return list(names)
    if isinstance(declared, list):
        return [str(group) for group in declared]
    return ["dev"] if "dev" in names else []


_POETRY = {
    "--with": "with=",
    "--without": "without=",
    "--only": "only=",
    "--no-root": "no-root",
    "-E": "extras=",
    "--extras": "extras=",
    "--all-extras": "all-extras",
    "--no-dev": "no-dev",
    "--only-root": "only-root",
    "--all-groups": "all-groups",
}


def poetry_needs(data: Mapping[str, Any], args: Sequence[str]) -> Needs:
    """What `poetry install ARGS` installs: the project (editable) and its non-optional groups."""
    options = _options(args, _POETRY)
    groups = poetry_groups(data)
    default = [name for name, optional in groups.items() if not optional]
    chosen = options.get("only") or [*default, *options.get("with", [])]
    if "all-groups" in options:
        chosen = list(groups)
    chosen = [g for g in chosen if g not in options.get("without", []) and g != "main"]
    if "no-dev" in options or "only-root" in options:
        chosen = []
    extras = options.get("extras", [])
    if "all-extras" in options:
        extras = list(data.get("tool", {}).get("poetry", {}).get("extras", {}))
    project = "no-root" not in options and ("only" not in options or "main" in options["only"])
    return Needs(project, project, tuple(extras), tuple(dict.fromkeys(chosen)))


_PDM = {
    "-G": "group=",
    "--group": "group=",
    "-d": "dev",
    "--dev": "dev",
    "--prod": "prod",
    "--production": "prod",
    "--no-self": "no-self",
    "-dG": "group=",
}


def pdm_needs(data: Mapping[str, Any], args: Sequence[str]) -> Needs:
    """What `pdm install ARGS` installs: the project (editable), every dev group, and `-G`
    names (an extra or a group)."""
    options = _options(args, _PDM)
    extras_known = data.get("project", {}).get("optional-dependencies", {})
    dev_groups = [] if "prod" in options else list(dependency_group_names(data))
    named = options.get("group", [])
    if ":all" in named:
        named = [*extras_known, *dependency_group_names(data)]
    extras = tuple(name for name in named if name in extras_known)
    groups = [*dev_groups, *(name for name in named if name not in extras_known)]
    project = "no-self" not in options
    return Needs(project, project, extras, tuple(dict.fromkeys(groups)))


# --- groups --------------------------------------------------------------------------------


def dependency_group_names(data: Mapping[str, Any]) -> tuple[str, ...]:
    """Every group the project declares, in any of the formats its tools read."""
    tool = data.get("tool", {})
    names = [*data.get("dependency-groups", {}), *tool.get("pdm", {}).get("dev-dependencies", {})]
    names += list(poetry_groups(data))
    if tool.get("uv", {}).get("dev-dependencies"):
        names.append("dev")
    return tuple(dict.fromkeys(names))


def poetry_groups(data: Mapping[str, Any]) -> dict[str, bool]:
    """Poetry's groups, name -> optional (the old `dev-dependencies` is the `dev` group)."""
    poetry = data.get("tool", {}).get("poetry", {})
    groups = {
        name: bool(table.get("optional", False)) for name, table in poetry.get("group", {}).items()
    }
    if poetry.get("dev-dependencies"):
        groups.setdefault("dev", False)
    return groups


def group_requirements(data: Mapping[str, Any], name: str, where: str) -> tuple[str, ...]:
    """The PEP 508 requirements of one group, whichever tool declares it."""
    tool = data.get("tool", {})
    pep735 = data.get("dependency-groups", {})
    if name in pep735:
        return _pep735(pep735, name, (), where)
    pdm = tool.get("pdm", {}).get("dev-dependencies", {})
    if name in pdm:
        return tuple(str(item) for item in pdm[name])
    poetry = tool.get("poetry", {})
    table = poetry.get("group", {}).get(name, {}).get("dependencies")
    if table is None and name == "dev":
        table = poetry.get("dev-dependencies")
    if table is not None:
        return tuple(req for dep, spec in table.items() for req in poetry_requirements(dep, spec))
    if name == "dev" and tool.get("uv", {}).get("dev-dependencies"):
        return tuple(str(item) for item in tool["uv"]["dev-dependencies"])
    known = ", ".join(dependency_group_names(data)) or "none"
    raise ConfigError(
        f"{where}: install names the group '{name}', which pyproject.toml does not declare",
        f"declare it in [dependency-groups] (or poetry's or pdm's groups); declared: {known}",
    )


def _pep735(
    groups: Mapping[str, Any], name: str, seen: tuple[str, ...], where: str
) -> tuple[str, ...]:
    if name in seen:
        raise ConfigError(
            f"{where}: dependency group '{name}' includes itself ({' -> '.join([*seen, name])})",
            "remove the include-group cycle from [dependency-groups]",
        )
    found: list[str] = []
    for item in groups.get(name, ()):
        if isinstance(item, Mapping) and "include-group" in item:
            found += _pep735(groups, str(item["include-group"]), (*seen, name), where)
        elif isinstance(item, str):
            found.append(item)
    return tuple(dict.fromkeys(found))


def expand(entries: Iterable[str], data: Mapping[str, Any], where: str) -> list[str]:
    """pip arguments for a gate's install list: groups expanded, a group's reference to the
    project itself (`pkg[extra]`) folded into the project's own entry."""
    project = canonicalize_name(
        str(
            data.get("project", {}).get("name")
            or data.get("tool", {}).get("poetry", {}).get("name", "")
        )
    )
    args: list[str] = []
    self_extras: list[str] = []
    for entry in entries:
        words = [entry] if _is_requirement(entry) else shlex.split(entry)
        if words[:1] != ["--group"] or len(words) != 2:
            args += words
            continue
        for requirement in group_requirements(data, words[1], where):
            extras = _self_extras(requirement, project)
            if extras is None:
                args.append(requirement)
            else:
                self_extras += extras
    return _with_project_extras(args, self_extras) if self_extras or project else args


def _is_requirement(entry: str) -> bool:
    """One PEP 508 requirement is one argument (`name @ url` has spaces); anything else is
    shell-split (`-r requirements.txt`, `-e .`)."""
    try:
        Requirement(entry)
    except InvalidRequirement:
        return False
    return True


def _self_extras(requirement: str, project: str) -> list[str] | None:
    """The extras of a requirement on the project itself; None for any other requirement."""
    try:
        parsed = Requirement(requirement)
    except InvalidRequirement:
        return None
    if not project or canonicalize_name(parsed.name) != project or parsed.url:
        return None
    return sorted(parsed.extras)


def _with_project_extras(args: list[str], extras: list[str]) -> list[str]:
    """Add extras to the project's own argument (`.` or `-e .`), or install it with them."""
    for index, word in enumerate(args):
        match = _PROJECT.fullmatch(word)
        if match:
            have = [e.strip() for e in (match["extras"] or "").split(",") if e.strip()]
            merged = list(dict.fromkeys([*have, *extras]))
            args[index] = f".[{','.join(merged)}]" if merged else "."
            return args
    return [*args, f".[{','.join(dict.fromkeys(extras))}]"] if extras else args


# --- poetry -> PEP 508 ---------------------------------------------------------------------


def poetry_requirements(name: str, spec: Any) -> list[str]:
    """One poetry dependency as PEP 508 requirements (a list of constraints gives several)."""
    if name.lower() == "python":
        return []
    if isinstance(spec, list):
        return [req for item in spec for req in poetry_requirements(name, item)]
    if not isinstance(spec, Mapping):
        return [f"{name}{poetry_specifier(str(spec))}"]
    extras = f"[{','.join(spec['extras'])}]" if spec.get("extras") else ""
    markers = [str(spec["markers"])] if spec.get("markers") else []
    if spec.get("python"):
        python = SpecifierSet(poetry_specifier(str(spec["python"])))
        markers += [f'python_version {s.operator} "{s.version}"' for s in python]
    if spec.get("platform"):
        markers.append(f'sys_platform == "{spec["platform"]}"')
    if spec.get("git"):
        rev = spec.get("rev") or spec.get("tag") or spec.get("branch")
        target = f" @ git+{spec['git']}{'@' + rev if rev else ''}"
    elif spec.get("url"):
        target = f" @ {spec['url']}"
    elif spec.get("path"):
        target = f" @ file:{spec['path']}"
    else:
        target = poetry_specifier(str(spec.get("version", "*")))
    marker = f"; {' and '.join(markers)}" if markers else ""
    return [f"{name}{extras}{target}{marker}"]


def poetry_specifier(constraint: str) -> str:
    """Poetry's version constraint as a PEP 440 specifier: `^1.2` -> `>=1.2,<2.0.0`."""
    parts = [part.strip() for part in constraint.split(",") if part.strip()]
    if any("||" in part or "|" in part for part in parts):
        raise ValueError(f"'{constraint}': an `or` of ranges has no PEP 508 spelling")
    return ",".join(_one_constraint(part) for part in parts if part != "*")


def _one_constraint(part: str) -> str:
    part = part.replace(" ", "")
    if part.startswith(("^", "~")) and not part.startswith("~="):
        base = part[1:]
        try:
            release = list(Version(base).release)
        except InvalidVersion as exc:
            raise ValueError(f"'{part}' is not a poetry version constraint") from exc
        given = len(base.split("."))
        if part[0] == "^":
            nonzero = [i for i, number in enumerate(release[:given]) if number]
            index = nonzero[0] if nonzero else min(given, len(release)) - 1
        else:
            index = 1 if given >= 2 else 0
        upper = [*release[:index], release[index] + 1]
        upper += [0] * (3 - len(upper))
        return f">={base},<{'.'.join(map(str, upper))}"
    if re.match(r"^[0-9]", part):
        return f"=={part}"
    return part


# --- lock files ----------------------------------------------------------------------------

#: The lock files CI's installers (uv sync, poetry install, pdm install, tox's uv lock
#: runner) install from, in the order they are looked for.
LOCK_FILES = ("uv.lock", "poetry.lock", "pdm.lock")


def lock_constraints(root: Path, project: str) -> tuple[str, tuple[str, ...]]:
    """(lock file, `name==version` constraints): the versions CI installs, so a gate installs
    the same. A package locked at two versions is constrained per its resolution markers
    (uv), else left free; the project itself and path or git sources are left out."""
    for name in LOCK_FILES:
        path = root / name
        if path.is_file():
            try:
                packages = tomllib.loads(path.read_text(encoding="utf-8")).get("package", [])
            except tomllib.TOMLDecodeError:
                return name, ()
            return name, _pins(packages, canonicalize_name(project))
    return "", ()


def _pins(packages: Sequence[Mapping[str, Any]], project: str) -> tuple[str, ...]:
    by_name: dict[str, list[Mapping[str, Any]]] = {}
    for package in packages:
        source = package.get("source", {})
        if (
            not isinstance(source, Mapping)
            or {"editable", "virtual", "directory", "git", "path", "url"} & source.keys()
        ):
            continue
        by_name.setdefault(canonicalize_name(str(package.get("name", ""))), []).append(package)
    pins: list[str] = []
    for name, entries in sorted(by_name.items()):
        if name == project or not name:
            continue
        if len(entries) == 1:
            pins.append(f"{name}=={entries[0]['version']}")
            continue
        for entry in entries:
            markers = entry.get("resolution-markers")
            if not markers:
                break
            pins.append(f"{name}=={entry['version']} ; {' or '.join(f'({m})' for m in markers)}")
    return tuple(pins)
