"""A platform's wheels, made ready for wheelcheck on that platform's runner.

A native project's release workflow builds each platform's wheels with maturin or
cibuildwheel into a wheelhouse; `python -m release.gather WHEELHOUSE` puts the one
wheel the running Python installs beside the sdist in dist/ and writes the manifest,
as the build step leaves dist/, so `nox -s wheelcheck` checks that wheel there. The
workflow uploads every wheel of the wheelhouse.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

from packaging.tags import sys_tags
from packaging.utils import parse_wheel_filename

from release.dist import DIST, Manifest, write_manifest
from release.errors import ReleaseError


def host_wheel(wheels: Sequence[Path]) -> Path:
    """The wheel this interpreter would install: the one whose tag it prefers most."""
    preference = {tag: rank for rank, tag in enumerate(sys_tags())}
    ranked = [
        (min(preference[tag] for tag in tags), wheel)
        for wheel in wheels
        if (tags := parse_wheel_filename(wheel.name)[3] & preference.keys())
    ]
    if not ranked:
        names = ", ".join(wheel.name for wheel in wheels) or "no wheel"
        raise ReleaseError(
            f"none of {names} installs on Python {sys.version.split()[0]} here",
            "build the wheels for this platform and this Python (the builder's target and"
            " interpreters)",
        )
    return min(ranked)[1]


def gather(dist: Path, wheelhouse: Path) -> Manifest:
    """dist/ as the build leaves it, from a builder's wheels: the sdist already there, the
    host's wheel copied in (any other wheel removed), the manifest written."""
    for stale in dist.glob("*.whl"):
        stale.unlink()
    wheel = host_wheel(sorted(wheelhouse.glob("*.whl")))
    shutil.copy2(wheel, dist / wheel.name)
    return write_manifest(dist)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m release.gather",
        description="put the wheel this Python installs from the wheelhouse into dist/, beside"
        " the sdist, and write dist/manifest.json for wheelcheck",
    )
    parser.add_argument("wheelhouse", type=Path, help="the folder the builder wrote")
    parser.add_argument("--dist", type=Path, default=Path(DIST), help=f"default: {DIST}/")
    args = parser.parse_args(argv)
    try:
        manifest = gather(args.dist, args.wheelhouse)
    except ReleaseError as error:
        print(error.render(), file=sys.stderr)
        return error.exit_code
    print(", ".join(artifact.filename for artifact in manifest.files))
    return 0


if __name__ == "__main__":
    sys.exit(main())
