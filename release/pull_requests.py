"""The release pull request through GitHub's REST API: find the open one, open one, update it.

One release pull request per package and release line: its head is the tool's own branch
(release_pr.branch_name), so "the open pull request from that branch" is the one to
update, and a second is never opened. Every call goes through `github.Client.call`
(token from the environment, rate limits waited out, never in argv or output).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from release.github import Client


@dataclass(frozen=True)
class PullRequest:
    number: int
    title: str
    body: str
    head: str  # the branch it proposes
    base: str  # the branch it merges into
    url: str  # its page on GitHub
    merged: bool = False
    merge_commit_sha: str = ""


def _parsed(item: Mapping[str, Any]) -> PullRequest:
    return PullRequest(
        number=int(item["number"]),
        title=str(item.get("title") or ""),
        body=str(item.get("body") or ""),
        head=str(item["head"]["ref"]),
        base=str(item["base"]["ref"]),
        url=str(item.get("html_url") or ""),
        merged=bool(item.get("merged") or item.get("merged_at")),
        merge_commit_sha=str(item.get("merge_commit_sha") or ""),
    )


def _send(client: Client, method: str, path: str, body: Mapping[str, Any]) -> PullRequest:
    url = f"{client.api}/repos/{client.slug}/{path}"
    return _parsed(client.call(method, url, path, json.dumps(body).encode("utf-8")))


def open_from(client: Client, branch: str) -> PullRequest | None:
    """The open pull request whose head is `branch` of this repository (None when none is)."""
    owner = client.slug.partition("/")[0]
    found = client.get("pulls", {"head": f"{owner}:{branch}", "state": "open", "per_page": "10"})
    mine = [_parsed(item) for item in found if item["head"]["ref"] == branch]
    return mine[0] if mine else None


def create(client: Client, branch: str, base: str, title: str, body: str) -> PullRequest:
    return _send(
        client, "POST", "pulls", {"title": title, "head": branch, "base": base, "body": body}
    )


def update(client: Client, number: int, title: str, body: str) -> PullRequest:
    return _send(client, "PATCH", f"pulls/{number}", {"title": title, "body": body})


def propose(
    client: Client, branch: str, base: str, title: str, body: str, say: Callable[[str], None]
) -> str:
    """Open the pull request from `branch` into `base`, or bring the open one's title and body
    up to date (left alone when they already are): what was done, in one line."""
    found = open_from(client, branch)
    if found is None:
        made = create(client, branch, base, title, body)
        say(f"opened pull request #{made.number}: {title}")
        return f"opened #{made.number} {made.url}".rstrip()
    if (found.title, found.body) == (title, body):
        return f"#{found.number} is already '{title}' with these notes"
    update(client, found.number, title, body)
    say(f"updated pull request #{found.number}: {title}")
    return f"updated #{found.number} {found.url}".rstrip()
