"""`python -m release init`: adopt release-parity in an existing project.

It reads the project (its version, every file that carries that version, the
changelog, private-looking folders, the gates its tools imply, the commands its
hand-written workflows run) and proposes a `[tool.release]` table, a noxfile, a
tasks.py and generated workflows, shown as a diff; `--write` writes them. Running it
again proposes nothing new.
"""

from __future__ import annotations

import ast
import dataclasses
import difflib
import itertools
import re
import shlex
import sys
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import tomlkit

from release import changelog, config, git, package, tags, versioning
from release.adoption.ci_installs import project_pythons
from release.adoption.ci_sources import JobChecks
from release.adoption.version_scan import Findings, require_agreement, scan
from release.config import Gate
from release.errors import ReleaseError
from release.files import Edit
from release.forbidden import BUILTIN_FORBIDDEN, exemptions, forbidden_by
from release.options import Options

#: A new noxfile: its script block pins the release-parity that wrote it, so nox (and
#: `pipx run nox`, `uvx nox`) runs that one, on a Python it supports. New files end with
#: their imports (`__all__` goes first, where E402 allows it): no isort setting then asks
#: for other blank lines than these.
NOXFILE = """\
# /// script
# requires-python = "{requires_python}"
# dependencies = ["nox", "release-parity=={version}"]
# ///
\"\"\"release-parity's nox sessions: importing nox_auto registers them.\"\"\"

__all__ = ["nox_auto"]

from release.adapters import nox_auto
"""
#: What an existing noxfile gets: the import joins its import block, the call ends the file.
NOX_IMPORT = "from release.adapters.nox_sessions import register\n"
NOX_CALL = "register()\n"
#: A noxfile that already registers the sessions (either way) is left as it is.
NOX_REGISTERS = re.compile(r"release\.adapters(?:\.| import )nox_(?:sessions|auto)\b")
_NOX_MODULE = "release.adapters.nox_sessions"
_STANDARD = frozenset(sys.stdlib_module_names) | {"__future__"}
TASKS = """\
\"\"\"release-parity's invoke tasks: invoke reads `namespace`.\"\"\"

__all__ = ["namespace"]

from release.adapters.invoke_tasks import namespace
"""
PRIVATE_FOLDERS = ("internal", "scratch", "private", "secrets", "notes", "drafts")
#: Proposed as `forbidden`, with a `!` exemption for each tracked file they match.
DEFAULT_FORBIDDEN = ("**/.env", "**/*.pem")


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


def _shipped_on_purpose(root: Path) -> list[str]:
    """The tracked files a default or built-in pattern forbids, outside the private folders:
    public in the repository already, they ship on purpose (pip's vendored cacert.pem)."""
    private = tuple(f"{name}/" for name in _private(root))
    tracked = [path for path in git.git(root, "ls-files", "-z", check=False).split("\0") if path]
    patterns = (*DEFAULT_FORBIDDEN, *BUILTIN_FORBIDDEN)
    return [p for p in tracked if forbidden_by(p, patterns) and not p.startswith(private)]


def _forbidden(root: Path) -> list[str]:
    folders = [f"{name}/**" for name in _private(root)]
    return [
        *folders,
        *DEFAULT_FORBIDDEN,
        *exemptions(_shipped_on_purpose(root), BUILTIN_FORBIDDEN + DEFAULT_FORBIDDEN),
    ]


#: Where each build backend is told to leave a folder out of the sdist (the wheel
#: takes only the package already): the pyproject key path and how to name the folder.
SDIST_EXCLUDES = {
    "hatchling": (("tool", "hatch", "build", "targets", "sdist", "exclude"), "/{}"),
    "flit_core": (("tool", "flit", "sdist", "exclude"), "{}/"),
    "poetry.core": (("tool", "poetry", "exclude"), "{}"),
}


def _changelog(loaded: config.Config) -> tuple[str, str]:
    """(path, a note on its style), or ('', why not) when the project keeps none."""
    from release import towncrier_settings
    from release.changelog import files

    root = loaded.root
    news = towncrier_settings.news_file(root, loaded.pyproject)
    if news:
        return news, f"{news}: built by towncrier from its fragments at each release"
    path = files.locate(root)
    if not path:
        return "", 'no changelog found: the changelog step is off (changelog = "")'
    text = (root / path).read_text(encoding="utf-8")
    tags = changelog.Tags(loaded.tag_format, loaded.tag_pre_release)
    try:
        read = changelog.read(text, path, tags, loaded.changelog_style)
    except ReleaseError as error:
        return path, f"{error.message}: {error.hint}"
    return path, f"{path}: {changelog.describe(read)}"


def release_table(loaded: config.Config, found: Findings) -> dict[str, Any]:
    """The proposed `[tool.release]` table (gates from the project's own tools)."""
    from release import gate_table

    changelog_path, _ = _changelog(loaded)
    table: dict[str, Any] = {"package": _package(loaded)}
    if loaded.branch != "main":  # written down: a CI checkout may not know origin/HEAD
        table["branch"] = loaded.branch
    if loaded.tag_format != tags.DEFAULT_FORMAT:
        table["tag-format"] = loaded.tag_format
    if loaded.tag_pre_release != versioning.DEFAULT_PRE_RELEASE:
        table["tag-pre-release"] = loaded.tag_pre_release
    if found.version_files:
        table["version-files"] = found.version_files
    if found.date_files:
        table["date-files"] = found.date_files
    table["changelog"] = changelog_path
    table["forbidden"] = _forbidden(loaded.root)
    gates = [found.gate for found in gate_table.detect(loaded)]
    pythons = _pythons(gates) or list(project_pythons(loaded.pyproject))
    if pythons:
        table.setdefault("ci", {})["python"] = pythons
    defaults = pythons or list(loaded.ci.python)
    table["gates"] = {gate.name: _gate_row(gate, defaults) for gate in gates}
    return table


def _pythons(gates: Iterable[Gate]) -> list[str]:
    """Every Python a found gate runs on, oldest first: `[tool.release.ci] python`."""
    names = {python for gate in gates for python in gate.python}
    return sorted(names, key=lambda name: [int(n) for n in re.findall(r"\d+", name)] + [name])


def _gate_row(gate: Gate, pythons: list[str]) -> dict[str, Any]:
    """A table row: its Pythons and OSes where they differ from `[tool.release.ci]`'s; a
    detected gate that does not install the project runs on the first Python only."""
    row: dict[str, Any] = {"run": list(gate.run), "install": list(gate.install)}
    installs_project = any(re.match(r"(-e\s+)?\.", item) for item in gate.install)
    if gate.python and list(gate.python) != pythons:
        row["python"] = list(gate.python)
    elif not gate.python and not installs_project:
        row["python"] = pythons[:1]
    if gate.os and list(gate.os) != list(config.CI.os):
        row["os"] = list(gate.os)
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
    """Per hand-written job that runs checks, each command beside the gate that runs the
    same program: the same, or what differs; then what of the CI could not be read."""
    from release import gate_table
    from release.adoption import ci_sources

    reading = ci_sources.read(dataclasses.replace(adopted, root=root))
    table = gate_table.gates(adopted)
    found = [_flag_drift(job, command, table) for job in reading.jobs for command in job.commands]
    return found + list(reading.notes)


def _flag_drift(job: JobChecks, command: str, gates: Iterable[Gate]) -> str:
    """One command of a job beside the closest gate command of the same program (`uv run`,
    `python -m` and `./paths/` are read through, so equal commands compare equal)."""
    from release.adoption import ci_sources

    head = f"your job `{job.job}` ({job.file}) runs `{command}`"
    words = ci_sources.normalized(shlex.split(command))
    program = ci_sources.program(shlex.split(command))
    candidates = [
        (gate, run, *_differences(words, ci_sources.normalized(shlex.split(run))))
        for gate in gates
        for run in gate.run
        if ci_sources.program(shlex.split(run)) == program
    ]
    if not candidates:
        return f"{head}; no gate runs `{' '.join(program)}`"
    gate, run, only_job, only_gate = min(candidates, key=lambda c: len(c[2]) + len(c[3]))
    if not only_job and not only_gate:
        return f"{head}; gate `{gate.name}` runs the same"
    return (
        f"{head}; gate `{gate.name}` runs `{run}`: differs: only in your job:"
        f" {' '.join(only_job) or '-'}; only in the gate: {' '.join(only_gate) or '-'}"
    )


def _differences(job: list[str], gate: list[str]) -> tuple[list[str], list[str]]:
    """(words only the job has, words only the gate has), as multisets, in their order."""
    only_job, only_gate = Counter(job) - Counter(gate), Counter(gate) - Counter(job)
    return [w for w in job if only_job.pop(w, 0)], [w for w in gate if only_gate.pop(w, 0)]


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
    """A new noxfile, or the project's with only the tool's lines added or updated: the
    import, and the release-parity pin in a script block that names release-parity."""
    from release import tool_pins

    tool = tool_pins.running()
    path = root / "noxfile.py"
    if not path.exists():
        return NOXFILE.format(requires_python=tool.requires_python, version=tool.version)
    text = path.read_text(encoding="utf-8")
    if not NOX_REGISTERS.search(text):
        text = _with_nox_lines(text)
    return tool_pins.pin_noxfile(text, tool.version)


def _with_nox_lines(text: str) -> str:
    """The project's noxfile with NOX_IMPORT in its import block (an import after code is
    E402) and NOX_CALL at its end; every other byte as it was."""
    try:
        tree = ast.parse(text)
    except SyntaxError as error:
        raise ReleaseError(
            f"noxfile.py does not parse (line {error.lineno}: {error.msg})",
            "fix it so that nox can load it, then run init again",
        ) from None
    lines = text.splitlines(keepends=True)
    at, own_section = _import_slot(tree)
    inserted = ("\n" if own_section else "") + NOX_IMPORT
    head, tail = "".join(lines[:at]), "".join(lines[at:])
    return (head + inserted + tail).rstrip("\n") + "\n\n\n" + NOX_CALL


def _import_slot(tree: ast.Module) -> tuple[int, bool]:
    """Where NOX_IMPORT goes: (the line it is inserted before, whether it starts a section).

    Its place is in nox's section (else the last section not of the standard library),
    after the plain imports and the `from` imports that isort sorts before it; with no
    such section, a section of its own after the last import.
    """
    imports: list[ast.Import | ast.ImportFrom] = []
    for node in tree.body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            imports.append(node)
        elif not _may_precede_imports(node):
            break
    if not imports:
        leading = list(itertools.takewhile(_may_precede_imports, tree.body))
        return (leading[-1].end_lineno or 0, True) if leading else (0, False)
    sections: list[list[ast.Import | ast.ImportFrom]] = [[imports[0]]]
    for before, node in itertools.pairwise(imports):
        if node.lineno > (before.end_lineno or before.lineno) + 1:
            sections.append([])
        sections[-1].append(node)
    outside = [s for s in sections if not all(_module(n) in _STANDARD for n in s)]
    chosen = next((s for s in sections if any(_module(n) == "nox" for n in s)), None)
    if chosen is None and not outside:
        return imports[-1].end_lineno or imports[-1].lineno, True
    section = chosen or outside[-1]
    earlier = [n for n in section if isinstance(n, ast.Import) or _sort_key(n) <= _NOX_MODULE]
    if not earlier:
        return section[0].lineno - 1, False
    return earlier[-1].end_lineno or earlier[-1].lineno, False


def _may_precede_imports(node: ast.stmt) -> bool:
    """A docstring or a dunder assignment (`__all__`): E402 allows them above imports."""
    if isinstance(node, ast.Expr):
        return isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
    targets = node.targets if isinstance(node, ast.Assign) else []
    return bool(targets) and all(
        isinstance(t, ast.Name) and t.id.startswith("__") and t.id.endswith("__") for t in targets
    )


def _module(node: ast.Import | ast.ImportFrom) -> str:
    """The top-level package an import statement names ('' for a relative import)."""
    if isinstance(node, ast.Import):
        return node.names[0].name.split(".")[0]
    return "" if node.level else (node.module or "").split(".")[0]


def _sort_key(node: ast.ImportFrom) -> str:
    return (node.module or "").lower()


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


def _with_tag_style(loaded: config.Config) -> config.Config:
    """The tag style the existing tags follow, unless [tool.release] names a tag-format."""
    table = loaded.pyproject.get("tool", {}).get("release", {})
    if "tag-format" in table:
        return loaded
    top = package.workflow_root(loaded.root)
    folder = "" if top == loaded.root else loaded.root.relative_to(top).as_posix()
    tag_format, pre_release = tags.detect_tag_style(loaded.root, loaded.name, folder)
    if "tag-pre-release" in table:
        pre_release = loaded.tag_pre_release
    return dataclasses.replace(loaded, tag_format=tag_format, tag_pre_release=pre_release)


def proposal(root: Path, replace_workflows: bool = False) -> tuple[list[Edit], list[str]]:
    """The edits init would make, and the notes to show with them.

    Hand-written workflows are never edited: the generated ones go beside them, unless
    `replace_workflows` (then those at the generated paths are replaced).
    """
    from release import drift, project_workflows, version_files

    loaded = _with_tag_style(version_files.load(root))  # a killed `init --sync` is finished
    current = version_files.current_version(loaded)
    version = str(current)
    found = scan(loaded, version)
    require_agreement(found)
    last = version_files.versions_note(loaded, current)
    notes = [f"version {version} ({loaded.version_source})" + (f"; {last}" if last else "")]
    notes += [f"version file: {spec}" for spec in found.proposed]
    notes += found.summary()
    notes.append(_changelog(loaded)[1])
    pyproject = (root / "pyproject.toml").read_text(encoding="utf-8")
    tool = loaded.pyproject.get("tool", {})
    new_pyproject = pyproject
    private = _private(root)
    existing = project_workflows.read(package.workflow_root(root))  # where GitHub reads them
    if "release" not in tool:
        table = release_table(loaded, found)
        placement = project_workflows.place(existing, replace_workflows)
        for section, keys in placement.table().items():
            table.setdefault(section, {}).update(keys)
        new_pyproject, excluded = _with_table(pyproject, table, private)
        notes += [
            f"forbidden: the tracked {path} is exempted (a `!` pattern): it ships on purpose;"
            " remove that line if it must not"
            for path in _shipped_on_purpose(root)
        ]
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
    generated = drift.expected(adopted)
    workflow_edits, workflow_notes = project_workflows.adopt(
        adopted, existing, generated, replace_workflows
    )
    edits += workflow_edits
    notes += workflow_drift(root, adopted)
    notes += workflow_notes
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


def _sync(root: Path) -> None:
    """`init --sync`: every copy of the version that differs is set to it, diff first,
    in one atomic write (a kill leaves all old or all new)."""
    from release import files, version_files
    from release.adoption.version_scan import sync_edits

    loaded = _with_tag_style(version_files.load(root))
    found = scan(loaded, str(version_files.current_version(loaded)))
    edits = sync_edits(loaded, found)
    if not edits:
        print(f"init --sync: every copy of the version already says {found.version}")
        return
    for edit in edits:
        sys.stdout.write(edit.diff)
    files.write_atomically(root, edits, "init --sync")
    places = ", ".join(str(place.spec) for place in (*found.conflicting, *found.lagging))
    print(f"init --sync: set {places} to {found.version}")
    for spec in found.dates:
        if spec.path in {edit.path for edit in edits}:
            print(f"note: {spec} is left as it is: the next release sets it", file=sys.stderr)


def init_command(options: Options) -> int:
    """Adopt the project here; at the top of a repository whose packages live in subfolders
    (a uv workspace, a monorepo), adopt each of them."""
    here = Path.cwd()
    folders = _package_folders(here)
    for folder in folders:
        if len(folders) > 1:
            print(f"== {folder.relative_to(here).as_posix()}", flush=True)
        _adopt(folder, options)
    return 0


def _package_folders(here: Path) -> list[Path]:
    """[here], or, at the top of a repository that is no project itself, its packages'
    folders (never under examples/, tests/, docs/ or fixtures)."""
    pyproject = here / "pyproject.toml"
    data = config.read_pyproject(here) if pyproject.is_file() else {}
    if config.is_project(data):
        return [here]
    if package.repository_root(here) != here.resolve():
        return [here]
    found = [folder for folder in package.pyprojects(here) if folder != here]
    return found or [here]


def _adopt(root: Path, options: Options) -> int:
    if options.sync:
        _sync(root)
        if not options.write:
            print("init: next, `python -m release init` shows the adoption")
            return 0
    edits, notes = proposal(root, options.replace_workflows)
    for line in notes:
        print(f"note: {line}", file=sys.stderr)
    if not edits:
        print("release-parity is already adopted here: nothing to change")
        return 0
    for edit in edits:
        sys.stdout.write(edit.diff if edit.old else _new_file(edit))
    if not options.write:
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
