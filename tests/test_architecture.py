"""The shape of release/: imports go one way, steps are peers, ruff format lays out the code."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "release"


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = path
    return found


def _type_checking_only(tree: ast.Module) -> set[int]:
    """The nodes under `if TYPE_CHECKING:`: never imported when the code runs."""
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            hidden.update(id(child) for child in ast.walk(node))
    return hidden


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of release/ that `name` imports when it runs, at the top or inside a
    function alike (a deferred import hides a cycle; it does not remove it)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden = _type_checking_only(tree)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in known else base)
    return {module for module in found if module in known and module != name}


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports(name, path, set(found)) for name, path in found.items()}


def cycle(edges: dict[str, set[str]]) -> list[str]:
    """One import cycle, as a path that ends where it starts ([] when there is none)."""
    state: dict[str, str] = {}
    path: list[str] = []

    def visit(module: str) -> list[str]:
        state[module] = "open"
        path.append(module)
        for target in sorted(edges[module]):
            if state.get(target) == "open":
                return [*path[path.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[module] = "done"
        return []

    for module in sorted(edges):
        if module not in state:
            found = visit(module)
            if found:
                return found
    return []


def test_every_module_imports_in_a_fresh_interpreter() -> None:
    names = sorted(modules())
    script = "import importlib, sys\nfor name in sys.argv[1:]:\n    importlib.import_module(name)"
    result = subprocess.run(
        [sys.executable, "-c", script, *names], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_import_graph_has_no_cycle() -> None:
    assert cycle(graph()) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": set()}
    assert cycle(edges) == ["a", "b", "c", "a"]


def test_steps_are_peers_that_never_import_each_other() -> None:
    steps = {name for name in modules() if name.startswith("release.steps.")}
    for name in sorted(steps):
        others = imports(name, modules()[name], set(modules())) & (steps | {"release.steps"})
        assert not others, f"{name} imports {sorted(others)}: share through a plain module"


def test_plain_modules_never_import_steps_commands_or_front_ends() -> None:
    """The layers: steps and commands sit on plain modules, never the other way round."""
    upper = {"release.steps", "release.commands", "release.cli", "release.modes"}
    upper |= {name for name in modules() if name.startswith(("release.steps.", "release.adapters"))}
    allowed = {  # the command layer: it runs steps
        "release.commands",
        "release.modes",
        "release.artifacts",
        "release.shipping",
        "release.demo",
        "release.adapters.nox_sessions",
        "release.adapters.invoke_tasks",
        "release.cli",
    }
    for name, path in modules().items():
        if name in upper or name in allowed:
            continue
        reached = imports(name, path, set(modules())) & (upper - {"release.cli"})
        assert not reached, f"{name} imports {sorted(reached)}"


def test_every_edge_of_the_graph_is_declared_in_the_pipeline() -> None:
    for path in sorted((PACKAGE / "steps").glob("*.py")):
        if path.name != "__init__.py":
            assert "requires=" not in path.read_text(encoding="utf-8"), path.name


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: p.name)
def test_ruff_format_lays_out_the_code(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "fmt: skip" not in text
    assert "fmt: off" not in text
