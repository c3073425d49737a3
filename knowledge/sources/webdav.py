"""Any WebDAV server: folders listed with PROPFIND (Depth 1), files fetched with GET.

The cursor keeps, per folder, its ETag and what was in it. A server that gives folders an ETag that
changes when anything below changes (Nextcloud, ownCloud) lets a sync skip every unchanged folder: a
sync with nothing changed is one PROPFIND. A server without folder ETags is listed folder by folder
each time, and only files with a new ETag are fetched. Everything the configured account can read
counts as the collection's: each document gets the source's `readers` (by default everyone).
"""

from __future__ import annotations

import email.utils
import logging
import time
from typing import Callable
from urllib.parse import quote, unquote, urljoin, urlsplit

import httpx2
from defusedxml import ElementTree

from knowledge.errors import DocumentError
from knowledge.file_limits import FileLimits
from knowledge.loaders import NO_EXTENSION, SUPPORTED_SUFFIXES, most_frequent_first
from knowledge.models import SkippedFile
from knowledge.sources.base import (EVERYONE, Principal, Renamed, SourceAuthError, SourceDocument, SourceError,
                                    SyncResult, dump_cursor, is_ignored_name, load_cursor, size_problem,
                                    suffix_of)
from knowledge.sources.transport import HttpSession, RetryPolicy, host_key

log = logging.getLogger(__name__)

DAV = "{DAV:}"
PROPS = {"d": ["getetag", "getlastmodified", "getcontentlength", "resourcetype"]}
NAMESPACES = {"d": "DAV:", "oc": "http://owncloud.org/ns", "nc": "http://nextcloud.org/ns"}


class Entry(dict):
    """One PROPFIND response: `path` (relative to the root, "" for the root), `folder`, and props."""

    @property
    def path(self) -> str:
        return self["path"]


class WebDavSource:
    """The files under one WebDAV folder (`url`), read with one account."""

    kind = "webdav"
    props = PROPS
    label = "WebDAV"

    def __init__(self, name: str, *, url: str, username: str, password: str,
                 readers: frozenset[Principal] = frozenset({EVERYONE}), limits: FileLimits = FileLimits(),
                 ca_file: str | None = None, retry: RetryPolicy = RetryPolicy(),
                 sleep: Callable[[float], None] = time.sleep, timeout_s: float = 30.0) -> None:
        self.name = name
        self.root_url = url if url.endswith("/") else url + "/"
        self.root_path = unquote(urlsplit(self.root_url).path)
        self.readers = frozenset(readers)
        self.limits = limits
        self.http = HttpSession(label=self.label, allowed_hosts=[host_key(self.root_url)],
                                auth=httpx2.BasicAuth(username, password), ca_file=ca_file, retry=retry,
                                sleep=sleep, timeout_s=timeout_s)

    # --- the Source interface ----------------------------------------------------------------------

    def sync(self, cursor: str | None) -> SyncResult:
        known = load_cursor(self.kind, cursor) or {"folders": {}, "files": {}}
        walk = _Walk(known)
        self._list("", known, walk)
        result = SyncResult(cursor=dump_cursor(self.kind, {"folders": walk.folders, "files": walk.files}),
                            skipped=walk.skipped)
        for doc_id, (path, etag, entry) in sorted(walk.seen.items(), key=lambda kv: kv[1][0]):
            previous = known["files"].get(doc_id)
            if previous is None or previous[1] != etag:
                (result.added if previous is None else result.changed).append(self._document(doc_id, entry))
            elif previous[0] != path:
                result.renamed.append(Renamed(self._document(doc_id, entry), previous[0]))
            else:
                result.unchanged += 1
        result.unchanged += walk.skipped_files
        result.deleted = sorted(set(known["files"]) - set(walk.files))
        result.not_read = most_frequent_first(walk.not_read())
        return result

    def fetch(self, document: SourceDocument) -> bytes:
        if document.problem:
            raise DocumentError(document.problem)
        return self.http.download(self._url(document.path), self.limits)

    def refresh_readers(self, cursor: str) -> dict[str, frozenset[Principal]]:
        state = load_cursor(self.kind, cursor) or {"files": {}}
        return dict.fromkeys(state["files"], self.readers)

    def members(self, group: Principal) -> frozenset[str]:
        return frozenset()

    def check(self) -> None:
        self._propfind("", depth="0")

    def close(self) -> None:
        self.http.close()

    # --- listing -------------------------------------------------------------------------------------

    def _list(self, folder: str, known: dict, walk: "_Walk") -> None:
        entries = self._propfind(folder, depth="1")
        if entries is None:
            walk.skipped.append(SkippedFile(folder or "/", "de map is niet (meer) leesbaar voor het account"))
            return
        this = next((e for e in entries if e.path == folder), Entry(path=folder, folder=True, etag=None))
        children = [e for e in entries if e.path != folder]
        walk.folders[folder] = {"etag": this.get("etag"), "folders": [], "files": [], "others": []}
        for entry in sorted(children, key=lambda e: e.path):
            name = entry.path.rsplit("/", 1)[-1]
            if is_ignored_name(name):
                continue
            if entry["folder"]:
                walk.folders[folder]["folders"].append(entry.path)
                previous = known["folders"].get(entry.path)
                if entry.get("etag") and previous and previous["etag"] == entry["etag"]:
                    walk.keep(entry.path)  # nothing below it changed: no request
                else:
                    self._list(entry.path, known, walk)
            elif suffix_of(name) in SUPPORTED_SUFFIXES:
                doc_id = self._id(entry)
                walk.folders[folder]["files"].append(doc_id)
                walk.files[doc_id] = [entry.path, entry.get("etag") or _version(entry), entry.get("owner")]
                walk.seen[doc_id] = (entry.path, walk.files[doc_id][1], entry)
            else:
                walk.folders[folder]["others"].append(suffix_of(name) or NO_EXTENSION)

    def _propfind(self, folder: str, *, depth: str) -> list[Entry] | None:
        """The folder's entries, or None when it is gone or not readable."""
        response = self.http.request("PROPFIND", self._url(folder, folder=True), content=self._body(),
                                     headers={"Depth": depth, "Content-Type": "application/xml; charset=utf-8"})
        if response.status_code == 401:
            raise SourceAuthError(f"{self.label} weigert de gebruikersnaam of het (app-)wachtwoord van de bron "
                                  f"{self.name}.")
        if response.status_code in (403, 404):
            return None
        if response.status_code != 207:
            raise SourceError(f"{self.label} antwoordde HTTP {response.status_code} op het opvragen van een map.")
        try:
            return [self._entry(node) for node in ElementTree.fromstring(response.content).iter(f"{DAV}response")]
        except (ElementTree.ParseError, ValueError) as exc:
            raise SourceError(f"{self.label} gaf een maplijst die geen geldige WebDAV-XML is.") from exc

    def _body(self) -> bytes:
        props = "".join(f"<{prefix}:{name}/>" for prefix, names in self.props.items() for name in names)
        namespaces = " ".join(f'xmlns:{prefix}="{uri}"' for prefix, uri in NAMESPACES.items())
        return (f'<?xml version="1.0" encoding="utf-8"?>'
                f'<d:propfind {namespaces}><d:prop>{props}</d:prop></d:propfind>').encode()

    def _entry(self, node) -> Entry:
        href = unquote(urlsplit(urljoin(self.root_url, node.findtext(f"{DAV}href") or "")).path)
        if not href.startswith(self.root_path.rstrip("/")):
            raise ValueError(f"href outside the root: {href}")
        entry = Entry(path=href[len(self.root_path):].strip("/"), folder=False)
        for propstat in node.iter(f"{DAV}propstat"):
            if " 200 " not in f"{propstat.findtext(f'{DAV}status') or ''} ":
                continue
            for prop in propstat.iter(f"{DAV}prop"):
                for value in prop:
                    self._read_prop(entry, value)
        return entry

    def _read_prop(self, entry: Entry, value) -> None:
        tag = value.tag
        if tag == f"{DAV}resourcetype":
            entry["folder"] = value.find(f"{DAV}collection") is not None
        elif tag == f"{DAV}getetag":
            entry["etag"] = (value.text or "").strip() or None
        elif tag == f"{DAV}getlastmodified":
            entry["modified"] = _http_date(value.text)
        elif tag == f"{DAV}getcontentlength" and (value.text or "").strip().isdigit():
            entry["size"] = int(value.text.strip())

    # --- documents -----------------------------------------------------------------------------------

    def _id(self, entry: Entry) -> str:
        return entry.path

    def _document(self, doc_id: str, entry: Entry) -> SourceDocument:
        return SourceDocument(id=doc_id, path=entry.path, url=self._link(entry),
                              version=entry.get("etag") or _version(entry), modified=entry.get("modified", 0.0),
                              readers=self.readers, size=entry.get("size"),
                              problem=size_problem(entry.get("size"), self.limits))

    def _link(self, entry: Entry) -> str:
        return self._url(entry.path)

    def _url(self, path: str, *, folder: bool = False) -> str:
        url = self.root_url + quote(path)
        return url + "/" if folder and path else url


class _Walk:
    """What one sync finds: the new state of folders and files, and the documents it listed."""

    def __init__(self, known: dict) -> None:
        self.known = known
        self.folders: dict[str, dict] = {}
        self.files: dict[str, list] = {}
        self.seen: dict[str, tuple[str, str, Entry]] = {}
        self.skipped: list[SkippedFile] = []
        self.skipped_files = 0  # documents under unchanged folders: unchanged without a request

    def keep(self, folder: str) -> None:
        """Takes a folder and everything below it over from the previous state."""
        state = self.known["folders"][folder]
        self.folders[folder] = state
        for doc_id in state["files"]:
            self.files[doc_id] = self.known["files"][doc_id]
            self.skipped_files += 1
        for child in state["folders"]:
            self.keep(child)

    def not_read(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for state in self.folders.values():
            for suffix in state["others"]:
                counts[suffix] = counts.get(suffix, 0) + 1
        return counts


def _version(entry: Entry) -> str:
    """A version for a server without file ETags: modification time and size."""
    return f"{entry.get('modified', 0.0):.0f}-{entry.get('size', 0)}"


def _http_date(value: str | None) -> float:
    try:
        return email.utils.parsedate_to_datetime(value or "").timestamp()
    except (TypeError, ValueError):
        return 0.0
