"""venvcheck: real installs into fresh venvs, with uv and with stdlib venv + pip."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import GIT_IDENTITY, make_repo, release_cli

from release import config
from release.errors import ReleaseError
from release.proc import Log
from release.report import Check
from release.venvcheck import install_checks

Built = Callable[[str], Path]
NAMES = ["install", "import", "__version__", "__all__", "console scripts", "smoke"]


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """A fixture project built once per session (`python -m release build`)."""
    done: dict[str, Path] = {}

    def build(name: str) -> Path:
        if name not in done:
            with pytest.MonkeyPatch.context() as patch:
                for key, value in GIT_IDENTITY.items():
                    patch.setenv(key, value)
                root = make_repo(f"wheelcheck/{name}", tmp_path_factory.mktemp("venv") / name)
                assert release_cli(root, "build").returncode == 0
            done[name] = root
        return done[name]

    return build


def _summary(results: list[Check]) -> list[tuple[str, str]]:
    return [(r.name, "ok" if r.ok else "warn" if r.warning else "FAILED") for r in results]


def test_pip_without_uv_gives_the_same_checks(built: Built, tmp_path: Path) -> None:
    root = built("good-hatchling")
    wheel = next((root / "dist").glob("*.whl"))
    log = Log(tmp_path / "venv.log")
    results = install_checks(config.load(root), "1.0.0", [str(wheel)], log=log, label="pip",
                             uv=False)  # fmt: skip
    log.close()
    assert _summary(results) == [(f"pip: {name}", "ok") for name in NAMES]
    text = (tmp_path / "venv.log").read_text()
    assert " -m venv " in text
    assert "/bin/python -m pip install --no-input " in text
    assert " uv " not in text


def test_a_name_and_version_install_from_an_index_with_pip_args(built: Built) -> None:
    root = built("good-hatchling")
    index = ["--no-index", "--find-links", str(root / "dist")]
    results = install_checks(config.load(root), "1.0.0", ["wc-hatch==1.0.0"], pip_args=index,
                             log=Log(None))  # fmt: skip
    assert _summary(results) == [(name, "ok") for name in NAMES]
    assert results[0].detail == "wc-hatch==1.0.0"
    assert results[2].detail == "1.0.0"
    missing = install_checks(config.load(root), "2.0.0", ["wc-hatch==2.0.0"], pip_args=index,
                             log=Log(None), label="index")  # fmt: skip
    assert _summary(missing) == [("index: install", "FAILED"),
                                 *((f"index: {name}", "warn") for name in NAMES[1:])]  # fmt: skip
    assert missing[0].detail.startswith("install wc-hatch==2.0.0 failed (exit 1): ")
    assert "wc-hatch==2.0.0" in missing[0].detail.partition(": ")[2]
    assert missing[1].detail == "not run: the install failed"


def test_the_source_tree_never_stands_in_for_the_install(
    built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even with PYTHONPATH on the checkout, the wheel that lacks a subpackage fails."""
    root = built("missing-subpackage")
    monkeypatch.setenv("PYTHONPATH", str(root))
    monkeypatch.chdir(root)
    wheel = next((root / "dist").glob("*.whl"))
    results = install_checks(config.load(root), "1.0.0", [str(wheel)], log=Log(None))
    assert _summary(results)[:2] == [("install", "ok"), ("import", "FAILED")]
    assert results[1].detail == (
        "import wc_subpkg: ModuleNotFoundError: No module named 'wc_subpkg.engine'"
    )


def test_a_temporary_directory_inside_the_tree_is_refused(
    built: Built, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = built("good-hatchling")
    inside = root / "tmp"
    inside.mkdir(exist_ok=True)
    monkeypatch.setattr(tempfile, "tempdir", str(inside))
    with pytest.raises(ReleaseError, match="is inside the source tree") as raised:
        install_checks(config.load(root), "1.0.0", ["wc-hatch"], log=Log(None))
    assert raised.value.hint == "set TMPDIR to a directory outside the project"
    assert list(inside.iterdir()) == []
