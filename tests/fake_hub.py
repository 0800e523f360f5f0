"""A local stand-in for the Hugging Face hub's file API (HEAD and GET on /{repo}/resolve/{rev}/{file}),
served by the standard library in a thread, so downloads are tested without the internet.

Files are served with the headers the hub sends (X-Repo-Commit, ETag = the LFS sha256,
Content-Length) and honour `Range: bytes=N-`. A test can make the server cut one response halfway
(`cut_next`), hold a response after its first chunk until released (`gate`), or serve bytes that are
not the ones its ETag names (`corrupt`).
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

COMMIT = "0123456789abcdef0123456789abcdef01234567"
CHUNK = 64 * 1024
GATE_AFTER = 2 * 1024 * 1024  # the client reads 1 MB at a time: two get through before the gate


@dataclass
class FakeHub:
    files: dict[tuple[str, str], bytes] = field(default_factory=dict)
    requests: list[tuple[str, str, str | None]] = field(default_factory=list)  # method, path, Range
    cut_next: bool = False
    corrupt: bool = False
    gate: threading.Event | None = None
    url: str = ""

    def add(self, repo: str, filename: str, data: bytes) -> str:
        self.files[(repo, filename)] = data
        return hashlib.sha256(data).hexdigest()

    def ranges(self) -> list[str | None]:
        return [r for method, _, r in self.requests if method == "GET"]


def _handler(hub: FakeHub) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return None

        def _find(self) -> bytes | None:
            path = unquote(self.path.split("?", 1)[0]).lstrip("/")
            repo, sep, rest = path.partition("/resolve/")
            if not sep:
                return None
            _revision, _, filename = rest.partition("/")
            return hub.files.get((repo, filename))

        def _head(self, data: bytes, length: int, status: int = 200) -> None:
            self.send_response(status)
            self.send_header("X-Repo-Commit", COMMIT)
            self.send_header("ETag", f'"{hashlib.sha256(data).hexdigest()}"')
            self.send_header("Content-Length", str(length))
            self.send_header("Accept-Ranges", "bytes")

        def do_HEAD(self) -> None:
            hub.requests.append(("HEAD", self.path, None))
            data = self._find()
            if data is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self._head(data, len(data))
            self.end_headers()

        def do_GET(self) -> None:
            wanted = self.headers.get("Range")
            hub.requests.append(("GET", self.path, wanted))
            data = self._find()
            if data is None:
                self.send_response(404)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            start = int(wanted.removeprefix("bytes=").split("-")[0]) if wanted else 0
            body = data[start:]
            if hub.corrupt:
                body = bytes(b ^ 0xFF for b in body[:16]) + body[16:]
            self._head(data, len(body), 206 if start else 200)
            if start:
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            self.end_headers()
            if hub.cut_next:
                hub.cut_next = False
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            gated = hub.gate
            try:
                for offset in range(0, len(body), CHUNK):
                    self.wfile.write(body[offset : offset + CHUNK])
                    self.wfile.flush()
                    if gated is not None and offset + CHUNK >= GATE_AFTER:
                        gated.wait(timeout=60)
                        gated = None
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client cancelled

    return Handler


@contextmanager
def serve_fake_hub(hub: FakeHub) -> Iterator[FakeHub]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(hub))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hub.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield hub
    finally:
        if hub.gate is not None:
            hub.gate.set()
        server.shutdown()
        server.server_close()
