"""The demo's index server without the dev extra: installed once with uv into the user's
cache, or one `error:` line with its fix, never a traceback.

Each test runs Python in a subprocess where pypiserver and passlib cannot be imported
(as without the dev extra) and the user's cache is a temporary directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: Python without the dev extra's server packages (and, with "uv", without uv either).
WITHOUT = "import sys; sys.modules.update(dict.fromkeys({names}))\nfrom release import demo\n"
FIX = "hint: pip install -e '.[dev]', or let uv reach PyPI once, then run nox -s demo again"


def python_without(
    names: tuple[str, ...], code: str, cache: Path, **env: str
) -> subprocess.CompletedProcess[str]:
    source = WITHOUT.format(names=names) + code
    full_env = {**os.environ, "XDG_CACHE_HOME": str(cache), **env}
    argv = [sys.executable, "-c", source]
    return subprocess.run(argv, capture_output=True, text=True, env=full_env, check=False)


def test_without_the_packages_and_offline_the_demo_says_so_in_one_line(tmp_path: Path) -> None:
    result = python_without(
        ("passlib", "pypiserver"),
        "raise SystemExit(demo.main())",
        tmp_path / "cache",
        UV_OFFLINE="1",
        UV_CACHE_DIR=str(tmp_path / "empty-uv-cache"),
    )

    assert result.returncode == 1
    error, hint = result.stderr.splitlines()
    assert error.startswith("error: could not install the demo's index server: ")
    assert "pypiserver" in error
    assert hint == FIX
    assert "installing the demo's index server (pypiserver>=2.3, passlib>=1.7)" in result.stdout
    assert not (tmp_path / "cache" / "release-parity" / "demo-index-server").exists()


def test_without_uv_either_the_demo_names_the_fix(tmp_path: Path) -> None:
    result = python_without(
        ("passlib", "pypiserver", "uv"), "raise SystemExit(demo.main())", tmp_path / "cache"
    )

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "error: the demo's index server needs pypiserver and passlib, and uv is missing too",
        FIX,
    ]


SERVE = """\
import urllib.request
from pathlib import Path
with demo.pypiserver(Path(sys.argv[1]), {"demo": "a-password"}) as url:
    with urllib.request.urlopen(url + "simple/", timeout=10) as page:
        print(page.status, demo.server_python())
"""


def test_the_server_is_installed_once_into_the_cache_and_serves(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    code = SERVE.replace("sys.argv[1]", repr(str(tmp_path / "index")))

    first = python_without(("passlib", "pypiserver"), code, cache)
    again = python_without(("passlib", "pypiserver"), code, cache)

    assert first.returncode == 0, first.stderr
    venv = cache / "release-parity" / "demo-index-server"
    assert first.stdout.splitlines() == [
        "",
        "==> installing the demo's index server (pypiserver>=2.3, passlib>=1.7) into " + str(venv),
        f"200 {venv / 'bin' / 'python'}",
    ]
    assert again.returncode == 0, again.stderr
    assert again.stdout.splitlines() == [f"200 {venv / 'bin' / 'python'}"]
    assert "a-password" not in (tmp_path / "index" / "htpasswd").read_text()
