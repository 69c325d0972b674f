"""wheelcheck tells "the script needs an extra" from "the script is broken".

Real wheels (built by hatchling), real venvs (uv, and pip once): the extras require
small wheels found in a local directory (`--no-index --find-links`), never on an index.
"""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from release import config
from release.proc import Log
from release.report import Check
from release.venvcheck import install_checks

HELPER = """\
[build-system]
requires = ["hatchling>=1.26"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "1.0.0"
requires-python = ">=3.9"

[tool.hatch.build.targets.wheel]
packages = ["{module}"]
"""
PACKAGE = """\
[build-system]
requires = ["hatchling>=1.26"]
build-backend = "hatchling.build"

[project]
name = "{name}"
version = "1.0.0"
description = "Console scripts that need an extra, or are broken."
requires-python = ">=3.9"
license = "MIT"

[project.optional-dependencies]
cli = ["wc-helper"]
other = ["wc-other-dist"]

[project.scripts]
{scripts}

[tool.hatch.build.targets.wheel]
packages = ["wc_scripts"]

[tool.release]
package = "wc_scripts"
"""
CLI = '''\
"""Each entry point imports what only an extra installs, or what nothing installs."""

import sys


def needs_cli() -> None:
    import wc_helper  # noqa: F401  (the [cli] extra)


def prints_the_install() -> None:
    try:
        import wc_helper  # noqa: F401
    except ImportError:
        print("this command needs more: pip install 'wc-extras[cli]'")
        sys.exit(1)


def needs_other() -> None:
    import wc_othermod  # noqa: F401  (the [other] extra: its distribution is wc-other-dist)


def fine() -> None:
    print("usage: wc-fine")


def imports_nothing_installs() -> None:
    import wc_nowhere  # noqa: F401  (no extra provides it)


def crashes_with_its_extra() -> None:
    import wc_helper  # noqa: F401

    raise RuntimeError("no configuration file")
'''
NEEDING = """\
wc-declared = "wc_scripts.cli:needs_cli [cli]"
wc-undeclared = "wc_scripts.cli:needs_cli"
wc-printed = "wc_scripts.cli:prints_the_install"
wc-renamed = "wc_scripts.cli:needs_other"
"""
BROKEN = """\
wc-fine = "wc_scripts.cli:fine"
wc-broken = "wc_scripts.cli:imports_nothing_installs"
wc-crashing = "wc_scripts.cli:crashes_with_its_extra"
"""


def build(root: Path, *options: str) -> None:
    argv = [sys.executable, "-m", "build", *options, "--installer", "uv", "--outdir"]
    subprocess.run([*argv, str(root / "dist"), str(root)], check=True, capture_output=True)


def helper_wheel(base: Path, name: str, module: str) -> None:
    root = base / name
    (root / module).mkdir(parents=True)
    (root / module / "__init__.py").write_text("")
    (root / "pyproject.toml").write_text(HELPER.format(name=name, module=module))
    build(root, "--wheel")


@dataclass(frozen=True)
class Built:
    root: Path

    @property
    def wheel(self) -> str:
        return str(next((self.root / "dist").glob("*.whl")))

    @property
    def sources(self) -> list[str]:
        """Installer options: the helpers' wheels and this project's, and no index."""
        found = [str(d) for d in self.root.parent.glob("*/dist")]
        return ["--no-index", *(option for d in found for option in ("--find-links", d))]


@pytest.fixture(scope="session")
def packages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    """wc-extras (every script needs an extra) and wc-broken, their wheels built once."""
    base = tmp_path_factory.mktemp("extras")
    helper_wheel(base, "wc-helper", "wc_helper")
    helper_wheel(base, "wc-other-dist", "wc_othermod")
    built = {}
    for name, scripts in (("wc-extras", NEEDING), ("wc-broken", BROKEN)):
        root = base / name
        (root / "wc_scripts").mkdir(parents=True)
        (root / "wc_scripts" / "__init__.py").write_text('"""Console scripts."""\n')
        (root / "wc_scripts" / "cli.py").write_text(CLI)
        (root / "pyproject.toml").write_text(PACKAGE.format(name=name, scripts=scripts))
        build(root, "--wheel")
        built[name] = Built(root)
    return built


def scripts_check(built: Built, requirement: str, *, uv: bool = True) -> Check:
    """The console scripts row of the checks wheelcheck (or verify) runs on `requirement`."""
    loaded = config.load(built.root)
    results = install_checks(
        loaded, "1.0.0", [requirement], pip_args=built.sources, log=Log(None), uv=uv
    )
    return next(check for check in results if check.name == "console scripts")


def test_a_script_that_needs_an_extra_passes_with_a_note(packages: dict[str, Built]) -> None:
    """The entry point's own extra, the one the script names, the one that adds the
    missing module's distribution, and one found only by trying each extra."""
    built = packages["wc-extras"]

    check = scripts_check(built, built.wheel)

    assert check.ok, check.detail
    assert check.detail.split("; ") == [
        "script `wc-declared` needs extra [cli]: passes with it",
        "script `wc-printed` needs extra [cli]: passes with it",
        "script `wc-renamed` needs extra [other]: passes with it",
        "script `wc-undeclared` needs extra [cli]: passes with it",
    ]


def test_a_broken_script_fails_with_its_reason(packages: dict[str, Built]) -> None:
    built = packages["wc-broken"]

    check = scripts_check(built, built.wheel)

    assert not check.ok
    assert check.detail.split("; ") == [
        "script `wc-broken` is broken: wc-broken --help exited 1:"
        " ModuleNotFoundError: No module named 'wc_nowhere'",
        "script `wc-crashing` is broken, even with [cli]: wc-crashing --help exited 1:"
        " RuntimeError: no configuration file",
    ]


def test_pip_takes_the_extra_too(packages: dict[str, Built]) -> None:
    built = packages["wc-extras"]
    check = scripts_check(built, built.wheel, uv=False)
    assert check.ok, check.detail
    assert "script `wc-declared` needs extra [cli]: passes with it" in check.detail


def test_an_index_requirement_takes_the_extra(packages: dict[str, Built]) -> None:
    """As verify installs: `name==version` from an index becomes `name[cli]==version`."""
    check = scripts_check(packages["wc-extras"], "wc-extras==1.0.0")
    assert check.ok, check.detail
    assert "script `wc-undeclared` needs extra [cli]: passes with it" in check.detail
