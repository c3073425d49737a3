"""WebDAV servers for tests, on real sockets: WsgiDAV (a real WebDAV server from PyPI) on cheroot,
in a thread that `stop()` ends.

- `WebDavServer(root)`: plain WsgiDAV over a folder at `/dav/`, basic auth. Its folders carry no
  ETag and its file ETags are inode-mtime-size, as WsgiDAV makes them.
- `NextcloudServer(root)`: a Nextcloud as far as Vraagbaak sees one. WsgiDAV serves the account's
  files at `/remote.php/dav/files/{account}/`, with what Nextcloud adds: `oc:fileid` (the inode, so a
  rename keeps it), `oc:owner-id`, and folder ETags that change when anything below them changes.
  Nextcloud's OCS endpoints that WsgiDAV has no counterpart for are a small local fake (ocs.py):
  shares (`/ocs/v2.php/apps/files_sharing/api/v1/shares`), group members and users.

Faults: `fail(n, status, retry_after)` answers the next n requests with that status (503 for
maintenance mode, 429 for brute-force throttling). `requests` logs (method, path) of each request.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from cheroot import wsgi
from wsgidav.fs_dav_provider import FileResource, FilesystemProvider, FolderResource
from wsgidav.wsgidav_app import WsgiDAVApp

from tests.fakes.nextcloud.ocs import Ocs

OC_FILEID = "{http://owncloud.org/ns}fileid"
OC_OWNER = "{http://owncloud.org/ns}owner-id"


class _Threaded:
    """A WSGI app on cheroot in a thread of its own."""

    def __init__(self, app) -> None:
        self.requests: list[tuple[str, str]] = []
        self._failures: list[tuple[int, str]] = []
        self._lock = threading.Lock()
        self._app = app
        self._server = wsgi.Server(("127.0.0.1", 0), self._serve, numthreads=4, shutdown_timeout=2)
        self._server.prepare()
        self._thread = threading.Thread(target=self._server.serve, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.bind_addr[1]}"

    def fail(self, times: int, status: int = 503, retry_after: str = "1") -> None:
        self._failures = [(status, retry_after)] * times

    def _serve(self, environ, start_response):
        self.requests.append((environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")))
        with self._lock:
            failure = self._failures.pop(0) if self._failures else None
        if failure:
            start_response(f"{failure[0]} Unavailable", [("Retry-After", failure[1]), ("Content-Length", "0")])
            return [b""]
        return self._app(environ, start_response)

    def count(self, method: str) -> int:
        return sum(1 for m, _ in self.requests if m == method)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def stop(self) -> None:
        self._server.stop()
        self._thread.join(timeout=10)


def _dav_config(mount: str, provider, account: str, password: str) -> dict:
    return {
        "provider_mapping": {mount: provider},
        "http_authenticator": {"domain_controller": None, "accept_basic": True, "accept_digest": False,
                               "default_to_digest": False},
        "simple_dc": {"user_mapping": {"*": {account: {"password": password}}}},
        "dir_browser": {"enable": False},
        "logging": {"enable": False},
        "verbose": 0,
        "lock_storage": False,
        "property_manager": None,
    }


class WebDavServer(_Threaded):
    """Plain WsgiDAV over `root` at `{url}/dav/`."""

    def __init__(self, root: Path, *, account: str = "lezer", password: str = "geheim") -> None:
        provider = FilesystemProvider(str(root), readonly=True, fs_opts={})
        super().__init__(WsgiDAVApp(_dav_config("/dav", provider, account, password)))
        self.account, self.password = account, password

    @property
    def dav_url(self) -> str:
        return f"{self.url}/dav/"


class NextcloudServer(_Threaded):
    """`root` holds the account's files; `ocs` (users, groups, shares) is what tests change."""

    def __init__(self, root: Path, *, account: str = "vraagbaak", password: str = "app-wachtwoord") -> None:
        self.root, self.account, self.password = Path(root), account, password
        self.owners: dict[str, str] = {}  # path in the account's files ("/HR") -> owner of what is under it
        self.ocs = Ocs(self.root, account=account, password=password)
        dav = WsgiDAVApp(_dav_config(f"/remote.php/dav/files/{account}", _NextcloudFiles(self), account, password))

        def app(environ, start_response):
            if environ.get("PATH_INFO", "").startswith("/ocs/"):
                return self.ocs(environ, start_response)
            return dav(environ, start_response)

        super().__init__(app)

    def owner_of(self, path: str) -> str:
        best = max((p for p in self.owners if path == p or path.startswith(p.rstrip("/") + "/")), key=len, default=None)
        return self.owners[best] if best else self.account


class _NextcloudFiles(FilesystemProvider):
    def __init__(self, server: NextcloudServer) -> None:
        super().__init__(str(server.root), readonly=True, fs_opts={})
        self.server = server

    def get_resource_inst(self, path: str, environ: dict):
        resource = super().get_resource_inst(path, environ)
        if resource is None:
            return None
        cls = _Folder if resource.is_collection else _File
        return cls(path, environ, resource._file_path)


class _NextcloudProps:
    """oc:fileid and oc:owner-id on files and folders."""

    def get_property_names(self, *, is_allprop):
        return [*super().get_property_names(is_allprop=is_allprop), OC_FILEID, OC_OWNER]

    def get_property_value(self, name):
        if name == OC_FILEID:
            return str(os.stat(self._file_path).st_ino)
        if name == OC_OWNER:
            return self.provider.server.owner_of("/" + self.path.strip("/"))
        return super().get_property_value(name)


class _File(_NextcloudProps, FileResource):
    pass


class _Folder(_NextcloudProps, FolderResource):
    def get_etag(self):
        """Changes when anything below changes, as Nextcloud's folder ETags do."""
        return _tree_etag(Path(self._file_path))


def _tree_etag(folder: Path) -> str:
    digest = hashlib.md5(usedforsecurity=False)
    for path in sorted(folder.rglob("*")):
        info = path.stat()
        digest.update(f"{path.relative_to(folder)}:{info.st_ino}:{info.st_mtime_ns}:{info.st_size}\n".encode())
    return digest.hexdigest()
