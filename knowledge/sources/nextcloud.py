"""Nextcloud: its WebDAV with Nextcloud's own properties, and its OCS API for who may read what.

Files are listed at `/remote.php/dav/files/{user}/{folder}` with `oc:fileid` (the id, which a
rename keeps) and `oc:owner-id`; folder ETags change when anything below changes, so an unchanged
folder costs no request. A document's readers are its owner and everyone a share reaches: shares
on the file itself and on every folder above it (a folder share covers what is in it), read from
`/ocs/v2.php/apps/files_sharing/api/v1/shares` with `reshares=true` (all shares, not only the
account's own) and `subfiles=true` (the shares of what is in one folder). Share types: user (0),
group (1), public link (3: anyone with the link, so everyone), e-mail (4); the others (federated
cloud, teams, Talk rooms) reach no one in the organisation we can name, so they grant nothing.
People are matched by the e-mail address of their Nextcloud account (`/ocs/v1.php/cloud/users`),
group members come from `/ocs/v1.php/cloud/groups/{group}/users` (the account must be a group
admin or admin for that).

Let the configured account own the folder. Of a folder someone else shared with it, Nextcloud
shows the account only the shares it made itself: its documents then get the owner and those as
readers, fewer than may read them, never more. Team folders (the groupfolders app) grant access
by their own rules, not by shares, and are not read here.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import datetime
from typing import Callable
from urllib.parse import quote

from knowledge.file_limits import FileLimits
from knowledge.sources.base import EVERYONE, Principal, SourceAuthError, SourceDocument, SourceError, load_cursor, user
from knowledge.sources.transport import RetryPolicy
from knowledge.sources.webdav import PROPS, Entry, WebDavSource

log = logging.getLogger(__name__)

OC = "{http://owncloud.org/ns}"
SHARES = "/ocs/v2.php/apps/files_sharing/api/v1/shares"
SHARE_USER, SHARE_GROUP, SHARE_LINK, SHARE_EMAIL = 0, 1, 3, 4


class NextcloudSource(WebDavSource):
    """One folder of one Nextcloud account (an app password is best)."""

    kind = "nextcloud"
    label = "Nextcloud"
    props = {**PROPS, "oc": ["fileid", "owner-id"]}

    def __init__(self, name: str, *, base_url: str, username: str, password: str, folder: str = "",
                 limits: FileLimits = FileLimits(), ca_file: str | None = None, retry: RetryPolicy = RetryPolicy(),
                 sleep: Callable[[float], None] = time.sleep, timeout_s: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.folder = "/" + folder.strip("/") if folder.strip("/") else ""  # in the account's files
        super().__init__(name, url=f"{self.base_url}/remote.php/dav/files/{quote(username)}{quote(self.folder)}/",
                         username=username, password=password, readers=frozenset(), limits=limits,
                         ca_file=ca_file, retry=retry, sleep=sleep, timeout_s=timeout_s)
        self._emails: dict[str, str | None] = {}
        self._shares: dict[str, dict[str, list[dict]]] = {}

    # --- the Source interface ----------------------------------------------------------------------

    def sync(self, cursor: str | None):
        self._forget()
        return super().sync(cursor)

    def refresh_readers(self, cursor: str) -> dict[str, frozenset[Principal]]:
        self._forget()
        state = load_cursor(self.kind, cursor) or {"files": {}}
        return {doc_id: self._readers_at(path, owner) for doc_id, (path, _, owner) in state["files"].items()}

    def members(self, group: Principal) -> frozenset[str]:
        if group.kind != "group" or group.source != self.name:
            return frozenset()
        data = self._ocs(f"/ocs/v1.php/cloud/groups/{quote(group.id, safe='')}/users", {}, what="groepsleden")
        emails = (self._email_of(uid) for uid in (data or {}).get("users", []))
        return frozenset(email.lower() for email in emails if email)

    # --- WebDAV with Nextcloud's properties ----------------------------------------------------------

    def _read_prop(self, entry: Entry, value) -> None:
        if value.tag == f"{OC}fileid":
            entry["fileid"] = (value.text or "").strip()
        elif value.tag == f"{OC}owner-id":
            entry["owner"] = (value.text or "").strip() or None
        else:
            super()._read_prop(entry, value)

    def _id(self, entry: Entry) -> str:
        return entry.get("fileid") or entry.path

    def _link(self, entry: Entry) -> str:
        return f"{self.base_url}/f/{entry['fileid']}" if entry.get("fileid") else super()._link(entry)

    def _document(self, doc_id: str, entry: Entry) -> SourceDocument:
        return replace(super()._document(doc_id, entry), readers=self._readers_at(entry.path, entry.get("owner")))

    # --- readers -------------------------------------------------------------------------------------

    def _forget(self) -> None:
        """Shares and e-mail addresses are asked again in each sync: they change without the files."""
        self._emails.clear()
        self._shares.clear()

    def _readers_at(self, path: str, owner: str | None) -> frozenset[Principal]:
        readers: set[Principal] = set()
        if owner and (address := self._email_of(owner)):
            readers.add(user(address))
        parts = path.split("/")
        for depth in range(len(parts)):  # the file and each folder above it, inside the root
            shares = self._shares_in("/".join(parts[:depth]))
            for share in shares.get(self._full("/".join(parts[:depth + 1])), []):
                readers |= self._share_readers(share)
        for folder in self._root_and_above():
            for share in self._shares_in(folder, subfiles=False).get(folder, []):
                readers |= self._share_readers(share)
        return frozenset(readers)

    def _full(self, path: str) -> str:
        """A path inside the root as a path in the account's files: "/HR/loon/2026.md"."""
        return f"{self.folder}/{path}".rstrip("/") or "/"

    def _root_and_above(self) -> list[str]:
        parts = [p for p in self.folder.split("/") if p]
        return ["/" + "/".join(parts[:n]) for n in range(len(parts), 0, -1)]

    def _shares_in(self, folder: str, *, subfiles: bool = True) -> dict[str, list[dict]]:
        """Shares by the path they share: of what is in `folder` (inside the root), or with
        `subfiles=False` of `folder` itself (a path in the account's files)."""
        path = self._full(folder) if subfiles else folder
        key = f"{subfiles}:{path}"
        if key not in self._shares:
            params = {"path": path, "reshares": "true", **({"subfiles": "true"} if subfiles else {})}
            found: dict[str, list[dict]] = {}
            for share in self._ocs(SHARES, params, what="de shares") or []:
                found.setdefault((share.get("path") or "").rstrip("/") or "/", []).append(share)
            self._shares[key] = found
        return self._shares[key]

    def _share_readers(self, share: dict) -> set[Principal]:
        kind, target = int(share.get("share_type", -1)), share.get("share_with") or ""
        if _expired(share.get("expiration")):
            return set()
        if kind == SHARE_USER:
            address = self._email_of(target)
            return {user(address)} if address else set()
        if kind == SHARE_GROUP and target:
            return {Principal("group", target, self.name)}
        if kind == SHARE_LINK:
            return {EVERYONE}
        if kind == SHARE_EMAIL and "@" in target:
            return {user(target)}
        log.info("Nextcloud share %s of type %s grants no one we can name", share.get("id"), kind)
        return set()

    def _email_of(self, uid: str) -> str | None:
        if uid not in self._emails:
            data = self._ocs(f"/ocs/v1.php/cloud/users/{quote(uid, safe='')}", {}, what="gebruikersgegevens")
            self._emails[uid] = (data or {}).get("email") or None
            if data is not None and not self._emails[uid]:
                log.info("Nextcloud user %s has no e-mail address: gets no access through Vraagbaak", uid)
        return self._emails[uid]

    def _ocs(self, path: str, params: dict[str, str], *, what: str):
        """The `data` of an OCS answer; None for "not found"."""
        response = self.http.request("GET", f"{self.base_url}{path}", params={**params, "format": "json"},
                                     headers={"OCS-APIRequest": "true", "Accept": "application/json"})
        if response.status_code == 401:
            raise SourceAuthError(f"Nextcloud weigert de gebruikersnaam of het app-wachtwoord van de bron {self.name}.")
        try:
            body = response.json()["ocs"]
            status = int(body["meta"]["statuscode"])
        except (ValueError, KeyError, TypeError) as exc:
            raise SourceError(f"Nextcloud gaf geen OCS-antwoord bij het opvragen van {what} "
                              f"(HTTP {response.status_code}).") from exc
        if status in (100, 200):
            return body.get("data")
        if status == 404:
            return None
        if status in (403, 997) or response.status_code == 403:
            raise SourceAuthError(f"Het Nextcloud-account van de bron {self.name} mag {what} niet opvragen "
                                  "(maak het groepsbeheerder, of beheerder).")
        raise SourceError(f"Nextcloud antwoordde {status} bij het opvragen van {what}.")


def _expired(value: str | None) -> bool:
    if not value:
        return False
    try:
        return datetime.fromisoformat(value.strip()).date() <= datetime.now().date()  # expires at the start of that day
    except ValueError:
        return False
