"""build: the sdist, then the wheel from the sdist, into an emptied dist/ with a manifest.

Building the wheel from the sdist (what `python -m build` does by default) means a
file the sdist forgot breaks the build here, not on a user's machine. dist/ is emptied
first so no stale file can be uploaded, and dist/manifest.json records name, size and
sha256 of each artifact for wheelcheck, publish and verify.
"""

from __future__ import annotations

import os
import shutil
import sys

from release import git, proc, venvcheck
from release.dist import DIST, MANIFEST, write_manifest
from release.graph import Action, Context, Step
from release.proc import Log


def _tagged(context: Context) -> bool:
    return git.tag_commit(context.root, context.tag) == git.head(context.root)


def build_env(context: Context) -> dict[str, str]:
    """SOURCE_DATE_EPOCH from HEAD (same commit, same bytes where the backend allows).

    A vcs-version project (setuptools-scm, hatch-vcs, pdm-backend's scm) building a new
    release is told its version, since the tag that would carry it is made after the checks.
    """
    env = {}
    if "SOURCE_DATE_EPOCH" not in os.environ:
        env["SOURCE_DATE_EPOCH"] = git.git(context.root, "log", "-1", "--format=%ct").strip()
    asked = context.version != context.current
    if context.config.version_source == "vcs" and asked and not _tagged(context):
        # A check before tagging (`nox -s wheelcheck -- X`); a release tags first, because
        # setuptools-scm 9 sdists record the git state and rebuild from it, not PKG-INFO.
        env["SETUPTOOLS_SCM_PRETEND_VERSION"] = str(context.version)  # hatch-vcs too
        env["PDM_BUILD_SCM_VERSION"] = str(context.version)
    return env


def build(context: Context, log: Log) -> str:
    dist = context.root / DIST
    shutil.rmtree(dist, ignore_errors=True)
    argv = [sys.executable, "-m", "build", "--outdir", str(dist)]
    if venvcheck.has_uv():
        argv += ["--installer", "uv"]
    proc.run(
        [*argv, str(context.root)],
        cwd=context.root,
        env=build_env(context),
        log=log,
        what="python -m build",
    )
    manifest = write_manifest(dist)
    return ", ".join(artifact.filename for artifact in manifest.files)


def plan(context: Context) -> list[Action]:
    return [
        Action(
            f"empty {DIST}/, build the sdist and the wheel from it, write {DIST}/{MANIFEST}", build
        )
    ]


STEP = Step(
    "build",
    "build the sdist and, from it, the wheel into an emptied dist/",
    plan,
)
