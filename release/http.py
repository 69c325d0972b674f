"""HTTP for the index and GitHub clients: bounded retries with backoff, errors as text.

The standard library is enough here (a few JSON and HTML pages); what both clients
need is the same retry rule: a connection error or a 5xx is worth another try after
a growing pause, anything else is an answer.
"""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from release.errors import ReleaseError

#: The first pause between attempts, in seconds; each next pause doubles.
RETRY_DELAY_ENV = "RELEASE_RETRY_DELAY"
ATTEMPTS = 4


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int
    headers: Mapping[str, str] = field(repr=False)
    body: bytes = field(repr=False)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


def retry_delay() -> float:
    return float(os.environ.get(RETRY_DELAY_ENV, "1"))


def pause(attempt: int) -> float:
    """The pause before attempt `attempt + 1` (attempt counts from 1)."""
    return retry_delay() * 2.0 ** (attempt - 1)


def transient(status: int) -> bool:
    return status >= 500 or status == 429


def get(
    url: str,
    headers: Mapping[str, str] | None = None,
    *,
    what: str,
    attempts: int = ATTEMPTS,
    timeout: float = 30,
    sleep: Callable[[float], None] = time.sleep,
) -> Response:
    """GET `url`; a 4xx is returned (the caller knows what it means), 5xx and outages retried.

    After `attempts` failures it raises one ReleaseError naming `what` and the last reason.
    """
    return request("GET", url, headers, what=what, attempts=attempts, timeout=timeout, sleep=sleep)


def request(
    method: str,
    url: str,
    headers: Mapping[str, str] | None = None,
    body: bytes | None = None,
    *,
    what: str,
    attempts: int = 1,
    timeout: float = 30,
    sleep: Callable[[float], None] = time.sleep,
) -> Response:
    """One HTTP request; a 4xx is returned. A write is tried once by default: the callers
    check what is there before they act, so a re-run, not a blind retry, repeats it."""
    if not url.startswith(("http://", "https://")):
        raise ReleaseError(f"{what}: '{url}' is not an http(s) URL", "give an http(s) URL")
    reason = ""
    for attempt in range(1, attempts + 1):
        prepared = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            url, data=body, headers=dict(headers or {}), method=method
        )
        try:
            with urllib.request.urlopen(prepared, timeout=timeout) as answer:  # noqa: S310
                return Response(
                    answer.geturl(), answer.status, _lower(answer.headers), answer.read()
                )
        except urllib.error.HTTPError as error:
            response = Response(url, error.code, _lower(error.headers), error.read())
            if not transient(error.code):
                return response
            reason = f"HTTP {error.code} {error.reason}"
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            cause = getattr(error, "reason", error)
            reason = f"cannot connect: {cause}"
        if attempt < attempts:
            sleep(pause(attempt))
    raise ReleaseError(
        f"{what}: {reason} (after {attempts} attempt{'s' if attempts > 1 else ''})",
        f"check that {_origin(url)} is up and the URL is right, then run the same command again",
    )


def _lower(headers: object) -> dict[str, str]:
    items = headers.items() if hasattr(headers, "items") else []
    return {str(key).lower(): str(value) for key, value in items}


def _origin(url: str) -> str:
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"
