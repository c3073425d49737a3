"""A local Hugging Face hub for tests: answers the way huggingface.co does for the calls that
`vraagbaak models pull` makes, on a real socket.

- `GET /api/models/{repo}/tree/{rev}?recursive=true`: JSON list of files (`type`, `oid`, `size`,
  `path`, and `lfs: {oid, size, pointerSize}` for large files), paginated with a `Link` header.
- `HEAD|GET /{repo}/resolve/{rev}/{path}`: large files answer 302 to `/cdn/{sha256}` with
  `X-Linked-Etag` / `X-Linked-Size`; small files answer 200 with `ETag` = the git blob id.
- `GET /cdn/{sha256}`: the bytes, honouring `Range: bytes=N-` with 206.

Faults for tests: `cut_after[path] = n` breaks the next download of `path` after n bytes (the
connection closes early), `corrupt[path] = k` serves wrong bytes (right size) the next k times.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

LFS_MIN_BYTES = 1024  # files this big or bigger are "LFS" files, like the hub's large binaries


@dataclass
class Request:
    method: str
    path: str
    range: str | None


@dataclass
class HubFile:
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def git_sha1(self) -> str:
        return hashlib.sha1(b"blob %d\0" % len(self.data) + self.data).hexdigest()

    @property
    def is_lfs(self) -> bool:
        return len(self.data) >= LFS_MIN_BYTES


@dataclass
class FakeHub:
    """`with FakeHub({"org/repo": {"file": b"..."}}) as hub:` then point HF_ENDPOINT at `hub.url`."""

    repos: dict[str, dict[str, bytes]]
    page_size: int = 100
    cut_after: dict[str, int] = field(default_factory=dict)
    corrupt: dict[str, int] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    served: list[tuple[str, int, int | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> "FakeHub":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    def file(self, repo: str, path: str) -> HubFile:
        return HubFile(self.repos[repo][path])

    def by_sha(self, sha: str) -> tuple[str, HubFile] | None:
        for files in self.repos.values():
            for path, data in files.items():
                if hashlib.sha256(data).hexdigest() == sha:
                    return path, HubFile(data)
        return None

    def downloads_of(self, path: str) -> list[tuple[int, int | None]]:
        """(first byte, bytes cut off after or None) of each GET that served bytes of `path`."""
        return [(start, cut) for served, start, cut in self.served if served == path]

    def take_fault(self, faults: dict[str, int], path: str) -> int | None:
        with self._lock:
            value = faults.get(path)
            if value is None:
                return None
            if faults is self.corrupt:
                faults[path] -= 1
                if faults[path] <= 0:
                    del faults[path]
            else:
                del faults[path]
            return value


def _handler_for(hub: FakeHub):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:  # quiet test output
            pass

        def do_HEAD(self) -> None:
            self._serve(head=True)

        def do_GET(self) -> None:
            self._serve(head=False)

        def _serve(self, *, head: bool) -> None:
            parsed = urlparse(self.path)
            hub.requests.append(Request(self.command, parsed.path, self.headers.get("Range")))
            if m := re.fullmatch(r"/api/models/([^/]+/[^/]+)/tree/([^/]+)", parsed.path):
                return self._tree(unquote(m.group(1)), parse_qs(parsed.query))
            if m := re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", parsed.path):
                return self._resolve(unquote(m.group(1)), unquote(m.group(3)), head=head)
            if m := re.fullmatch(r"/cdn/([0-9a-f]{64})", parsed.path):
                found = hub.by_sha(m.group(1))
                if found:
                    return self._bytes(found[0], found[1], head=head)
            self._reply(404, b'{"error": "Entry not found"}', {"Content-Type": "application/json"})

        def _tree(self, repo: str, query: dict) -> None:
            if repo not in hub.repos:
                return self._reply(404, b'{"error": "Repository not found"}', {"Content-Type": "application/json"})
            entries = []
            for path, data in sorted(hub.repos[repo].items()):
                f = HubFile(data)
                entry = {"type": "file", "oid": f.git_sha1, "size": len(data), "path": path}
                if f.is_lfs:
                    entry["lfs"] = {"oid": f.sha256, "size": len(data), "pointerSize": 134}
                entries.append(entry)
            start = int(query.get("cursor", ["0"])[0])
            page = entries[start:start + hub.page_size]
            headers = {"Content-Type": "application/json"}
            if start + hub.page_size < len(entries):
                headers["Link"] = f'<{self.path.split("?")[0]}?recursive=true&cursor={start + hub.page_size}>; rel="next"'
            self._reply(200, json.dumps(page).encode(), headers)

        def _resolve(self, repo: str, path: str, *, head: bool) -> None:
            if path not in hub.repos.get(repo, {}):
                return self._reply(404, b'{"error": "Entry not found"}', {"Content-Type": "application/json",
                                                                            "X-Error-Code": "EntryNotFound"})
            f = hub.file(repo, path)
            if f.is_lfs:
                self._reply(302, b"", {"Location": f"/cdn/{f.sha256}", "X-Linked-Etag": f'"{f.sha256}"',
                                       "X-Linked-Size": str(len(f.data)), "ETag": f'"{f.git_sha1}"',
                                       "X-Repo-Commit": "0" * 40})
                return
            self._bytes(path, f, head=head, etag=f.git_sha1)

        def _bytes(self, path: str, f: HubFile, *, head: bool, etag: str | None = None) -> None:
            data = f.data
            if not head and hub.take_fault(hub.corrupt, path):
                data = bytes(b ^ 0xFF for b in data)
            start = 0
            if (rng := self.headers.get("Range")) and (m := re.fullmatch(r"bytes=(\d+)-", rng)):
                start = int(m.group(1))
            status = 206 if start else 200
            body = data[start:]
            headers = {"Content-Length": str(len(body)), "Accept-Ranges": "bytes",
                       "ETag": f'"{etag or f.sha256}"'}
            if start:
                headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
            cut = None if head else hub.take_fault(hub.cut_after, path)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if cut is not None:
                self.send_header("Connection", "close")
            self.end_headers()
            if head:
                return
            hub.served.append((path, start, cut))
            if cut is not None:
                self.wfile.write(body[:cut])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

        def _reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    return Handler
