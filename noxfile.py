"""release-parity releases itself with itself: the two adoption lines, plus its demo."""

from __future__ import annotations

import nox

from release.adapters.nox_sessions import register

register()
nox.options.default_venv_backend = "uv|virtualenv"
