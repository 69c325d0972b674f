"""Importing this module registers release-parity's nox sessions.

A generated noxfile is then imports only (`from release.adapters import nox_auto`),
which every isort and ruff setting accepts: a `register()` call after the imports
breaks projects whose isort wants two blank lines after them (attrs, pluggy).
"""

from __future__ import annotations

from release.adapters.nox_sessions import register

register()
