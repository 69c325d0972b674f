"""Real package indexes on 127.0.0.1 for the tests: pypiserver, devpi-server, a flaky proxy.

pypiserver (started the way `nox -s demo` starts it) serves PEP 503 HTML with sha256 in
the links and checks an htpasswd file; devpi-server serves PEP 691 JSON. The proxy sits
in front of a real index and answers 500 to the first uploads, to prove the retries.
"""

from __future__ import annotations

import base64
import http.client
import json
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from release.demo import free_port, pypiserver, wait_until_up

__all__ = ["FlakyProxy", "Server", "devpi_server", "free_port", "pypi_server"]

BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Server:
    kind: str  # "pypiserver" or "devpi"
    url: str  # the upload URL
    directory: Path  # pypiserver: the folder of its packages; devpi: its server dir


@contextmanager
def pypi_server(directory: Path, users: dict[str, str]) -> Iterator[Server]:
    with pypiserver(directory, users) as url:
        yield Server("pypiserver", url, directory / "packages")


@contextmanager
def devpi_server(directory: Path, user: str, password: str) -> Iterator[Server]:
    """devpi-server in offline mode with one user and one non-volatile index, `user/dev`."""
    serverdir = directory / "devpi"
    subprocess.run([str(BIN / "devpi-init"), "--serverdir", str(serverdir)], check=True,
                   capture_output=True)  # fmt: skip
    port = free_port()
    log = directory / "server.log"
    with log.open("wb") as handle:
        process = subprocess.Popen([str(BIN / "devpi-server"), "--serverdir", str(serverdir),
                                    "--host", "127.0.0.1", "--port", str(port), "--offline-mode"],
                                   stdout=handle, stderr=subprocess.STDOUT)  # fmt: skip
    root = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(root + "/+api", process, log, timeout=180)
        _put(f"{root}/{user}", {"password": password, "email": f"{user}@example.invalid"})
        _put(f"{root}/{user}/dev", {"bases": [], "volatile": False}, (user, password))
        yield Server("devpi", f"{root}/{user}/dev/", serverdir)
    finally:
        process.terminate()
        process.wait(timeout=30)


def _put(url: str, body: dict[str, Any], auth: tuple[str, str] | None = None) -> None:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(":".join(auth).encode()).decode()
    data = json.dumps(body).encode()
    request = urllib.request.Request(url, data, headers, method="PUT")  # noqa: S310 - loopback
    with urllib.request.urlopen(request, timeout=30):  # noqa: S310 - loopback only
        pass


@dataclass
class FlakyProxy:
    """Forwards to `target`, but answers 500 to the first `failures` uploads (POSTs)."""

    target: str
    failures: int
    posts: list[int] = field(default_factory=list)  # the status answered to each POST

    def __post_init__(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self
        host, _, port = proxy.target.split("//", 1)[1].strip("/").partition(":")

        class Handler(BaseHTTPRequestHandler):
            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                if self.command == "POST" and len(proxy.posts) < proxy.failures:
                    proxy.posts.append(500)
                    self.send_error(500, "Internal Server Error")
                    return
                connection = http.client.HTTPConnection(host, int(port), timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
                connection.request(self.command, self.path, body, headers)
                answer = connection.getresponse()
                data = answer.read()
                if self.command == "POST":
                    proxy.posts.append(answer.status)
                self.send_response(answer.status)
                length = str(len(data))
                if self.command == "HEAD":  # no body: pass on the size of the one it stands for
                    length = answer.getheader("Content-Length", length)
                for key, value in answer.getheaders():
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", length)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                connection.close()

            do_GET = do_HEAD = do_POST = _forward

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
