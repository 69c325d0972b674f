"""The one small GitHub Actions client: the runs for a commit, their jobs, and waiting on them.

Only what a release needs: "has CI passed on this exact commit?" and "has the tag's
release workflow finished?". It polls with a growing pause, honours the rate-limit
headers (waiting for the reset rather than failing), and on failure names the run's
URL and its failed jobs. The base URL comes from RELEASE_GITHUB_API (GitHub Enterprise,
or a loopback server in tests); the token from GITHUB_TOKEN or GH_TOKEN.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from release import git, http, remote
from release.config import Config
from release.errors import ReleaseError

API_ENV = "RELEASE_GITHUB_API"
POLL_ENV = "RELEASE_CI_POLL_SECONDS"  # the first pause between polls (default 10 s)
DEFAULT_API = "https://api.github.com"
WAITING = ("queued", "in_progress", "waiting", "requested", "pending")
PASSED = ("success", "skipped", "neutral")
ACCESS_HINT = "set GITHUB_TOKEN (or GH_TOKEN) to a token that can read Actions, or --no-wait-ci"
_SLUG = re.compile(
    r"^(?:(?:https?|ssh|git)://(?:[^@/]+@)?[^/]+/|[\w.-]+@[\w.-]+:)"
    r"(?P<slug>[\w.-]+/[\w.-]+?)(?:\.git)?/?$"
)


def slug_from_url(url: str) -> str:
    """`owner/name` from a GitHub remote URL (https, ssh or scp-like); '' for anything else."""
    match = _SLUG.match(url.strip())
    return match.group("slug") if match else ""


def token() -> str:
    return os.environ.get("GITHUB_TOKEN") or os.environ.get("GH_TOKEN") or ""


@dataclass(frozen=True)
class Run:
    id: int
    name: str
    branch: str
    status: str
    conclusion: str
    url: str

    @property
    def done(self) -> bool:
        return self.status not in WAITING

    @property
    def passed(self) -> bool:
        return self.done and self.conclusion in PASSED


@dataclass(frozen=True)
class Job:
    name: str
    status: str
    conclusion: str
    url: str

    @property
    def state(self) -> str:
        return self.conclusion or self.status


class Client:
    """GET requests to the Actions API for one repository, within a deadline."""

    def __init__(
        self,
        slug: str,
        *,
        api: str = "",
        auth: str = "",
        deadline: float = float("inf"),
        say: Callable[[str], None] = lambda text: None,
    ) -> None:
        self.slug = slug
        self.api = (api or os.environ.get(API_ENV) or DEFAULT_API).rstrip("/")
        self.auth = auth
        self.deadline = deadline  # time.monotonic() after which no wait is allowed
        self.say = say
        self._resume_at = 0.0  # wall clock: the rate limit is spent until then

    def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        url = f"{self.api}/repos/{self.slug}/{path}"
        return self.call("GET", url + ("?" + urlencode(params) if params else ""), path)

    def call(
        self, method: str, url: str, path: str, body: bytes | None = None, kind: str = ""
    ) -> Any:
        """One API call (GETs retried), waiting out a rate limit; the JSON answer."""
        headers = {
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
            "User-Agent": "release-parity",
        }
        if body is not None:
            headers["Content-Type"] = kind or "application/json"
        if self.auth:
            headers["Authorization"] = f"Bearer {self.auth}"
        attempts = http.ATTEMPTS if method == "GET" else 1
        while True:
            self._wait_for_reset()
            response = http.request(
                method, url, headers, body, what=f"GitHub API {path}", attempts=attempts
            )
            limited = self._note_limits(response)
            if response.status in (200, 201):
                return json.loads(response.body)
            if not limited:
                raise self._error(response, path)

    def _note_limits(self, response: http.Response) -> bool:
        """Remember when the rate limit resets; True when this answer was a rate limit."""
        headers = response.headers
        if headers.get("retry-after", "").isdigit():
            self._resume_at = time.time() + int(headers["retry-after"])
        elif headers.get("x-ratelimit-remaining") == "0" and headers.get("x-ratelimit-reset"):
            self._resume_at = float(headers["x-ratelimit-reset"]) + 1
        else:
            return False
        return response.status in (403, 429)

    def _wait_for_reset(self) -> None:
        wait = self._resume_at - time.time()
        if wait <= 0:
            return
        if time.monotonic() + wait > self.deadline:
            at = time.strftime("%H:%M:%S", time.localtime(self._resume_at))
            raise ReleaseError(
                f"GitHub API rate limit reached for {self.slug}: it resets at {at},"
                " after the CI wait's deadline",
                ACCESS_HINT if not self.auth else "wait for the reset, then run the same command",
            )
        self.say(f"GitHub API rate limit reached: waiting {wait:.0f} s for its reset")
        time.sleep(wait)

    def _error(self, response: http.Response, path: str) -> ReleaseError:
        try:
            message = str(json.loads(response.body).get("message", ""))
        except (ValueError, AttributeError):
            message = response.text()[:200]
        if response.status == 404:
            return ReleaseError(
                f"GitHub: repository {self.slug} not found, or no access to its Actions (404)",
                "check the git remote (or GITHUB_REPOSITORY); " + ACCESS_HINT,
            )
        if response.status == 401:
            return ReleaseError("GitHub rejected the token (401)", ACCESS_HINT)
        return ReleaseError(
            f"GitHub API {path}: HTTP {response.status} {message}".rstrip(), ACCESS_HINT
        )

    def runs(self, sha: str, ref: str, workflow: str = "") -> list[Run]:
        """The workflow runs for commit `sha` pushed as branch or tag `ref` (only those of
        the file `workflow`, e.g. `.github/workflows/release.yml`, when given)."""
        data = self.get("actions/runs", {"head_sha": sha, "per_page": "100"})
        return [
            Run(
                int(item["id"]),
                str(item.get("name") or item["id"]),
                str(item.get("head_branch")),
                str(item["status"]),
                str(item.get("conclusion") or ""),
                str(item["html_url"]),
            )
            for item in data["workflow_runs"]
            if item.get("head_sha") == sha
            and item.get("head_branch") == ref
            and (not workflow or str(item.get("path", "")).partition("@")[0] == workflow)
        ]

    def jobs(self, run: Run) -> list[Job]:
        data = self.get(f"actions/runs/{run.id}/jobs", {"per_page": "100"})
        return [
            Job(
                str(item["name"]),
                str(item["status"]),
                str(item.get("conclusion") or ""),
                str(item.get("html_url") or run.url),
            )
            for item in data["jobs"]
        ]


def wait_for_runs(
    client: Client,
    sha: str,
    ref: str,
    *,
    poll: float,
    what: str = "CI",
    fix: str = "fix it, commit, and release again: the tag was not pushed",
    workflow: str = "",
) -> str:
    """Poll until every run for `sha` on `ref` (of `workflow` only, when given) has
    finished; raise naming any failure.

    Queued and in-progress runs are waiting; no run at all is waiting too (GitHub may
    not have started one yet), until the client's deadline.
    """
    started = time.monotonic()
    delay = poll
    while True:
        runs = client.runs(sha, ref, workflow)
        elapsed = time.monotonic() - started
        if runs and all(run.done for run in runs):
            failed = [run for run in runs if not run.passed]
            if failed:
                raise _failure(client, failed, sha, what, fix)
            return f"{what} passed on {sha[:12]}: " + ", ".join(run.name for run in runs)
        states = _states(client, runs)
        client.say(f"{what} on {sha[:12]} ({ref}), {elapsed:.0f} s: {states}")
        if time.monotonic() + delay > client.deadline:
            seen = f"still running: {states}" if runs else "no run appeared"
            raise ReleaseError(
                f"{what} on {sha[:12]} ({ref}) did not finish in time: {seen}",
                f"check the workflow's triggers for '{ref}' and its progress on GitHub;"
                " then run the same command again (or use --no-wait-ci, --ci-timeout)",
            )
        time.sleep(delay)
        delay = min(delay * 1.5, 60.0)


def _states(client: Client, runs: list[Run]) -> str:
    if not runs:
        return "no run yet"
    parts = []
    for run in runs:
        jobs = "" if run.done else ", ".join(f"{j.name} {j.state}" for j in client.jobs(run))
        parts.append(f"{run.name} {run.conclusion or run.status}" + (f" [{jobs}]" if jobs else ""))
    return "; ".join(parts)


def _failure(client: Client, failed: list[Run], sha: str, what: str, fix: str) -> ReleaseError:
    lines = []
    for run in failed:
        lines.append(f"  {run.name}: {run.conclusion}  {run.url}")
        for job in client.jobs(run):
            if job.conclusion not in PASSED:
                lines.append(f"    job {job.name}: {job.state}  {job.url}")
    return ReleaseError(
        f"{what} failed on {sha[:12]}: " + ", ".join(f"{r.name} ({r.conclusion})" for r in failed),
        f"see {failed[0].url}; {fix}",
        detail="\n".join(lines),
    )


def poll() -> float:
    """The first pause between polls: 10 s, or RELEASE_CI_POLL_SECONDS (tests)."""
    return float(os.environ.get(POLL_ENV, "10"))


def client(config: Config, timeout: float, say: Callable[[str], None]) -> Client:
    """A client for the repository behind the release remote, with this run's deadline."""
    provider = config.ci.provider
    if provider != "github":
        raise ReleaseError(
            f"cannot wait for CI provider '{provider}'",
            "only 'github' is supported; use --no-wait-ci",
        )
    name = remote.name(config.root, config.branch)
    url = git.git(config.root, "remote", "get-url", name).strip()
    slug = os.environ.get("GITHUB_REPOSITORY") or slug_from_url(url)
    if not slug:
        raise ReleaseError(
            f"cannot tell the GitHub repository from remote '{name}' ({url})",
            "set GITHUB_REPOSITORY=owner/name, or use --no-wait-ci",
        )
    return Client(slug, auth=token(), deadline=time.monotonic() + timeout, say=say)
