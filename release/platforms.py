"""Native wheels: which projects need one wheel per platform, and where each is built.

A project whose build compiles code (maturin, setuptools-rust, or one the table marks
with `[tool.release.ci] wheels = [...]`) cannot ship the one wheel a Linux runner builds:
each platform needs its own, built on a runner of that platform and checked there. The
names below are what `wheels` accepts; each says which GitHub runner builds and checks
the wheel and what the builder (maturin or cibuildwheel) is told to target.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Platform:
    """One wheel platform: the runner that builds and checks it, and the builder's target."""

    name: str
    runner: str
    target: str  # maturin's --target (maturin-action's `target`)
    archs: str  # cibuildwheel's CIBW_ARCHS
    manylinux: str = ""  # maturin-action's `manylinux` (Linux only: the container's policy)


PLATFORMS: Mapping[str, Platform] = {
    platform.name: platform
    for platform in (
        Platform("linux-x86_64", "ubuntu-latest", "x86_64", "x86_64", "auto"),
        Platform("linux-aarch64", "ubuntu-24.04-arm", "aarch64", "aarch64", "auto"),
        Platform("macos-arm64", "macos-latest", "aarch64-apple-darwin", "arm64"),
        Platform("macos-x86_64", "macos-15-intel", "x86_64-apple-darwin", "x86_64"),
        Platform("macos-universal2", "macos-latest", "universal2-apple-darwin", "universal2"),
        Platform("windows-amd64", "windows-latest", "x86_64-pc-windows-msvc", "AMD64"),
    )
}
#: The platforms a native project gets when its table names none.
DEFAULT_WHEELS = ("linux-x86_64", "linux-aarch64", "macos-universal2", "windows-amd64")
MATURIN = "maturin"
CIBUILDWHEEL = "cibuildwheel"


def _requires(pyproject: Mapping[str, Any]) -> list[str]:
    requires = pyproject.get("build-system", {}).get("requires", [])
    return [str(r) for r in requires] if isinstance(requires, list) else []


def native(pyproject: Mapping[str, Any]) -> bool:
    """Does the build backend compile an extension (maturin, or setuptools with setuptools-rust)?"""
    if builder(pyproject) == MATURIN:
        return True
    names = (r.split(";")[0].strip().lower().replace("_", "-") for r in _requires(pyproject))
    return any(name.startswith("setuptools-rust") for name in names)


def builder(pyproject: Mapping[str, Any]) -> str:
    """maturin builds a maturin project's wheels (maturin-action); cibuildwheel any other's."""
    backend = pyproject.get("build-system", {}).get("build-backend", "")
    return MATURIN if backend == "maturin" else CIBUILDWHEEL
