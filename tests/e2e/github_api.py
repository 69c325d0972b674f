"""A loopback server answering like GitHub's Actions REST API, with the documented JSON shapes.

github.com cannot be reached from here, so the client is tested against this: the list
of workflow runs for a commit (`GET /repos/{owner}/{repo}/actions/runs?head_sha=`), the
jobs of a run (`.../actions/runs/{id}/jobs`), 404 for an unknown repository, and the
403 rate-limit answer with its `X-RateLimit-*` headers. A run moves through its states
one poll at a time (queued, in_progress, completed), the last state repeating.

Releases as GitHub keeps them, immutable releases on: list (drafts included, for the
token's owner), create, upload an asset (to the `upload_url` it gave; 422 for a name
already there, and for any upload once the release is published), publish (PATCH).

Pull requests as GitHub keeps them: list (`?head=owner:branch&state=open`), create (422
while an open one has the same head, as GitHub answers), get one, update (PATCH: title,
body, state); `merge` marks one merged as the merge button does (`state` closed,
`merged`, `merged_at`, `merge_commit_sha`).
"""

from __future__ import annotations

import hashlib
import itertools
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

NOT_FOUND = {
    "message": "Not Found",
    "documentation_url": "https://docs.github.com/rest/actions/workflow-runs",
}
RATE_LIMITED = {
    "message": "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated"
    " requests get a higher rate limit. Check out the documentation for more details.)",
    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
}
_ids = itertools.count(30433642)
ANY = "*"


@dataclass(frozen=True)
class State:
    """One poll's view of a run: its status, conclusion, and each job's (status, conclusion)."""

    status: str
    conclusion: str | None = None
    jobs: tuple[tuple[str, str, str | None], ...] = ()


def completed(conclusion: str, **jobs: str) -> State:
    return State("completed", conclusion,
                 tuple((name, "completed", value) for name, value in jobs.items()))  # fmt: skip


def waiting(status: str, **jobs: str) -> State:
    return State(status, None, tuple((name, value, None) for name, value in jobs.items()))


@dataclass
class Run:
    slug: str
    sha: str  # ANY: the run of whichever commit is asked about (its sha is not known yet)
    ref: str
    name: str
    states: list[State]
    hold: threading.Event | None = None  # while not set, the run stays in its first state
    id: int = field(default_factory=lambda: next(_ids))
    polls: int = 0
    asked: str = ""  # the commit last asked about

    @property
    def state(self) -> State:
        return self.states[min(max(self.polls, 1), len(self.states)) - 1]

    def html_url(self) -> str:
        return f"https://github.com/{self.slug}/actions/runs/{self.id}"

    def as_json(self) -> dict[str, Any]:
        state = self.state
        return {
            "id": self.id, "name": self.name, "node_id": f"WFR_{self.id}",
            "head_branch": self.ref, "head_sha": self.asked, "event": "push",
            "path": f".github/workflows/{self.name.lower()}.yml", "run_number": self.id % 1000,
            "status": state.status, "conclusion": state.conclusion, "workflow_id": 159038,
            "url": f"https://api.github.com/repos/{self.slug}/actions/runs/{self.id}",
            "html_url": self.html_url(), "created_at": "2026-11-18T10:00:00Z",
            "updated_at": "2026-11-18T10:01:00Z",
        }  # fmt: skip

    def jobs_json(self) -> list[dict[str, Any]]:
        return [
            {"id": self.id * 10 + number, "run_id": self.id, "name": name, "status": status,
             "conclusion": conclusion, "html_url": f"{self.html_url()}/job/{self.id * 10 + number}",
             "started_at": "2026-11-18T10:00:05Z", "completed_at": None}
            for number, (name, status, conclusion) in enumerate(self.state.jobs)
        ]  # fmt: skip


class FakeGitHub:
    """The server: add repositories and runs, optionally spend the rate limit; read requests."""

    def __init__(self) -> None:
        self.repositories: set[str] = set()
        self.runs: list[Run] = []
        self.requests: list[tuple[str, dict[str, str]]] = []  # path, lower-cased headers
        self.calls: list[tuple[str, str]] = []  # method, path: every request, in order
        self.releases: dict[str, list[dict[str, Any]]] = {}  # slug -> its releases
        self.pulls: dict[str, list[dict[str, Any]]] = {}  # slug -> its pull requests
        self.limited = 0  # how many next requests get the rate-limit answer
        self.reset_in = 0.0
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def add_run(self, slug: str, sha: str, ref: str, name: str, *states: State,
                hold: threading.Event | None = None) -> Run:  # fmt: skip
        run = Run(slug, sha, ref, name, list(states), hold)
        with self._lock:
            self.repositories.add(slug)
            self.runs.append(run)
        return run

    def rate_limit(self, requests: int, reset_in: float) -> None:
        """The next `requests` requests are refused with 403 until `reset_in` seconds from now."""
        with self._lock:
            self.limited, self.reset_in = requests, time.time() + reset_in

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def add_repository(self, slug: str) -> None:
        with self._lock:
            self.repositories.add(slug)

    def _releases(
        self, method: str, slug: str, rest: list[str], query: dict[str, list[str]], body: bytes
    ) -> tuple[int, Any]:
        releases = self.releases.setdefault(slug, [])
        if rest == [] and method == "GET":
            return 200, releases
        if rest == [] and method == "POST":
            data = json.loads(body)
            number = next(_ids)
            upload = f"{self.url}/uploads/repos/{slug}/releases/{number}/assets"
            release = {
                "id": number,
                "tag_name": data["tag_name"],
                "name": data.get("name"),
                "body": data.get("body"),
                "draft": bool(data.get("draft")),
                "prerelease": bool(data.get("prerelease")),
                "immutable": False,
                "upload_url": upload + "{?name,label}",
                "assets": [],
            }
            releases.append(release)
            return 201, release
        found = [r for r in releases if rest and str(r["id"]) == rest[0]]
        if not found:
            return 404, NOT_FOUND
        release = found[0]
        if rest[1:] == ["assets"] and method == "POST":
            name = query.get("name", [""])[0]
            if not release["draft"]:
                return 422, {"message": "Cannot upload assets to an immutable release."}
            if any(a["name"] == name for a in release["assets"]):
                return 422, {"message": "Validation Failed", "errors": [{"code": "already_exists"}]}
            digest = "sha256:" + hashlib.sha256(body).hexdigest()
            asset = {"id": next(_ids), "name": name, "size": len(body), "digest": digest}
            release["assets"].append(asset)
            return 201, asset
        if rest[1:] == [] and method == "PATCH":
            if not json.loads(body).get("draft", True):
                release["draft"], release["immutable"] = False, True
            return 200, release
        return 404, NOT_FOUND

    def merge(self, slug: str, number: int, sha: str) -> None:
        """Pull request `number` merged as commit `sha` (made on the remote by the test)."""
        with self._lock:
            (pull,) = [p for p in self.pulls[slug] if p["number"] == number]
            pull |= {
                "state": "closed",
                "merged": True,
                "merge_commit_sha": sha,
                "merged_at": "2026-11-18T11:00:00Z",
                "closed_at": "2026-11-18T11:00:00Z",
            }

    def _pull(self, slug: str, data: dict[str, Any]) -> dict[str, Any]:
        number = len(self.pulls.setdefault(slug, [])) + 1
        owner = slug.partition("/")[0]
        return {
            "id": next(_ids),
            "number": number,
            "node_id": f"PR_{number}",
            "state": "open",
            "title": data["title"],
            "body": data.get("body"),
            "draft": bool(data.get("draft")),
            "html_url": f"https://github.com/{slug}/pull/{number}",
            "url": f"https://api.github.com/repos/{slug}/pulls/{number}",
            "head": {"ref": data["head"], "label": f"{owner}:{data['head']}", "sha": ""},
            "base": {"ref": data["base"], "label": f"{owner}:{data['base']}"},
            "merged": False,
            "merged_at": None,
            "merge_commit_sha": None,
            "closed_at": None,
            "created_at": "2026-11-18T10:00:00Z",
            "updated_at": "2026-11-18T10:00:00Z",
        }

    def _pulls(
        self, method: str, slug: str, rest: list[str], query: dict[str, list[str]], body: bytes
    ) -> tuple[int, Any]:
        pulls = self.pulls.setdefault(slug, [])
        if rest == [] and method == "GET":
            state, head = query.get("state", ["open"])[0], query.get("head", [""])[0]
            return 200, [
                p
                for p in pulls
                if state in ("all", p["state"]) and (not head or p["head"]["label"] == head)
            ]
        if rest == [] and method == "POST":
            data = json.loads(body)
            pull = self._pull(slug, data)
            if any(p["state"] == "open" and p["head"] == pull["head"] for p in pulls):
                message = f"A pull request already exists for {pull['head']['label']}."
                return 422, {
                    "message": "Validation Failed",
                    "errors": [{"resource": "PullRequest", "code": "custom", "message": message}],
                }
            pulls.append(pull)
            return 201, pull
        found = [p for p in pulls if rest[:1] == [str(p["number"])]]
        if not found or rest[1:]:
            return 404, NOT_FOUND
        if method == "PATCH":
            data = json.loads(body)
            found[0] |= {key: data[key] for key in ("title", "body", "state") if key in data}
        return 200, found[0]

    def _answer(self, path: str, query: dict[str, list[str]]) -> tuple[int, dict[str, str], Any]:
        with self._lock:
            if self.limited:
                self.limited -= 1
                reset = f"{self.reset_in:.0f}"
                headers = {"X-RateLimit-Limit": "60", "X-RateLimit-Remaining": "0",
                           "X-RateLimit-Used": "60", "X-RateLimit-Reset": reset}  # fmt: skip
                return 403, headers, RATE_LIMITED
            parts = path.strip("/").split("/")
            limits = {"X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "4999",
                      "X-RateLimit-Reset": f"{time.time() + 3600:.0f}"}  # fmt: skip
            slug = "/".join(parts[1:3])
            if len(parts) < 4 or parts[0] != "repos" or slug not in self.repositories:
                return 404, limits, NOT_FOUND
            if parts[3] == "releases" and parts[4:5] != ["tags"]:
                status, answer = self._releases("GET", slug, parts[4:], query, b"")
                return status, limits, answer
            if parts[3] == "pulls":
                status, answer = self._pulls("GET", slug, parts[4:], query, b"")
                return status, limits, answer
            if parts[3:] == ["actions", "runs"]:
                sha = query.get("head_sha", [""])[0]
                found = [r for r in self.runs if r.slug == slug and r.sha in (sha, ANY)]
                for run in found:
                    run.asked = sha
                    if run.hold is None or run.hold.is_set():
                        run.polls += 1
                body = {"total_count": len(found), "workflow_runs": [r.as_json() for r in found]}
                return 200, limits, body
            if len(parts) == 7 and parts[3:5] == ["actions", "runs"] and parts[6] == "jobs":
                run_id = int(parts[5])
                for run in self.runs:
                    if run.id == run_id:
                        jobs = run.jobs_json()
                        return 200, limits, {"total_count": len(jobs), "jobs": jobs}
            return 404, limits, NOT_FOUND

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                split = urlsplit(self.path)
                with fake._lock:
                    headers = {key.lower(): value for key, value in self.headers.items()}
                    fake.requests.append((self.path, headers))
                    fake.calls.append(("GET", split.path))
                status, headers, body = fake._answer(split.path, parse_qs(split.query))
                self._send(status, headers, body)

            def do_POST(self) -> None:
                self._write("POST")

            def do_PATCH(self) -> None:
                self._write("PATCH")

            def _write(self, method: str) -> None:
                split = urlsplit(self.path)
                sent = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                parts = split.path.strip("/").removeprefix("uploads/").split("/")
                slug = "/".join(parts[1:3])
                with fake._lock:
                    headers = {key.lower(): value for key, value in self.headers.items()}
                    fake.requests.append((self.path, headers))
                    fake.calls.append((method, split.path))
                    query = parse_qs(split.query)
                    if slug not in fake.repositories or len(parts) < 4:
                        status, answer = 404, NOT_FOUND
                    elif parts[3] == "pulls":
                        status, answer = fake._pulls(method, slug, parts[4:], query, sent)
                    elif parts[3] == "releases":
                        status, answer = fake._releases(method, slug, parts[4:], query, sent)
                    else:
                        status, answer = 404, NOT_FOUND
                self._send(status, {}, answer)

            def _send(self, status: int, headers: dict[str, str], body: Any) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler


def serve() -> Iterator[FakeGitHub]:
    """A fixture body: one server, closed afterwards."""
    fake = FakeGitHub()
    try:
        yield fake
    finally:
        fake.close()
