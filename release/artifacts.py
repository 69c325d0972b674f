"""The `build` and `wheelcheck` commands: the same steps the release runs, on their own.

They go through the graph like every command, so output and logs look the same. A
`wheelcheck` on a missing or stale dist/ builds first, and says so, rather than
checking files that no longer match the tree.
"""

from __future__ import annotations

from dataclasses import replace

from packaging.version import Version

from release import dist, git, graph, package
from release.commands import make_context, run_steps
from release.config import Config
from release.console import note
from release.errors import ReleaseError
from release.graph import Context
from release.options import Options
from release.steps import pipeline


def _run(loaded: Config, context: Context, names: list[str]) -> int:
    steps = graph.select(pipeline(loaded), names)
    return run_steps(context, steps, execute=True, journal=False)


def stale(loaded: Config, version: str | None) -> str:
    """Why dist/ cannot be checked as it is ('' when it can)."""
    try:
        manifest = dist.read_manifest(loaded.root)
    except ReleaseError as error:
        return error.message
    if version is not None and Version(manifest.version) != Version(version):
        return f"dist/ holds {manifest.version}, not {version}"
    made = (loaded.root / dist.DIST / dist.MANIFEST).stat().st_mtime
    if made < int(git.git(loaded.root, "log", "-1", "--format=%ct").strip()):
        return "dist/ is older than the last commit"
    return ""


def build(options: Options) -> int:
    loaded = package.one(options.package, "build")
    return _run(loaded, make_context(loaded, options), ["build"])


def wheelcheck(options: Options) -> int:
    """Check dist/ against a version (default: the project's; a vcs one's: the built one)."""
    loaded = package.one(options.package, "wheelcheck")
    if not options.version and loaded.version_source == "vcs":
        reason = stale(loaded, None)
        if reason:
            note(f"{reason}: building first")
            _run(loaded, make_context(loaded, options), ["build"])
        options = replace(options, version=dist.read_manifest(loaded.root).version)
    context = make_context(loaded, options)
    reason = stale(loaded, str(context.version))
    names = ["wheelcheck"]
    if reason:
        note(f"{reason}: building first")
        names = ["build", "wheelcheck"]
    return _run(loaded, context, names)
