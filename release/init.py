"""`python -m release init`: adopt release-parity in an existing project.

It reads the project (its version, every file that carries that version, the
changelog, private-looking folders, the gates its tools imply, the commands its
hand-written workflows run) and proposes a `[tool.release]` table, a noxfile, a
tasks.py and generated workflows, shown as a diff; `--write` writes them. Running it
again proposes nothing new.
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import tomlkit
import yaml

from release import changelog, config, git
from release.config import Gate
from release.errors import ReleaseError
from release.version_files import Edit

NOXFILE = """\
# /// script
# dependencies = ["nox", "release-parity"]
# ///
from release.adapters.nox_sessions import register

register()
"""
NOX_LINES = "from release.adapters.nox_sessions import register\n\nregister()\n"
TASKS = """\
from release.adapters.invoke_tasks import namespace

__all__ = ["namespace"]
"""
PRIVATE_FOLDERS = ("internal", "scratch", "private", "secrets", "notes", "drafts")
SKIPPED_NAMES = {"CHANGELOG.md", "CHANGES.md", "HISTORY.md", "NEWS.md", "pyproject.toml"}
_ASSIGNMENT = re.compile(
    r"^(?P<name>[A-Za-z_]\w*)\s*(?::[^=\n]+)?=\s*['\"](?P<value>[^'\"\n]+)['\"]", re.MULTILINE
)
_YAML_KEY = re.compile(
    r"^(?P<name>[A-Za-z_][\w-]*):[ \t]*['\"]?(?P<value>[^'\"\s#]+)", re.MULTILINE
)


@dataclass
class Findings:
    """What init learned about the project, before turning it into files."""

    version: str
    version_files: list[str] = field(default_factory=list)
    date_files: list[str] = field(default_factory=list)
    disagreements: list[tuple[str, str]] = field(default_factory=list)
    mentions: list[str] = field(default_factory=list)  # version-like text not proposed


def _tracked_files(root: Path) -> list[str]:
    listed = git.git(root, "ls-files", "--cached", "--others", "--exclude-standard")
    return [line for line in listed.splitlines() if line]


def _is_version_name(path: str, name: str) -> bool:
    if name == "cff-version":
        return False
    return "version" in name.lower() or (path.endswith("conf.py") and name == "release")


def _looks_like_version(value: str) -> bool:
    return (
        re.fullmatch(r"v?\d+(\.\d+)+([-._]?(a|b|rc|alpha|beta|dev|post)\.?\d*)*", value) is not None
    )


def scan(loaded: config.Config, version: str) -> Findings:
    """Every assignment of a version-like value to a version-like name, in every file."""
    found = Findings(version)
    if loaded.version_source != "dynamic":
        found.version_files.append(str(loaded.version_files[0]))
    patterns = {".py": _ASSIGNMENT, ".cff": _YAML_KEY, ".yml": _YAML_KEY, ".yaml": _YAML_KEY}
    for path in _tracked_files(loaded.root):
        if Path(path).name in SKIPPED_NAMES or path.startswith((".github/", ".release/")):
            continue
        try:
            text = (loaded.root / path).read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # not text: carries no version string we could edit
        pattern = patterns.get(Path(path).suffix)
        for match in pattern.finditer(text) if pattern else ():
            key, value = match.group("name"), match.group("value")
            if path.endswith(".cff") and key == "date-released":
                found.date_files.append(f"{path}:{key}")
            elif _is_version_name(path, key) and _looks_like_version(value):
                if value == version:
                    found.version_files.append(f"{path}:{key}")
                elif version.startswith(value + "."):
                    found.mentions.append(f"{path}:{key} = {value!r} (a short version)")
                else:
                    found.disagreements.append((f"{path}:{key}", value))
        if version in text and not any(f.startswith(f"{path}:") for f in found.version_files):
            found.mentions.append(f"{path} mentions {version}")
    return found


def _package(loaded: config.Config) -> str:
    for base in (loaded.root, loaded.root / "src"):
        if (base / loaded.package / "__init__.py").exists():
            return loaded.package
    for base in (loaded.root / "src", loaded.root):
        for candidate in sorted(base.glob("*/__init__.py")):
            if candidate.parent.name not in ("tests", "docs", "benchmarks"):
                return candidate.parent.name
    return loaded.package


def _private(root: Path) -> list[str]:
    return [name for name in PRIVATE_FOLDERS if (root / name).is_dir()]


def _forbidden(root: Path) -> list[str]:
    return [f"{name}/**" for name in _private(root)] + ["**/.env", "**/*.pem"]


#: Where each build backend is told to leave a folder out of the sdist (the wheel
#: takes only the package already): the pyproject key path and how to name the folder.
SDIST_EXCLUDES = {
    "hatchling": (("tool", "hatch", "build", "targets", "sdist", "exclude"), "/{}"),
    "flit_core": (("tool", "flit", "sdist", "exclude"), "{}/"),
    "poetry.core": (("tool", "poetry", "exclude"), "{}"),
}


def _changelog(root: Path) -> tuple[str, str]:
    """(path, a note on its style), or ('', why not) when the project keeps none."""
    path = root / "CHANGELOG.md"
    if not path.exists():
        return "", 'no CHANGELOG.md: the changelog step is off (changelog = "")'
    text = path.read_text(encoding="utf-8")
    if not any(s.name.lower() == "unreleased" for s in changelog.sections(text)):
        return "CHANGELOG.md", "CHANGELOG.md has no '## [Unreleased]' section: add one"
    separator = "an em dash" if "\u2014" in text else "a hyphen"
    return "CHANGELOG.md", f"CHANGELOG.md: Keep a Changelog, headings dated with {separator}"


def release_table(loaded: config.Config, found: Findings) -> dict[str, Any]:
    """The proposed `[tool.release]` table (gates from the project's own tools)."""
    from release import ci_parity

    changelog_path, _ = _changelog(loaded.root)
    table: dict[str, Any] = {"package": _package(loaded)}
    if found.version_files:
        table["version-files"] = found.version_files
    if found.date_files:
        table["date-files"] = found.date_files
    table["changelog"] = changelog_path
    table["forbidden"] = _forbidden(loaded.root)
    gates = [gate for gate, _ in ci_parity.detect(loaded)]
    table["gates"] = {gate.name: _gate_row(gate, loaded.ci.python[0]) for gate in gates}
    return table


def _gate_row(gate: Gate, first_python: str) -> dict[str, Any]:
    """A table row; a gate that does not install the project runs on one Python only."""
    row: dict[str, Any] = {"run": list(gate.run), "install": list(gate.install)}
    if not any(item.startswith(".") for item in gate.install):
        row["python"] = [first_python]
    if gate.env:
        row["env"] = dict(gate.env)
    return row


def _multiline(value: Any) -> Any:
    """Lists of more than one entry one per line, as people write them by hand."""
    if isinstance(value, dict):
        return {key: _multiline(item) for key, item in value.items()}
    if isinstance(value, list) and len(value) > 1:
        array = tomlkit.array()
        array.extend(value)
        return array.multiline(True)
    return value


def workflow_drift(root: Path, adopted: config.Config) -> list[str]:
    """The commands hand-written workflows run beside the table's: the drift the user had."""
    from release import ci_parity

    generated = set(ci_parity.expected(adopted))
    table = {gate.name: gate for gate in ci_parity.gates(adopted)}
    found = []
    for path in sorted((root / ".github/workflows").glob("*.y*ml")):
        relative = str(path.relative_to(root))
        if relative in generated:
            continue
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for job in (data.get("jobs") or {}).values():
            for step in job.get("steps") or []:
                for command in str(step.get("run", "")).splitlines():
                    found += _flag_drift(relative, command.strip(), table.values())
    return found


def _program(words: list[str]) -> tuple[str, ...]:
    """The program and its subcommand, if any: `ruff check`, `pytest`, `mypy`."""
    head = words[:2] if len(words) > 1 and not words[1].startswith("-") else words[:1]
    return tuple(head) if head and head[0] not in ("pip", "python", "uv") else ()


def _flag_drift(path: str, command: str, gates: Iterable[Gate]) -> list[str]:
    """Compare a hand-written command with the gate that runs the same program."""
    words = command.split()
    found = []
    for gate in gates:
        for run in gate.run:
            ours = run.split()
            if _program(words) and _program(words) == _program(ours):
                only_ci = sorted(set(words) - set(ours))
                only_table = sorted(set(ours) - set(words))
                if only_ci or only_table:
                    found.append(
                        f"{path} runs `{command}`; gate '{gate.name}' runs `{run}`"
                        f" (only in {path}: {' '.join(only_ci) or '-'};"
                        f" only in the table: {' '.join(only_table) or '-'})"
                    )
    return found


def _with_table(text: str, table: Mapping[str, Any], private: list[str]) -> tuple[str, str]:
    """pyproject.toml with [tool.release], and private folders kept out of the sdist.

    Returns the new text and a note on how the private folders are excluded.
    """
    document = tomlkit.parse(text)
    tool: Any = document.setdefault("tool", tomlkit.table(is_super_table=True))
    tool["release"] = _multiline(table)
    backend = str(document.get("build-system", {}).get("build-backend", ""))
    rule = next((v for k, v in SDIST_EXCLUDES.items() if backend.startswith(k)), None)
    if not private or rule is None:
        return tomlkit.dumps(document), ""
    keys, form = rule
    node: Any = document
    for key in keys[:-1]:
        node = node.setdefault(key, tomlkit.table(is_super_table=True))
    excluded = node.setdefault(keys[-1], tomlkit.array())
    excluded.extend(form.format(name) for name in private if form.format(name) not in excluded)
    return tomlkit.dumps(document), f"{', '.join(private)} left out of the sdist: {'.'.join(keys)}"


def _manifest_in(root: Path, private: list[str]) -> str:
    """setuptools ships every tracked file in the sdist unless MANIFEST.in prunes it."""
    text = _read(root / "MANIFEST.in")
    missing = [f"prune {name}\n" for name in private if f"prune {name}" not in text]
    return text + "".join(missing)


def _noxfile(root: Path) -> str:
    path = root / "noxfile.py"
    if not path.exists():
        return NOXFILE
    text = path.read_text(encoding="utf-8")
    if "release.adapters.nox_sessions" in text:
        return text
    return text.rstrip("\n") + "\n\n" + NOX_LINES


def _tasks(root: Path) -> str:
    path = root / "tasks.py"
    if not path.exists():
        return TASKS
    text = path.read_text(encoding="utf-8")
    if "release.adapters.invoke_tasks" in text:
        return text
    raise ReleaseError(
        "tasks.py exists and init will not overwrite it",
        "add `from release.adapters.invoke_tasks import namespace` and add your own tasks to"
        " that namespace (namespace.add_task(...)), then run init again",
    )


def proposal(root: Path) -> tuple[list[Edit], list[str]]:
    """The edits init would make, and the notes to show with them."""
    from release import ci_parity, version_files

    loaded = config.load(root)
    version = str(version_files.current_version(loaded))
    found = scan(loaded, version)
    if found.disagreements:
        width = max(len(spec) for spec, _ in found.disagreements)
        rows = [
            f"  {found.version_files[0] if found.version_files else 'tags':<{width}}  {version}"
        ]
        rows += [f"  {spec:<{width}}  {value}" for spec, value in found.disagreements]
        raise ReleaseError(
            f"the files that carry the version disagree with {version}",
            "set each to the released version by hand, commit, then run init again",
            detail="\n".join(rows),
        )
    notes = [f"version {version} ({loaded.version_source})"]
    notes += [f"version file: {spec}" for spec in found.version_files]
    notes += [f"{mention}, not as a version assignment: not proposed" for mention in found.mentions]
    notes.append(_changelog(root)[1])
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    tool = loaded.pyproject.get("tool", {})
    new_pyproject = pyproject
    private = _private(root)
    if "release" not in tool:
        new_pyproject, excluded = _with_table(pyproject, release_table(loaded, found), private)
        if excluded:
            notes.append(excluded)
    else:
        notes.append("pyproject.toml already has [tool.release]: kept as it is")
    edits = [Edit("pyproject.toml", pyproject, new_pyproject)]
    edits.append(Edit("noxfile.py", _read(root / "noxfile.py"), _noxfile(root)))
    edits.append(Edit("tasks.py", _read(root / "tasks.py"), _tasks(root)))
    backend = str(loaded.pyproject.get("build-system", {}).get("build-backend", ""))
    edits.append(Edit(".gitignore", _read(root / ".gitignore"), _gitignore(root, backend)))
    if private and backend.startswith("setuptools"):
        edits.append(Edit("MANIFEST.in", _read(root / "MANIFEST.in"), _manifest_in(root, private)))
    adopted = config.load_text(root, new_pyproject)
    for path, content in ci_parity.expected(adopted).items():
        edits.append(Edit(path, _read(root / path), content))
    notes += workflow_drift(root, adopted)
    return [edit for edit in edits if edit.old != edit.new], notes


def _gitignore(root: Path, backend: str) -> str:
    """What a release leaves in the tree, ignored at the root (where backends look).

    `.release/` (state), `.nox/` (gate venvs), `dist/` (artifacts), and for setuptools
    the `build/` and `*.egg-info/` an install of `.` writes: else the next preflight
    finds an unclean tree.
    """
    text = _read(root / ".gitignore")
    present = {line.strip().rstrip("/") for line in text.splitlines()}
    wanted = [".release/", ".nox/", "dist/"]
    if backend.startswith("setuptools"):
        wanted += ["build/", "*.egg-info/"]
    missing = [entry for entry in wanted if entry.rstrip("/") not in present]
    if not missing:
        return text
    return (text.rstrip("\n") + "\n" if text.strip() else "") + "".join(f"{m}\n" for m in missing)


def _read(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.exists() else ""


def init_command(options: Mapping[str, Any]) -> int:
    from release.steps.bump import diff

    root = Path.cwd()
    edits, notes = proposal(root)
    for line in notes:
        print(f"note: {line}", file=sys.stderr)
    if not edits:
        print("release-parity is already adopted here: nothing to change")
        return 0
    for edit in edits:
        sys.stdout.write(diff(edit) if edit.old else _new_file(edit))
    if not options.get("write"):
        print("\ninit: nothing was written. Add --write to write these files.")
        return 0
    for edit in edits:
        path = root / edit.path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(edit.new, encoding="utf-8")
    print(f"\ninit: wrote {', '.join(edit.path for edit in edits)}")
    return 0


def _new_file(edit: Edit) -> str:
    return "".join(
        difflib.unified_diff([], edit.new.splitlines(keepends=True), "/dev/null", f"b/{edit.path}")
    )
