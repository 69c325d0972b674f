"""The generated release-pr.yml: on every push to a release branch, keep the release pull
request current (`nox -s release -- auto --pr --execute`), as release-please does.

Written with the other workflows' pieces (release/workflows.py: the header, the pinned
tool's setup, pinned actions, the YAML writer), so it is secured the same way.

`[tool.release.release-pr] token` picks the token its pushes and API calls use:
- "github-token" (the default): the workflow's own. GitHub starts no workflow for what it
  pushes, so the pull request's checks do not run on their own, and a tag it pushed would
  not start release.yml: merged release pull requests are tagged by hand
  (`nox -s release -- --tag-merged --execute`).
- "app": a GitHub App's installation token (actions/create-github-app-token; the App's id
  in the variable RELEASE_APP_ID, its private key in the secret RELEASE_APP_PRIVATE_KEY),
  limited to contents and pull requests.
- any other value: the secret of that name (a fine-grained token, say).
With either of the last two, checks run on the pull request and the job also tags a merged
release pull request, which starts release.yml; the job runs in the environment
`release-pr`, where those secrets can be kept to the release branches.
"""

from __future__ import annotations

from typing import Any

from release.config import Config
from release.workflows import (
    BASH,
    WORKFLOW_ENV,
    Commented,
    _setup,
    _uses,
    dump,
    tool_notes,
)

APP_STEP = "app-token"
#: The variable and the secret a GitHub App token is made from (token = "app").
APP_ID = "${{ vars.RELEASE_APP_ID }}"
APP_KEY = "${{ secrets.RELEASE_APP_PRIVATE_KEY }}"
#: The identity of the release commits this workflow makes.
IDENTITY = """\
git config user.name "github-actions[bot]"
git config user.email "41898282+github-actions[bot]@users.noreply.github.com"
"""
TAG_MERGED = "nox -s release -- --tag-merged --execute"
PROPOSE = "nox -s release -- auto --pr --execute"
#: The App token may do what this job does, no more (zizmor: github-app).
APP_INPUTS = {
    "app-id": APP_ID,
    "private-key": APP_KEY,
    "permission-contents": "write",
    "permission-pull-requests": "write",
}
#: The job's environment when it reads a secret: its secrets can live there, kept to the
#: release branches by the environment's deployment branch rule.
ENVIRONMENT = "release-pr"
CONTENTS = Commented("write", "push the release pull request's branch (and a merged one's tag)")
PULLS = Commented("write", "open and update the release pull request")


def token(config: Config) -> str:
    """The expression of the token the job pushes and calls the API with."""
    source = config.release_pr.auth
    if not config.release_pr.starts_workflows:
        return "${{ github.token }}"
    if source == "app":
        return f"${{{{ steps.{APP_STEP}.outputs.token }}}}"
    return f"${{{{ secrets.{source} }}}}"


def _steps(config: Config) -> list[dict[str, Any]]:
    """Checkout with the whole history (tags, commits since the last release), the pinned
    tool, the committer; then tag a merged release pull request (when the token can start
    release.yml), then open or update the release pull request."""
    steps: list[dict[str, Any]] = []
    if config.release_pr.auth == "app":
        app = _uses("actions/create-github-app-token", **APP_INPUTS)
        steps.append({"id": APP_STEP, **app})
    setup = _setup(config)
    setup[0]["with"] = {**setup[0]["with"], "fetch-depth": 0}
    steps.extend(setup)
    steps.append({"name": "the release commit's author", "run": IDENTITY})
    env = {"GITHUB_TOKEN": token(config)}
    if config.release_pr.starts_workflows:
        steps.append({"name": "tag a merged release pull request", "env": env, "run": TAG_MERGED})
    steps.append({"name": "open or update the release pull request", "env": env, "run": PROPOSE})
    return steps


def text(config: Config) -> str:
    """release-pr.yml: on a push to any release branch, the release pull request of its line."""
    branches = [config.branch, *config.maintenance]
    tagging = config.release_pr.starts_workflows
    job = {
        "name": "release pull request",
        "runs-on": config.ci.os[0],
        "timeout-minutes": 120 if tagging else 30,  # tagging waits for CI and release.yml
        "permissions": {"contents": CONTENTS, "pull-requests": PULLS},
        **({"environment": ENVIRONMENT} if tagging else {}),
        "steps": _steps(config),
    }
    workflow = {
        "name": "release-pr",
        "on": {"push": {"branches": branches}},
        "permissions": {},
        "concurrency": {"group": "${{ github.workflow }}-${{ github.ref }}"},
        "defaults": BASH,
        "env": WORKFLOW_ENV,
        "jobs": {"release-pr": job},
    }
    return dump(workflow, tool_notes(config))
