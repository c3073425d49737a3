"""SharePoint sites and OneDrive drives through Microsoft Graph, with app-only credentials.

Per drive, `delta` gives everything at first and afterwards only what changed, in pages
(`@odata.nextLink`) that end with an `@odata.deltaLink` kept in the cursor; deleted items carry the
`deleted` facet, and a rename is an item with a new name or parent but the same id and content tag
(`cTag`). Delta gives no paths, so the cursor keeps each drive's folders (id -> name, parent) and
each file's last path. Readers come from each item's permissions, asked 20 at a time through
JSON batching (`$batch`); content from `/content`, which answers with a redirect to a
pre-authenticated download URL on the tenant's SharePoint host.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime
from typing import Callable, Sequence
from urllib.parse import quote

import httpx2

from knowledge.errors import DocumentError
from knowledge.file_limits import FileLimits, check_file_size
from knowledge.loaders import NO_EXTENSION, SUPPORTED_SUFFIXES, most_frequent_first
from knowledge.sources.base import (Principal, Renamed, SourceAuthError, SourceDocument, SourceError, SyncResult,
                                    dump_cursor, is_ignored_name, load_cursor, size_problem, suffix_of)
from knowledge.sources.graph_auth import GraphToken
from knowledge.sources.graph_permissions import readers_from_permissions
from knowledge.sources.transport import THROTTLED, HttpSession, RetryPolicy, host_key

log = logging.getLogger(__name__)

GRAPH_URL = "https://graph.microsoft.com/v1.0"
ITEM_FIELDS = "id,name,parentReference,file,folder,package,root,deleted,cTag,eTag,lastModifiedDateTime,webUrl,size"
BATCH_SIZE = 20  # Graph's limit of requests in one $batch
REDIRECTS = frozenset({301, 302, 303, 307, 308})


class GraphSource:
    """The drives of the configured SharePoint sites (id, or `host:/sites/path`) and drives (id)."""

    kind = "graph"

    def __init__(self, name: str, *, token: GraphToken, sites: Sequence[str] = (), drives: Sequence[str] = (),
                 graph_url: str = GRAPH_URL, download_hosts: Sequence[str] = ("*.sharepoint.com",),
                 site_group_readers: frozenset[Principal] = frozenset(), limits: FileLimits = FileLimits(),
                 page_size: int = 200, ca_file: str | None = None, retry: RetryPolicy = RetryPolicy(),
                 sleep: Callable[[float], None] = time.sleep, timeout_s: float = 30.0) -> None:
        if not sites and not drives:
            raise SourceError(f"Bron {name}: geef minstens één SharePoint-site of drive op.")
        self.name = name
        self.token = token
        self.sites, self.drives = list(sites), list(drives)
        self.graph_url = graph_url.rstrip("/")
        self.site_group_readers = frozenset(site_group_readers)
        self.limits = limits
        self.page_size = page_size
        self.http = HttpSession(label="SharePoint", allowed_hosts=[host_key(self.graph_url), *download_hosts],
                                ca_file=ca_file, retry=retry, sleep=sleep, timeout_s=timeout_s)
        self._emails: dict[str, str | None] = {}

    # --- the Source interface ----------------------------------------------------------------------

    def sync(self, cursor: str | None) -> SyncResult:
        state = load_cursor(self.kind, cursor) or {"drives": {}}
        result = SyncResult(cursor="")
        drives = {}
        self._emails.clear()
        for drive_id, drive_name in self._list_drives():
            known = state["drives"].get(drive_id) or {"delta": None, "folders": {}, "files": {}, "others": {}}
            drives[drive_id] = self._sync_drive(drive_id, drive_name, known, result)
        for drive_id in set(state["drives"]) - set(drives):  # a drive no longer configured or gone
            result.deleted.extend(f"{drive_id}/{item}" for item in state["drives"][drive_id]["files"])
        self._fill_readers(result)
        result.not_read = most_frequent_first(Counter(suffix for drive in drives.values()
                                                      for suffix, _ in drive["others"].values()))
        result.cursor = dump_cursor(self.kind, {"drives": drives})
        return result

    def fetch(self, document: SourceDocument) -> bytes:
        if document.problem:
            raise DocumentError(document.problem)
        drive_id, item_id = _split(document.id)
        response = self._call("GET", f"{self.graph_url}/drives/{drive_id}/items/{item_id}/content")
        if response.status_code in REDIRECTS and response.headers.get("Location"):
            return self.http.download(response.headers["Location"], self.limits)
        if response.is_success:
            check_file_size(len(response.content), self.limits)
            return response.content
        raise DocumentError(f"SharePoint gaf de inhoud niet (HTTP {response.status_code}{_error_code(response)})")

    def refresh_readers(self, cursor: str) -> dict[str, frozenset[Principal]]:
        state = load_cursor(self.kind, cursor) or {"drives": {}}
        self._emails.clear()
        refs = [(drive_id, item) for drive_id, drive in state["drives"].items() for item in drive["files"]]
        return {f"{d}/{i}": readers for (d, i), readers in self._permissions(refs).items()}

    def members(self, group: Principal) -> frozenset[str]:
        if group.kind != "group" or group.source != self.name:
            return frozenset()
        url = (f"{self.graph_url}/groups/{quote(group.id)}/transitiveMembers"
               "?$select=id,mail,userPrincipalName&$top=999")
        emails = set()
        while url:
            response = self._call("GET", url)
            if response.status_code == 404:  # the group is gone: it grants nobody anything
                return frozenset()
            body = self._json(response)
            for member in body.get("value", []):
                address = member.get("mail") or member.get("userPrincipalName")
                if member.get("@odata.type") == "#microsoft.graph.user" and address:
                    emails.add(address.lower())
            url = body.get("@odata.nextLink")
        return frozenset(emails)

    def check(self) -> None:
        self._list_drives()

    def close(self) -> None:
        self.http.close()

    # --- delta ---------------------------------------------------------------------------------------

    def _sync_drive(self, drive_id: str, drive_name: str, known: dict, result: SyncResult) -> dict:
        items, delta, full = self._delta(drive_id, known["delta"])
        folders = {} if full else dict(known["folders"])
        files = {} if full else {item: list(entry) for item, entry in known["files"].items()}
        others = {} if full else dict(known["others"])  # files of types not read: id -> [extension, parent]
        for item in items.values():
            self._apply(item, folders, files, others)
        paths = _Paths(folders, drive_name)
        for item_id, entry in sorted(files.items()):
            path = paths.of(entry[1], entry[0])
            if path is None:  # under a folder that was deleted
                del files[item_id]
                continue
            previous = known["files"].get(item_id)
            entry[3] = path
            if previous is None or previous[2] != entry[2]:
                document = self._document(drive_id, items[item_id], path)
                (result.added if previous is None else result.changed).append(document)
            elif previous[3] != path:
                item = items.get(item_id) or self._item(drive_id, item_id)
                result.renamed.append(Renamed(self._document(drive_id, item, path), previous[3]))
            else:
                result.unchanged += 1
        result.deleted.extend(f"{drive_id}/{item}" for item in sorted(set(known["files"]) - set(files)))
        for item_id in [item for item, (_, parent) in others.items() if paths.of(parent, "") is None]:
            del others[item_id]
        return {"delta": delta, "folders": folders, "files": files, "others": others}

    def _delta(self, drive_id: str, link: str | None) -> tuple[dict[str, dict], str, bool]:
        """The items delta gives from `link` (None: all of them), the next delta link, and whether
        this was a full enumeration (so what it did not give is gone)."""
        start = f"{self.graph_url}/drives/{drive_id}/root/delta?$select={ITEM_FIELDS}&$top={self.page_size}"
        url, full, items = link or start, link is None, {}
        delta = None
        while url:
            response = self._call("GET", url)
            if response.status_code == 410 and not full:  # the delta link expired: enumerate again
                log.warning("SharePoint drive %s: delta link expired, enumerating the drive again", drive_id)
                url, full, items = start, True, {}
                continue
            body = self._json(response)
            for item in body.get("value", []):
                items[item["id"]] = item
            url = body.get("@odata.nextLink")
            delta = body.get("@odata.deltaLink", delta)
        if not delta:
            raise SourceError("SharePoint gaf geen delta-link terug; de synchronisatie wordt later herhaald.")
        return items, delta, full

    @staticmethod
    def _apply(item: dict, folders: dict, files: dict, others: dict) -> None:
        item_id, parent = item["id"], (item.get("parentReference") or {}).get("id")
        others.pop(item_id, None)
        if "deleted" in item:
            folders.pop(item_id, None)
            files.pop(item_id, None)
        elif "root" in item:
            folders[item_id] = ["", None]
        elif "folder" in item or "package" in item:
            folders[item_id] = [item.get("name", ""), parent]
        elif "file" in item:
            name = item.get("name", "")
            if is_ignored_name(name):
                files.pop(item_id, None)
            elif suffix_of(name) in SUPPORTED_SUFFIXES:
                version = item.get("cTag") or item.get("eTag") or ""
                files[item_id] = [name, parent, version, files.get(item_id, [None] * 4)[3]]
            else:
                files.pop(item_id, None)
                others[item_id] = [suffix_of(name) or NO_EXTENSION, parent]

    def _item(self, drive_id: str, item_id: str) -> dict:
        url = f"{self.graph_url}/drives/{drive_id}/items/{item_id}?$select={ITEM_FIELDS}"
        return self._json(self._call("GET", url))

    def _document(self, drive_id: str, item: dict, path: str) -> SourceDocument:
        size = item.get("size")
        return SourceDocument(id=f"{drive_id}/{item['id']}", path=path, url=item.get("webUrl", ""),
                              version=item.get("cTag") or item.get("eTag") or "",
                              modified=_timestamp(item.get("lastModifiedDateTime")), readers=frozenset(),
                              size=size, problem=size_problem(size, self.limits))

    # --- readers -------------------------------------------------------------------------------------

    def _fill_readers(self, result: SyncResult) -> None:
        documents = result.added + result.changed + [r.document for r in result.renamed]
        readers = self._permissions([_split(d.id) for d in documents])
        with_readers = {d.id: replace(d, readers=readers.get(_split(d.id), frozenset())) for d in documents}
        result.added = [with_readers[d.id] for d in result.added]
        result.changed = [with_readers[d.id] for d in result.changed]
        result.renamed = [Renamed(with_readers[r.document.id], r.previous_path) for r in result.renamed]

    def _permissions(self, refs: list[tuple[str, str]]) -> dict[tuple[str, str], frozenset[Principal]]:
        found: dict[tuple[str, str], frozenset[Principal]] = {}
        for start in range(0, len(refs), BATCH_SIZE):
            self._permissions_batch(refs[start:start + BATCH_SIZE], found)
        return found

    def _permissions_batch(self, refs: list[tuple[str, str]], found: dict) -> None:
        pending = {str(n): ref for n, ref in enumerate(refs)}
        for attempt in range(1, self.http.retry.attempts + 1):
            body = self._json(self._call("POST", f"{self.graph_url}/$batch", json={"requests": [
                {"id": n, "method": "GET", "url": f"/drives/{d}/items/{i}/permissions"}
                for n, (d, i) in pending.items()]}))
            throttled, wait = {}, None
            for answer in body.get("responses", []):
                ref = pending.get(str(answer.get("id")))
                if ref is None:
                    continue
                if answer.get("status") in THROTTLED:
                    throttled[str(answer["id"])] = ref
                    wait = (answer.get("headers") or {}).get("Retry-After") or wait
                elif answer.get("status") == 200:
                    found[ref] = self._readers(answer.get("body") or {})
                else:  # fail closed: a document whose permissions cannot be read has no readers
                    log.warning("SharePoint: permissions of %s/%s not readable (HTTP %s): no readers",
                                ref[0], ref[1], answer.get("status"))
                    found[ref] = frozenset()
            if not throttled:
                return
            if attempt == self.http.retry.attempts:
                break
            self.http.wait_before_retry(wait, attempt, "429 in $batch")
            pending = throttled
        raise SourceError("SharePoint beperkt het aantal verzoeken (machtigingen); de synchronisatie "
                          "probeert het later opnieuw.")

    def _readers(self, body: dict) -> frozenset[Principal]:
        permissions = list(body.get("value", []))
        url = body.get("@odata.nextLink")
        while url:
            page = self._json(self._call("GET", url))
            permissions.extend(page.get("value", []))
            url = page.get("@odata.nextLink")
        return readers_from_permissions(permissions, source=self.name, email_of=self._email_of,
                                        site_group_readers=self.site_group_readers)

    def _email_of(self, user_id: str) -> str | None:
        if user_id not in self._emails:
            response = self._call("GET", f"{self.graph_url}/users/{quote(user_id)}?$select=mail,userPrincipalName")
            body = self._json(response) if response.status_code != 404 else {}
            self._emails[user_id] = body.get("mail") or body.get("userPrincipalName")
        return self._emails[user_id]

    # --- requests ------------------------------------------------------------------------------------

    def _list_drives(self) -> list[tuple[str, str]]:
        found = []
        for site in self.sites:
            site_id = site
            if ":" in site and "," not in site:  # host:/sites/path -> the site's id
                site_id = self._json(self._call("GET", f"{self.graph_url}/sites/{site}?$select=id"))["id"]
            url = f"{self.graph_url}/sites/{site_id}/drives?$select=id,name"
            while url:
                body = self._json(self._call("GET", url))
                found.extend((drive["id"], drive.get("name", "")) for drive in body.get("value", []))
                url = body.get("@odata.nextLink")
        for drive_id in self.drives:
            drive = self._json(self._call("GET", f"{self.graph_url}/drives/{drive_id}?$select=id,name"))
            found.append((drive["id"], drive.get("name", "")))
        return found

    def _call(self, method: str, url: str, **kwargs) -> httpx2.Response:
        """A Graph API request with the app's token; a token Graph refuses is renewed once."""
        if host_key(url) != host_key(self.graph_url):
            raise SourceError(f"SharePoint: verwijzing naar een andere server geweigerd ({host_key(url)}).")
        response = self.http.request(method, url, headers=self._authorization(self.token.get()), **kwargs)
        if response.status_code == 401:
            log.info("SharePoint refused the access token (%s): renewing it", _error_code(response).strip(", :"))
            response = self.http.request(method, url, headers=self._authorization(self.token.renew()), **kwargs)
            if response.status_code == 401:
                raise SourceAuthError("SharePoint weigert ook een nieuw toegangstoken; controleer de "
                                      "API-machtigingen van de app (Sites.Read.All, Files.Read.All).")
        return response

    @staticmethod
    def _authorization(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    @staticmethod
    def _json(response: httpx2.Response) -> dict:
        if response.status_code == 403:
            raise SourceAuthError("SharePoint geeft de app geen toegang (HTTP 403); geef haar de "
                                  "API-machtigingen Sites.Read.All en Files.Read.All (beheerderstoestemming).")
        if response.status_code == 404:
            raise SourceError(f"SharePoint kent dit adres niet (HTTP 404{_error_code(response)}): "
                              "controleer de site of drive.")
        if not response.is_success:
            raise SourceError(f"SharePoint antwoordde HTTP {response.status_code}{_error_code(response)}.")
        try:
            return response.json()
        except ValueError as exc:
            raise SourceError("SharePoint gaf een antwoord dat geen JSON is.") from exc


class _Paths:
    """Paths of items from the folders' names and parents; None under a folder no longer there."""

    def __init__(self, folders: dict[str, list], drive_name: str) -> None:
        self.folders = folders
        self.drive_name = drive_name
        self.cache: dict[str, str | None] = {}

    def of(self, parent: str | None, name: str) -> str | None:
        folder = self._folder(parent)
        return None if folder is None else f"{folder}/{name}"

    def _folder(self, folder_id: str | None) -> str | None:
        if folder_id not in self.folders:
            return None
        if folder_id not in self.cache:
            self.cache[folder_id] = None  # a loop of parents ends here instead of recursing forever
            name, parent = self.folders[folder_id]
            self.cache[folder_id] = self.drive_name if parent is None else (
                None if (above := self._folder(parent)) is None else f"{above}/{name}")
        return self.cache[folder_id]


def _split(document_id: str) -> tuple[str, str]:
    drive_id, _, item_id = document_id.rpartition("/")
    return drive_id, item_id


def _timestamp(value: str | None) -> float:
    if not value:
        return 0.0
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return 0.0


def _error_code(response: httpx2.Response) -> str:
    try:
        code = response.json().get("error", {}).get("code")
    except (ValueError, AttributeError):
        return ""
    return f": {code}" if code else ""
