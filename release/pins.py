"""Every action the generated workflows use, pinned to a full commit SHA: one table.

A tag can be moved to other code; a commit SHA cannot. The comment after each `uses:`
line carries the release the SHA belongs to, so a reader (and Dependabot) sees it.
`python -m release.pins` asks GitHub's API for each action's latest release, resolves
its tag to a commit and rewrites the table below in place (GITHUB_TOKEN raises the
rate limit); then regenerate the workflows with `nox -s parity -- --write`.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from release import github
from release.errors import ReleaseError

# BEGIN PINS: rewritten by `python -m release.pins`
PINS: dict[str, tuple[str, str]] = {
    "actions/checkout": ("11bd71901bbe5b1630ceea73d27597364c9af683", "v4.2.2"),
    "actions/setup-python": ("a26af69be951a213d495a4c3e4e4022e16d87065", "v5.6.0"),
    "actions/upload-artifact": ("ea165f8d65b6e75b540449e92b4886f43607fa02", "v4.6.2"),
    "actions/download-artifact": ("95815c38cf2ff2164869cbab79da8d1f422bc89e", "v4.2.1"),
    "pypa/gh-action-pypi-publish": ("76f52bc884231f62b9a034ebfe128415bbaabdfc", "v1.12.4"),
}
# END PINS

_BLOCK = re.compile(r"(# BEGIN PINS[^\n]*\n).*?(# END PINS)", re.DOTALL)


def uses(action: str) -> tuple[str, str]:
    """`owner/repo@sha` and the release it is, for a `uses:` line and its comment."""
    sha, version = PINS[action]
    return f"{action}@{sha}", version


def latest(action: str, api: str = "") -> tuple[str, str]:
    """(commit sha, tag) of the action's latest release, through the one GitHub client."""
    client = github.Client(action, api=api, auth=github.token())
    tag = str(client.get("releases/latest")["tag_name"])
    sha = str(client.get(f"commits/{tag}")["sha"])
    if not re.fullmatch(r"[0-9a-f]{40}", sha):
        raise ReleaseError(f"GitHub API: {action}@{tag} resolved to '{sha}', not a commit SHA")
    return sha, tag


def render(pins: dict[str, tuple[str, str]]) -> str:
    rows = "".join(f'    "{action}": ("{sha}", "{tag}"),\n' for action, (sha, tag) in pins.items())
    return "PINS: dict[str, tuple[str, str]] = {\n" + rows + "}\n"


def refresh(path: Path, api: str = "") -> list[str]:
    """Rewrite the table in `path` with each action's latest release; the changes, one a line."""
    fresh = {action: latest(action, api) for action in PINS}
    text = path.read_text(encoding="utf-8")
    new = _BLOCK.sub(lambda match: match[1] + render(fresh) + match[2], text, count=1)
    if new != text:
        path.write_text(new, encoding="utf-8")
    return [
        f"{action}: {PINS[action][1]} -> {tag} ({sha[:12]})"
        for action, (sha, tag) in fresh.items()
        if (sha, tag) != PINS[action]
    ]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m release.pins", description=__doc__)
    parser.add_argument(
        "--api", default="", help=f"default: ${github.API_ENV} or {github.DEFAULT_API}"
    )
    parser.add_argument("--file", type=Path, default=Path(__file__), help="the table to rewrite")
    args = parser.parse_args(argv)
    try:
        changes = refresh(args.file, args.api)
    except ReleaseError as error:
        print(error.render(), file=sys.stderr)
        return error.exit_code
    print("\n".join(changes) if changes else "every pin is the latest release")
    if changes:
        print("next: nox -s parity -- --write, then review and commit the workflows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
