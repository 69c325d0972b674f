"""release-parity releases itself with itself: the two adoption lines, plus its demo."""

from __future__ import annotations

import nox

from release.adapters.nox_sessions import register

register()
nox.options.default_venv_backend = "uv|virtualenv"


@nox.session(python=False)
def demo(session: nox.Session) -> None:
    """A full release of a sample project to a local pypiserver, then verify (release/demo.py)."""
    from release import demo as sample

    code = sample.main()
    if code:
        session.error(f"the demo failed (exit {code})")
