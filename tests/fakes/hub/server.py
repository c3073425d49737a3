"""A local Hugging Face hub for tests: answers, on real sockets, the requests huggingface_hub 2.4
makes for `vraagbaak models pull`, the way huggingface.co answers them.

Checked against the installed huggingface_hub (hf_api.py `model_info`, file_download.py
`get_hf_file_metadata` / `_get_metadata_or_catch_error` / `http_get`, utils/_http.py
`hf_raise_for_status` / `_httpx2_follow_hub_redirects_with_backoff`):

- `GET /api/models/{repo}/revision/{rev}[?blobs=true]`: the model info; `sha` is the commit,
  `siblings` list `rfilename` and, with `blobs`, `blobId` (git blob id), `size` and, for LFS files,
  `lfs: {sha256, size, pointerSize}`.
- `HEAD|GET /{repo}/resolve/{rev}/{path}`: an LFS file answers `302` to a CDN on another origin
  (which huggingface_hub does not follow on HEAD: the metadata is on the redirect) with
  `X-Repo-Commit`, `X-Linked-Etag` (sha256) and `X-Linked-Size`; a small file answers `307` to
  `/api/resolve-cache/models/{repo}/{commit}/{path}` on the hub itself (followed), whose `200`
  carries `ETag` (git blob id), `X-Repo-Commit` and `Content-Length`.
- The bytes (CDN and resolve-cache) honour `Range: bytes=N-` with `206` + `Content-Range`, and
  answer `416` for a range past the end.
- Errors as the hub sends them to a client without a token: an unknown repository `401` with
  `X-Error-Code: RepoNotFound`, an unknown revision `404 RevisionNotFound`, a missing file
  `404 EntryNotFound` (with `X-Repo-Commit`).
- No Xet headers (`X-Xet-Hash`, `Link: …rel="xet-auth"`): this is a classic LFS repository, as a
  mirror serves it; huggingface_hub then downloads over plain HTTP.

Faults for tests: `cut_after[path] = n` breaks the next download of `path` after n bytes (the
connection closes early), `corrupt[path] = k` serves wrong bytes (right size) the next k times,
`advertised_size[path] = n` makes the listing claim another size.
"""

from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlparse

LFS_MIN_BYTES = 1024  # files this big or bigger are "LFS" files, like the hub's large binaries


@dataclass
class Request:
    server: str  # "hub" or "cdn"
    method: str
    path: str
    range: str | None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class HubFile:
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def git_sha1(self) -> str:
        return _git_blob_id(self.data)

    @property
    def is_lfs(self) -> bool:
        return len(self.data) >= LFS_MIN_BYTES

    @property
    def pointer(self) -> bytes:
        """The git-lfs pointer file that git stores instead of a large file."""
        return (f"version https://git-lfs.github.com/spec/v1\noid sha256:{self.sha256}\n"
                f"size {len(self.data)}\n").encode()

    @property
    def blob_id(self) -> str:
        return _git_blob_id(self.pointer if self.is_lfs else self.data)


def _git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class FakeHub:
    """`with FakeHub({"org/repo": {"file": b"..."}}) as hub:` then use `hub.url` as the endpoint."""

    repos: dict[str, dict[str, bytes]]
    cut_after: dict[str, int] = field(default_factory=dict)
    corrupt: dict[str, int] = field(default_factory=dict)
    advertised_size: dict[str, int] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    served: list[tuple[str, int, int | None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lock = threading.Lock()
        self._hub = ThreadingHTTPServer(("127.0.0.1", 0), _hub_handler(self))
        self._cdn = ThreadingHTTPServer(("127.0.0.1", 0), _cdn_handler(self))
        self._threads = []
        for server in (self._hub, self._cdn):
            server.daemon_threads = True
            self._threads.append(threading.Thread(target=server.serve_forever, daemon=True))

    @property
    def url(self) -> str:
        return _url_of(self._hub)

    @property
    def cdn_url(self) -> str:
        return _url_of(self._cdn)

    def __enter__(self) -> "FakeHub":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        for server in (self._hub, self._cdn):
            server.shutdown()
            server.server_close()

    def commit(self, repo: str) -> str:
        """A stable 40-hex commit id for the repository's current contents."""
        digest = hashlib.sha1(repo.encode())
        for path, data in sorted(self.repos[repo].items()):
            digest.update(path.encode() + b"\0" + hashlib.sha256(data).digest())
        return digest.hexdigest()

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


def _url_of(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host}:{port}"


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    hub: FakeHub
    server_name = "hub"

    def log_message(self, *args) -> None:  # quiet test output
        pass

    def do_HEAD(self) -> None:
        self._record_and_route(head=True)

    def do_GET(self) -> None:
        self._record_and_route(head=False)

    def _record_and_route(self, *, head: bool) -> None:
        parsed = urlparse(self.path)
        self.hub.requests.append(Request(self.server_name, self.command, parsed.path, self.headers.get("Range"),
                                         {k.lower(): v for k, v in self.headers.items()}))
        self.route(unquote(parsed.path), parse_qs(parsed.query), head=head)

    def route(self, path: str, query: dict, *, head: bool) -> None:
        raise NotImplementedError

    def error(self, status: int, code: str, message: str, extra: dict[str, str] | None = None) -> None:
        self.reply(status, json.dumps({"error": message}).encode(),
                   {"Content-Type": "application/json", "X-Error-Code": code, "X-Error-Message": message,
                    **(extra or {})})

    def reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_bytes(self, path: str, f: HubFile, *, head: bool, headers: dict[str, str]) -> None:
        data = f.data
        if not head and self.hub.take_fault(self.hub.corrupt, path):
            data = bytes(b ^ 0xFF for b in data)
        start = 0
        if (rng := self.headers.get("Range")) and (m := re.fullmatch(r"bytes=(\d+)-", rng.strip())):
            start = int(m.group(1))
            if start >= len(data):
                return self.reply(416, b"", {"Content-Range": f"bytes */{len(data)}"})
        body = data[start:]
        headers = {**headers, "Content-Length": str(len(body)), "Accept-Ranges": "bytes"}
        if start:
            headers["Content-Range"] = f"bytes {start}-{len(data) - 1}/{len(data)}"
        cut = None if head else self.hub.take_fault(self.hub.cut_after, path)
        self.send_response(206 if start else 200)
        for name, value in headers.items():
            self.send_header(name, value)
        if cut is not None:
            self.send_header("Connection", "close")
        self.end_headers()
        if head:
            return
        self.hub.served.append((path, start, cut))
        if cut is not None:
            self.wfile.write(body[:cut])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


def _hub_handler(hub: FakeHub):
    class HubHandler(_Handler):
        def route(self, path: str, query: dict, *, head: bool) -> None:
            if m := re.fullmatch(r"/api/models/([^/]+/[^/]+)/revision/([^/]+)", path):
                if self._known(m.group(1), m.group(2)):
                    self._model_info(m.group(1), blobs=query.get("blobs", [""])[0].lower() == "true")
                return
            if m := re.fullmatch(r"/api/resolve-cache/models/([^/]+/[^/]+)/([0-9a-f]{40})/(.+)", path):
                repo, commit, file_path = m.groups()
                if self._known(repo, commit) and self._has(repo, commit, file_path):
                    self.send_bytes(file_path, HubFile(hub.repos[repo][file_path]), head=head, headers={
                        "ETag": f'"{HubFile(hub.repos[repo][file_path]).git_sha1}"', "X-Repo-Commit": commit,
                        "Content-Type": "application/octet-stream"})
                return
            if m := re.fullmatch(r"/([^/]+/[^/]+)/resolve/([^/]+)/(.+)", path):
                repo, revision, file_path = m.groups()
                if self._known(repo, revision) and self._has(repo, hub.commit(repo), file_path):
                    self._resolve(repo, file_path)
                return
            self.error(404, "EntryNotFound", "Sorry, we can't find the page you are looking for.")

        def _known(self, repo: str, revision: str) -> bool:
            if repo not in hub.repos:
                # the hub answers 401 rather than 404 to a client without a token (private repos)
                self.error(401, "RepoNotFound", "Repository not found")
                return False
            if revision not in ("main", hub.commit(repo)):
                self.error(404, "RevisionNotFound", f"Invalid rev id: {revision}")
                return False
            return True

        def _has(self, repo: str, commit: str, file_path: str) -> bool:
            if file_path in hub.repos[repo]:
                return True
            self.error(404, "EntryNotFound", f"{file_path} does not exist on \"main\"",
                       {"X-Repo-Commit": commit})
            return False

        def _model_info(self, repo: str, *, blobs: bool) -> None:
            siblings = []
            for path, data in sorted(hub.repos[repo].items()):
                f = HubFile(data)
                sibling: dict = {"rfilename": path}
                if blobs:
                    size = hub.advertised_size.get(path, len(data))
                    sibling.update(blobId=f.blob_id, size=size)
                    if f.is_lfs:
                        sibling["lfs"] = {"sha256": f.sha256, "size": size, "pointerSize": len(f.pointer)}
                siblings.append(sibling)
            info = {"_id": hashlib.md5(repo.encode()).hexdigest()[:24], "id": repo, "modelId": repo,
                    "sha": hub.commit(repo), "private": False, "gated": False, "disabled": False,
                    "lastModified": "2025-01-01T00:00:00.000Z", "tags": [], "siblings": siblings}
            self.reply(200, json.dumps(info).encode(), {"Content-Type": "application/json"})

        def _resolve(self, repo: str, file_path: str) -> None:
            f = HubFile(hub.repos[repo][file_path])
            commit = hub.commit(repo)
            if f.is_lfs:
                location = (f"{hub.cdn_url}/repos/{f.sha256[:2]}/{f.sha256[2:4]}/{f.sha256}"
                            f"?response-content-disposition=attachment%3B+filename%3D{quote(file_path.split('/')[-1])}")
                size = hub.advertised_size.get(file_path, len(f.data))
                return self.reply(302, b"", {"Location": location, "X-Repo-Commit": commit,
                                             "X-Linked-Etag": f'"{f.sha256}"', "X-Linked-Size": str(size),
                                             "ETag": f'"{f.blob_id}"', "Accept-Ranges": "bytes"})
            location = (f"/api/resolve-cache/models/{repo}/{commit}/{quote(file_path)}"
                        f"?etag=%22{f.git_sha1}%22")
            self.reply(307, b"", {"Location": location, "X-Repo-Commit": commit, "ETag": f'"{f.git_sha1}"'})

    HubHandler.hub = hub
    return HubHandler


def _cdn_handler(hub: FakeHub):
    class CdnHandler(_Handler):
        server_name = "cdn"

        def route(self, path: str, query: dict, *, head: bool) -> None:
            m = re.fullmatch(r"/repos/[0-9a-f]{2}/[0-9a-f]{2}/([0-9a-f]{64})", path)
            found = hub.by_sha(m.group(1)) if m else None
            if found is None:
                return self.reply(404, b"<Error><Code>NoSuchKey</Code></Error>", {"Content-Type": "application/xml"})
            name = found[0].split("/")[-1]
            self.send_bytes(found[0], found[1], head=head, headers={
                "ETag": f'"{found[1].sha256}"', "Content-Type": "application/octet-stream",
                "Content-Disposition": f'attachment; filename="{name}"'})

    CdnHandler.hub = hub
    return CdnHandler
