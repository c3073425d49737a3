"""A small Hugging Face hub client for `vraagbaak models pull`: list a repository's files, read a
file's checksum, and download it verified, resumably and atomically.

Only the hub's public HTTP interface is used (no huggingface_hub dependency):
- `GET {endpoint}/api/models/{repo}/tree/{revision}?recursive=true` lists files, with `lfs.oid`
  (sha256) and `lfs.size` for large files and the git blob id (`oid`, sha1) for small ones;
  paginated through a `Link: <…>; rel="next"` header.
- `HEAD {endpoint}/{repo}/resolve/{revision}/{file}` without following the redirect answers
  `X-Linked-Etag` (sha256) and `X-Linked-Size` for large files, `ETag` (git blob id) for small ones.
- `GET` on the same URL (redirects followed) serves the bytes and honours `Range`.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import logging
import os
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from bot.errors import ModelError

log = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20
USER_AGENT = "vraagbaak-models-pull/1"
_TRANSIENT = (urllib.error.URLError, http.client.HTTPException, socket.timeout, ConnectionError, TimeoutError)


class DownloadError(ModelError):
    """A model file could not be fetched or did not match its checksum."""


@dataclass(frozen=True)
class RemoteFile:
    """A file in a hub repository with what we need to verify it."""

    path: str
    size: int
    sha256: str | None = None  # large (LFS) files
    git_sha1: str | None = None  # small files: the git blob id

    def matches(self, local: Path, progress: Callable[[int], None] | None = None) -> bool:
        """True when the local file has this size and checksum."""
        if not local.is_file() or local.stat().st_size != self.size:
            return False
        return self.checksum_of(local, progress) == (self.sha256 or self.git_sha1)

    def checksum_of(self, local: Path, progress: Callable[[int], None] | None = None) -> str:
        if self.sha256:
            digest = hashlib.sha256()
        else:
            digest = hashlib.sha1()
            digest.update(b"blob %d\0" % local.stat().st_size)
        with local.open("rb") as fh:
            while block := fh.read(CHUNK_BYTES):
                digest.update(block)
                if progress:
                    progress(len(block))
        return digest.hexdigest()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _unquote_etag(value: str | None) -> str | None:
    if not value:
        return None
    return value.removeprefix("W/").strip().strip('"') or None


class HubClient:
    """Talks to one hub endpoint (https://huggingface.co, or a mirror via HF_ENDPOINT)."""

    def __init__(self, endpoint: str, *, timeout: float = 30.0, retries: int = 3) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.timeout = timeout
        self.retries = retries
        self._no_redirect = urllib.request.build_opener(_NoRedirect)

    def file_url(self, repo: str, path: str, revision: str = "main") -> str:
        return (f"{self.endpoint}/{repo}/resolve/{urllib.parse.quote(revision, safe='')}/"
                f"{urllib.parse.quote(path)}")

    def list_files(self, repo: str, revision: str = "main") -> list[RemoteFile]:
        """Every file of the repository at this revision, with sizes and checksums."""
        url: str | None = (f"{self.endpoint}/api/models/{repo}/tree/"
                           f"{urllib.parse.quote(revision, safe='')}?recursive=true")
        files: list[RemoteFile] = []
        while url:
            with self._open(urllib.request.Request(url, headers=self._headers())) as response:
                entries = json.loads(response.read().decode("utf-8"))
                url = _next_link(response.headers.get("Link"), url)
            files.extend(_remote_file(entry) for entry in entries if entry.get("type") == "file")
        return files

    def file_metadata(self, repo: str, path: str, revision: str = "main") -> RemoteFile:
        """Size and checksum of one file, from the headers of its (unfollowed) download URL."""
        request = urllib.request.Request(self.file_url(repo, path, revision), method="HEAD",
                                         headers=self._headers({"Accept-Encoding": "identity"}))
        try:
            response = self._no_redirect.open(request, timeout=self.timeout)
            headers = response.headers
            response.close()
        except urllib.error.HTTPError as exc:
            if not 300 <= exc.code < 400:
                raise DownloadError(self._http_message(exc, repo, path)) from exc
            headers = exc.headers
        except _TRANSIENT as exc:
            raise DownloadError(f"De modelhub {self.endpoint} is niet bereikbaar: {exc}") from exc
        sha256 = _unquote_etag(headers.get("X-Linked-Etag"))
        size = headers.get("X-Linked-Size") or headers.get("Content-Length")
        if size is None:
            raise DownloadError(f"De modelhub gaf geen grootte voor {repo}/{path}.")
        if sha256:
            return RemoteFile(path, int(size), sha256=sha256)
        return RemoteFile(path, int(size), git_sha1=_unquote_etag(headers.get("ETag")))

    def download(self, repo: str, remote: RemoteFile, destination: Path, revision: str = "main", *,
                 progress: Callable[[int], None] | None = None) -> None:
        """Fetch into `<destination>.part` (resuming what is there), verify, then rename atomically."""
        destination.parent.mkdir(parents=True, exist_ok=True)
        part = destination.with_name(destination.name + ".part")
        url = self.file_url(repo, remote.path, revision)
        restarted = False
        attempt = 0
        while True:
            try:
                self._fetch_rest(url, part, remote.size, progress)
            except _TRANSIENT as exc:
                attempt += 1
                if attempt > self.retries:
                    raise DownloadError(
                        f"Downloaden van {remote.path} is {attempt} keer afgebroken ({exc}); "
                        f"probeer het later opnieuw, het gedeelte dat binnen is wordt hervat.") from exc
                log.warning("download of %s broke off (%s); resuming (attempt %d)", remote.path, exc, attempt)
                continue
            if remote.matches(part):
                os.replace(part, destination)
                return
            part.unlink(missing_ok=True)
            if restarted:
                raise DownloadError(
                    f"{remote.path} van {repo} komt niet overeen met de controlesom van de hub, ook niet "
                    f"na opnieuw downloaden. Het bestand is niet bewaard.")
            log.warning("%s did not match its checksum; downloading it again from the start", remote.path)
            restarted = True

    def _fetch_rest(self, url: str, part: Path, size: int, progress: Callable[[int], None] | None) -> None:
        have = part.stat().st_size if part.exists() else 0
        if have > size:
            part.unlink()
            have = 0
        if have == size:
            return
        headers = {"Accept-Encoding": "identity"}
        if have:
            headers["Range"] = f"bytes={have}-"
        with self._open(urllib.request.Request(url, headers=self._headers(headers))) as response:
            if have and response.status != 206:
                have = 0  # the server ignored the range: start over
            if progress and have:
                progress(have)
            with part.open("ab" if have else "wb") as fh:
                while block := response.read(CHUNK_BYTES):
                    fh.write(block)
                    if progress:
                        progress(len(block))
        got = part.stat().st_size
        if got < size:
            raise ConnectionError(f"verbinding gesloten na {got} van {size} bytes")

    def _open(self, request: urllib.request.Request):
        try:
            return urllib.request.urlopen(request, timeout=self.timeout)
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                raise ConnectionError(f"HTTP {exc.code}") from exc
            raise DownloadError(self._http_message(exc, request.full_url, "")) from exc

    def _http_message(self, exc: urllib.error.HTTPError, what: str, path: str) -> str:
        target = f"{what}/{path}" if path else what
        if exc.code in (401, 403):
            return f"De modelhub weigert toegang tot {target} (HTTP {exc.code})."
        if exc.code == 404:
            return f"{target} bestaat niet op de modelhub (HTTP 404)."
        return f"De modelhub antwoordde HTTP {exc.code} voor {target}."

    @staticmethod
    def _headers(extra: dict[str, str] | None = None) -> dict[str, str]:
        return {"User-Agent": USER_AGENT, **(extra or {})}


def _remote_file(entry: dict) -> RemoteFile:
    lfs = entry.get("lfs")
    if lfs:
        return RemoteFile(entry["path"], int(lfs.get("size", entry.get("size", 0))), sha256=lfs["oid"])
    return RemoteFile(entry["path"], int(entry.get("size", 0)), git_sha1=entry.get("oid"))


def _next_link(header: str | None, current: str) -> str | None:
    if not header:
        return None
    match = re.search(r'<([^>]+)>\s*;\s*rel="?next"?', header)
    return urllib.parse.urljoin(current, match.group(1)) if match else None
