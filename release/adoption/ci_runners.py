"""tox, nox and hatch environments read as data: their commands, installs, env and Pythons.

tox.ini / tox.toml / `[tool.tox]` are parsed (factors, generative names, substitutions);
noxfile.py is parsed with `ast` and never imported; hatch scripts come from
`[tool.hatch.envs]`. What only the tool can know (a computed argument, `{env_dir}`) is
returned as `Unread` for the caller to report.
"""

from __future__ import annotations

import ast
import configparser
import itertools
import re
import shlex
import tomllib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from release.adoption.ci_installs import (
    Needs,
    pdm_needs,
    pip_needs,
    poetry_needs,
    python_name,
    uv_needs,
)
from release.adoption.ci_shell import Unread

_PYTHON_FACTOR = re.compile(r"(?:py|pypy)(?:\d(?:\.?\d+)?t?)?|\d\.\d+t?")


@dataclass(frozen=True)
class Command:
    """One command an environment runs, as argv, with the environment's variables."""

    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RunnerEnv:
    """One tox env, nox session or hatch environment, resolved for one Python."""

    name: str
    source: str
    commands: tuple[Command | Unread, ...]
    needs: Needs
    python: str | None = None
    pythons: tuple[str, ...] = field(default=())


def is_python_factor(factor: str) -> bool:
    return _PYTHON_FACTOR.fullmatch(factor) is not None


def expand_braces(text: str) -> list[str]:
    """tox's generative names: `py3{10,11}-{a,b}` and ranges `3.1{0-4}`."""
    match = re.search(r"\{([^{}]*)\}", text)
    if match is None:
        return [text]
    inner = match.group(1)
    ranged = re.fullmatch(r"(\d+)-(\d+)", inner)
    options = (
        [str(n) for n in range(int(ranged[1]), int(ranged[2]) + 1)]
        if ranged
        else (inner.split(","))
    )
    head, tail = text[: match.start()], text[match.end() :]
    return [name for option in options for name in expand_braces(head + option.strip() + tail)]


# --- tox -----------------------------------------------------------------------------------


class Tox:
    """A project's tox configuration, in whichever of its three files it lives."""

    def __init__(
        self,
        source: str,
        root: Path,
        ini: configparser.RawConfigParser | None,
        toml: Mapping[str, Any] | None,
    ) -> None:
        self.source = source
        self.root = root
        self.ini = ini
        self.toml = toml or {}
        self.sections = self._sections()

    def _sections(self) -> dict[str, str]:
        """Env name (generative section names expanded) -> its ini section."""
        found: dict[str, str] = {}
        for section in self.ini.sections() if self.ini else ():
            if section.startswith("testenv:"):
                for name in expand_braces(section.removeprefix("testenv:")):
                    found[name] = section
        return found

    def env_list(self) -> list[str]:
        if self.ini is not None:
            text = self._ini_value("tox", "env_list") or self._ini_value("tox", "envlist") or ""
            entries = [e.strip() for line in _lines(text) for e in _split_env_list(line)]
            return [name for entry in entries if entry for name in expand_braces(entry)]
        return [str(name) for name in self.toml.get("env_list", [])]

    def gh_envs(self, python: str | None) -> list[str] | None:
        """tox-gh's `[gh] python` mapping for the job's Python (None without the mapping)."""
        mapping = self._ini_value("gh", "python") if self.ini else None
        if mapping is None or python is None:
            return None
        for line in _lines(mapping):
            key, _, envs = line.partition("=")
            if python_name(key.strip()) == python:
                return [env.strip() for env in envs.split(",") if env.strip()]
        return []

    def select(self, names: Sequence[str], factors: Sequence[str], python: str | None) -> list[str]:
        """The envs `tox run` runs: `-e` names, else `-f` factors over env_list, else all."""
        if names:
            return [name for entry in names for name in expand_braces(entry)]
        every = self.env_list()
        if factors:
            wanted = {f for factor in factors for f in factor.split("-")}
            return [name for name in every if wanted <= set(name.split("-"))]
        from_gh = self.gh_envs(python)
        return from_gh if from_gh is not None else every

    def _ini_value(self, section: str, key: str) -> str | None:
        assert self.ini is not None
        if self.ini.has_option(section, key):
            return self.ini.get(section, key)
        return None

    def resolve(self, name: str, variables: Mapping[str, str]) -> RunnerEnv:
        """One env as tox builds it: its section, else [testenv], factors applied."""
        if self.ini is not None:
            return self._resolve_ini(name, variables)
        return self._resolve_toml(name, variables)

    def _setting(self, name: str, *keys: str) -> str | None:
        section = self.sections.get(name)
        for where in (section, "testenv"):
            for key in keys:
                if where and self.ini is not None and self.ini.has_option(where, key):
                    return self.ini.get(where, key)
        return None

    def _resolve_ini(self, name: str, variables: Mapping[str, str]) -> RunnerEnv:
        factors = set(name.split("-"))

        def values(*keys: str) -> list[str]:
            raw = self._setting(name, *keys) or ""
            return [value for line in _lines(raw) if (value := _factored(line, factors))]

        def substituted(text: str, env: Mapping[str, str]) -> str | Unread:
            return _substitute(text, name, env, variables, self._reference)

        setenv: dict[str, str] = {}
        for line in values("set_env", "setenv"):
            key, _, value = line.partition("=")
            done = substituted(value.strip(), setenv)
            if not isinstance(done, Unread):
                setenv[key.strip()] = done
        commands: list[Command | Unread] = []
        needs = Needs()
        for line in [*values("commands_pre"), *values("commands")]:
            done = substituted(line, setenv)
            if isinstance(done, Unread):
                commands.append(done)
                continue
            for text in _lines(done):
                command = _tox_command(text, setenv)
                if isinstance(command, Needs):
                    needs |= command
                elif command is not None:
                    commands.append(command)
        deps = [
            dep
            for line in values("deps")
            if not isinstance(done := substituted(line, setenv), Unread)
            for dep in _lines(done)
        ]
        needs |= pip_needs([word for dep in deps for word in _dep_words(dep)])
        groups = [g for line in values("dependency_groups") for g in re.split(r"[\s,]+", line)]
        extras = [e for line in values("extras") for e in re.split(r"[\s,]+", line) if e]
        needs |= Needs(groups=tuple(g for g in groups if g))
        needs |= self._package(
            extras,
            skip=_true(self._setting(name, "skip_install") or "")
            or (self._setting(name, "package") or "").strip() == "skip"
            or _true(self._setting("", "skipsdist") or ""),
            editable=_true(self._setting(name, "usedevelop", "use_develop") or "")
            or (self._setting(name, "package") or "").strip() == "editable",
        )
        return RunnerEnv(name, self.source, tuple(commands), needs, _env_python(name))

    def _package(self, extras: Sequence[str], *, skip: bool, editable: bool) -> Needs:
        if skip:
            return Needs()
        return Needs(project=True, editable=editable, extras=tuple(extras))

    def _reference(self, section: str, key: str) -> str | None:
        """`{[section]key}` in tox.ini."""
        if self.ini is not None and self.ini.has_option(section, key):
            return self.ini.get(section, key)
        return None

    def _resolve_toml(self, name: str, variables: Mapping[str, str]) -> RunnerEnv:
        base = self.toml.get("env_run_base", {})
        own = self.toml.get("env", {}).get(name, {})

        def value(key: str, default: Any) -> Any:
            return own.get(key, base.get(key, default))

        setenv = {str(k): str(v) for k, v in value("set_env", {}).items()}
        commands: list[Command | Unread] = []
        needs = Needs()
        for raw in [*value("commands_pre", []), *value("commands", [])]:
            argv = _toml_argv(raw, name, setenv, variables)
            if isinstance(argv, Unread):
                commands.append(argv)
                continue
            command = _tox_command(shlex.join(argv), setenv)
            if isinstance(command, Needs):
                needs |= command
            elif command is not None:
                commands.append(command)
        deps = [str(dep) for dep in value("deps", [])]
        needs |= pip_needs([word for dep in deps for word in _dep_words(dep)])
        needs |= Needs(groups=tuple(str(g) for g in value("dependency_groups", [])))
        package = str(value("package", ""))
        needs |= self._package(
            [str(e) for e in value("extras", [])],
            skip=bool(value("skip_install", False)) or package == "skip",
            editable=package == "editable" or bool(value("use_develop", False)),
        )
        return RunnerEnv(name, self.source, tuple(commands), needs, _env_python(name))


def tox(root: Path) -> Tox | None:
    """The project's tox configuration: tox.ini, tox.toml, or [tool.tox] in pyproject.toml."""
    ini_path, toml_path, pyproject = root / "tox.ini", root / "tox.toml", root / "pyproject.toml"
    if ini_path.is_file():
        return Tox("tox.ini", root, _ini(ini_path.read_text(encoding="utf-8")), None)
    if toml_path.is_file():
        return Tox("tox.toml", root, None, tomllib.loads(toml_path.read_text(encoding="utf-8")))
    if pyproject.is_file():
        section = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("tox")
        if isinstance(section, Mapping) and "legacy_tox_ini" in section:
            return Tox("pyproject.toml", root, _ini(str(section["legacy_tox_ini"])), None)
        if isinstance(section, Mapping):
            return Tox("pyproject.toml", root, None, section)
    return None


def _ini(text: str) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, interpolation=None)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read_string(text)
    return parser


def _lines(text: str) -> list[str]:
    joined = re.sub(r"\\\s*\n\s*", " ", text)
    return [
        line.strip()
        for line in joined.splitlines()
        if line.strip() and not line.strip().startswith(("#", ";"))
    ]


def _split_env_list(line: str) -> list[str]:
    """Comma-separated env names, commas inside braces kept."""
    parts, depth, current = [], 0, ""
    for char in line:
        depth += {"{": 1, "}": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _true(text: str) -> bool:
    return text.strip().lower() in ("true", "1", "yes")


def _factored(line: str, factors: set[str]) -> str:
    """A tox line without its factor condition, or "" when the condition excludes this env."""
    match = re.match(r"^(?P<condition>!?[\w.{},!-]+):\s+(?P<value>.*)$", line)
    if match is None or "://" in line.split(maxsplit=1)[0]:
        return line
    alternatives = [a for part in match["condition"].split(",") for a in expand_braces(part)]
    for alternative in alternatives:
        needed = alternative.split("-")
        if all((f[1:] not in factors) if f.startswith("!") else (f in factors) for f in needed):
            return match["value"]
    return ""


_SUBSTITUTION = re.compile(r"\{(?P<body>[^{}]*(?:\{[^{}]*\}[^{}]*)*)\}")


def _substitute(
    text: str, name: str, setenv: Mapping[str, str], variables: Mapping[str, str], reference: Any
) -> str | Unread:
    """tox's `{...}` substitutions as CI would see them; `{env_dir}` and the like are Unread.

    `{env_tmp_dir}` becomes a folder in `.nox/`, the folder every gate session's venv is in.
    """
    problem: list[str] = []
    temp = str(PurePosixPath(".nox", f"{base_name(name) or 'py'}-tmp"))  # .nox/ exists in a gate

    def one(match: re.Match[str]) -> str:
        body = match["body"]
        if body.startswith("[") and "]" in body:
            section, _, key = body[1:].partition("]")
            found = reference(section, key)
            if found is None:
                problem.append(match.group(0))
                return ""
            return "\n".join(_lines(found))
        head, _, default = body.partition(":")
        if head == "posargs":
            return default
        if head == "env":
            key, _, fallback = default.partition(":")
            return setenv.get(key, variables.get(key, fallback))
        fixed = {
            "envpython": "python",
            "env_python": "python",
            "toxinidir": ".",
            "tox_root": ".",
            "envname": name,
            "env_name": name,
            "envtmpdir": temp,
            "env_tmp_dir": temp,
            "/": "/",
            ":": ":",
        }
        if head in fixed:
            return fixed[head]
        problem.append(match.group(0))
        return ""

    result = _SUBSTITUTION.sub(one, text)
    if problem:
        return Unread(text, f"{', '.join(problem)} is known only to tox")
    return result


def _toml_argv(
    raw: Any, name: str, setenv: Mapping[str, str], variables: Mapping[str, str]
) -> list[str] | Unread:
    """One tox.toml command (a list of strings and `{replace = ...}` tables)."""
    argv: list[str] = []
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, Mapping):
            kind = item.get("replace")
            if kind == "posargs":
                argv += [str(v) for v in item.get("default", [])]
            elif kind == "env":
                key = str(item.get("name", ""))
                argv.append(setenv.get(key, variables.get(key, str(item.get("default", "")))))
            else:
                return Unread(str(raw), f"tox's `replace = {kind!r}` is known only to tox")
            continue
        done = _substitute(str(item), name, setenv, variables, lambda *_: None)
        if isinstance(done, Unread):
            return done
        argv.append(done)
    return argv


def _dep_words(dep: str) -> list[str]:
    """A `deps` line as pip words: `-r file`, `-e path`, or one requirement."""
    dep = dep.strip()
    if dep.startswith(("-r", "-c", "-e")):
        return shlex.split(dep.replace("{toxinidir}/", ""))
    return [dep]


def _tox_command(text: str, setenv: Mapping[str, str]) -> Command | Needs | None:
    """A tox command: a check, an install (`poetry install`, `pip install`), or one whose
    failure tox ignores (`- cmd`: None, it checks nothing)."""
    if text.startswith("-"):
        return None
    argv = shlex.split(text.removeprefix("!"))
    needs = install_needs(argv, {})
    if needs is not None:
        return needs
    return Command(tuple(argv), tuple(setenv.items()))


def install_needs(argv: Sequence[str], data: Mapping[str, Any]) -> Needs | None:
    """What an install command installs (pip, uv pip/sync, poetry/pdm install); None: not one."""
    words = list(argv)
    if words[:3] in (["python", "-m", "pip"], ["python3", "-m", "pip"]):
        words = ["pip", *words[3:]]
    if words[:2] == ["uv", "pip"]:
        words = words[1:]
    head = words[:2]
    if head in (["pip", "install"], ["pip3", "install"]):
        return pip_needs(words[2:])
    if head == ["uv", "sync"]:
        return uv_needs(data, words[2:])
    if head == ["poetry", "install"]:
        return poetry_needs(data, words[2:])
    if head in (["pdm", "install"], ["pdm", "sync"]):
        return pdm_needs(data, words[2:])
    if words[:3] == ["uv", "tool", "install"]:
        return pip_needs([w for w in words[3:] if not w.startswith("-")][:1])
    return None


def _env_python(name: str) -> str | None:
    for factor in name.split("-"):
        if is_python_factor(factor):
            return python_name(factor)
    return None


def base_name(name: str) -> str:
    """An env name without its Python factors (`3.11-tests` -> `tests`, `py311` -> "")."""
    return "-".join(f for f in name.split("-") if not is_python_factor(f))


# --- nox -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NoxSession:
    """One `@nox.session` function, read from the noxfile's syntax tree."""

    name: str
    pythons: tuple[str, ...]
    commands: tuple[Command | Unread, ...]
    needs: Needs
    default: bool = True


def noxfile(root: Path, data: Mapping[str, Any]) -> dict[str, NoxSession] | None:
    """Every session of noxfile.py (never imported: its syntax tree is read)."""
    path = root / "noxfile.py"
    if not path.is_file():
        return None
    tree = ast.parse(path.read_text(encoding="utf-8"))
    constants = _module_constants(tree)
    sessions: dict[str, NoxSession] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            decorator = next((d for d in node.decorator_list if _is_session(d)), None)
            if decorator is not None:
                session = _nox_session(node, decorator, constants, data)
                sessions[session.name] = session
    return sessions


def nox_defaults(root: Path, sessions: Mapping[str, NoxSession]) -> list[str]:
    """`nox` with no -s: `nox.options.sessions`, else every default session."""
    tree = ast.parse((root / "noxfile.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "nox.options.sessions":
            value = _literal(node.value, {})
            if isinstance(value, list):
                return value
    return [name for name, session in sessions.items() if session.default]


def _is_session(node: ast.expr) -> bool:
    target = node.func if isinstance(node, ast.Call) else node
    return ast.unparse(target) in ("nox.session", "session")


def _module_constants(tree: ast.Module) -> dict[str, list[str] | str]:
    """Module-level names bound to strings or lists of strings (`LOCATIONS = [...]`)."""
    found: dict[str, list[str] | str] = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            value = _literal(node.value, found)
            if isinstance(target, ast.Name) and value is not None:
                found[target.id] = value
    return found


def _literal(node: ast.expr, constants: Mapping[str, list[str] | str]) -> list[str] | str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name) and node.id in constants:
        return constants[node.id]
    if isinstance(node, ast.List | ast.Tuple):
        items = [_literal(item, constants) for item in node.elts]
        if all(isinstance(item, str) for item in items):
            return [str(item) for item in items]
    return None


def _nox_session(
    function: ast.FunctionDef,
    decorator: ast.expr,
    constants: Mapping[str, list[str] | str],
    data: Mapping[str, Any],
) -> NoxSession:
    keywords = (
        {k.arg: k.value for k in decorator.keywords} if isinstance(decorator, ast.Call) else {}
    )
    name_node = keywords.get("name")
    name = _literal(name_node, constants) if name_node is not None else function.name
    python = _literal(keywords["python"], constants) if "python" in keywords else None
    pythons = [python] if isinstance(python, str) else (python or [])
    default = keywords.get("default")
    is_default = not (isinstance(default, ast.Constant) and default.value is False)
    variable = function.args.args[0].arg if function.args.args else "session"
    commands: list[Command | Unread] = []
    needs = Needs()
    for call in _session_calls(function, variable):
        method = call.func.attr if isinstance(call.func, ast.Attribute) else ""
        argv = _arguments(call, constants, variable)
        if isinstance(argv, Unread):
            commands.append(argv)
            continue
        if method == "install":
            needs |= pip_needs(argv)
            continue
        found = install_needs(argv, data)
        if found is not None:
            needs |= found
        elif method in ("run", "run_always", "run_install"):
            commands.append(Command(tuple(argv), _env_keyword(call, constants)))
    return NoxSession(
        str(name),
        tuple(p for p in (python_name(p) for p in pythons) if p),
        tuple(commands),
        needs,
        is_default,
    )


def _session_calls(function: ast.FunctionDef, variable: str) -> Iterator[ast.Call]:
    """`session.run/install/...` calls in source order."""
    calls = [
        node
        for node in ast.walk(function)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and ast.unparse(node.func.value) == variable
        and node.func.attr in ("run", "install", "run_install", "run_always")
    ]
    yield from sorted(calls, key=lambda call: (call.lineno, call.col_offset))


def _arguments(
    call: ast.Call, constants: Mapping[str, list[str] | str], variable: str
) -> list[str] | Unread:
    argv: list[str] = []
    for arg in call.args:
        if isinstance(arg, ast.Starred):
            if ast.unparse(arg.value) == f"{variable}.posargs":
                continue
            value = _literal(arg.value, constants)
        else:
            value = _literal(arg, constants)
        if value is None:
            return Unread(ast.unparse(call), f"`{ast.unparse(arg)}` is computed when nox runs")
        argv += [value] if isinstance(value, str) else value
    return argv


def _env_keyword(
    call: ast.Call, constants: Mapping[str, list[str] | str]
) -> tuple[tuple[str, str], ...]:
    for keyword in call.keywords:
        if keyword.arg == "env" and isinstance(keyword.value, ast.Dict):
            pairs = [
                (_literal(k, constants), _literal(v, constants))
                for k, v in zip(keyword.value.keys, keyword.value.values, strict=True)
                if k is not None
            ]
            return tuple(
                (str(k), str(v)) for k, v in pairs if isinstance(k, str) and isinstance(v, str)
            )
    return ()


# --- hatch ---------------------------------------------------------------------------------


def hatch_env(
    root: Path, data: Mapping[str, Any], target: str, args: Sequence[str]
) -> RunnerEnv | None:
    """`hatch run [ENV:]SCRIPT ARGS`: the script's commands and the env's installs."""
    envs = data.get("tool", {}).get("hatch", {}).get("envs", {})
    hatch_toml = root / "hatch.toml"
    if not envs and hatch_toml.is_file():
        envs = tomllib.loads(hatch_toml.read_text(encoding="utf-8")).get("envs", {})
    env_name, _, script = target.rpartition(":")
    env_name = env_name or "default"
    matrix_env = env_name.split(".")[0]
    own = envs.get(matrix_env, {})
    chain = (
        [own]
        if own.get("template") == matrix_env or matrix_env == "default"
        else ([envs.get("default", {}), own])
    )
    scripts: dict[str, Any] = {}
    needs = Needs()
    for table in chain:
        scripts.update(table.get("scripts", {}))
        requirements = [*table.get("dependencies", []), *table.get("extra-dependencies", [])]
        needs |= Needs(requirements=tuple(requirements))
        needs |= Needs(extras=tuple(table.get("features", [])))
    if not any(table.get("skip-install") for table in chain):
        needs |= Needs(project=True, editable=all(t.get("dev-mode", True) for t in chain))
    lines = scripts.get(script)
    if lines is None:
        lines = [shlex.join([script, *args])]
        args = ()
    commands: list[Command | Unread] = []
    for line in [lines] if isinstance(lines, str) else lines:
        text = re.sub(
            r"\{args(?::([^}]*))?\}", lambda m: shlex.join(args) or (m.group(1) or ""), str(line)
        )
        words = shlex.split(text)
        if words and words[0] in scripts and words[0] != script:
            inner = hatch_env(root, data, f"{env_name}:{words[0]}", words[1:])
            commands += inner.commands if inner else []
        else:
            commands.append(Command(tuple(words)))
    return RunnerEnv(f"{env_name}:{script}", "pyproject.toml", tuple(commands), needs)


def combinations(matrix: Mapping[str, Any]) -> list[dict[str, Any]]:
    """GitHub's matrix expansion: the product of the lists, minus `exclude`, plus `include`."""
    axes = {k: v for k, v in matrix.items() if k not in ("include", "exclude")}
    lists = {k: v if isinstance(v, list) else [v] for k, v in axes.items()}
    combos = [
        dict(zip(lists, values, strict=True)) for values in itertools.product(*lists.values())
    ]
    for rule in matrix.get("exclude") or []:
        if isinstance(rule, Mapping):
            combos = [c for c in combos if not all(c.get(k) == v for k, v in rule.items())]
    for extra in matrix.get("include") or []:
        if not isinstance(extra, Mapping):
            continue
        matched = False
        for combo in combos if axes else ():
            if all(combo.get(k) == v for k, v in extra.items() if k in axes):
                combo.update({k: v for k, v in extra.items() if k not in axes})
                matched = True
        if not matched:
            combos.append(dict(extra))
    return [c for c in combos if c] or [{}]
