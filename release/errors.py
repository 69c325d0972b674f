"""One exception family, caught once at the edge (as twine does): `error:` + `hint:` lines."""

from __future__ import annotations


class ReleaseError(Exception):
    """A problem the user can act on. Exit code 1: a step failed."""

    exit_code = 1

    def __init__(self, message: str, hint: str = "", detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.detail = detail

    def render(self) -> str:
        """The error line, the hint line, then any detail (a table, a log tail)."""
        lines = [f"error: {self.message}"]
        if self.hint:
            lines.append(f"hint: {self.hint}")
        if self.detail:
            lines.append(self.detail)
        return "\n".join(lines)


class UsageError(ReleaseError):
    """Bad input: a version, an option, a configuration key. Exit code 2."""

    exit_code = 2


class ConfigError(UsageError):
    """`[tool.release]` (or a file it names) is wrong."""
