"""Nextcloud's OCS endpoints that Vraagbaak reads, as a WSGI app answering in Nextcloud's JSON shape
(`{"ocs": {"meta": {"status", "statuscode", "message"}, "data": ...}}`; v2 answers carry the status
as HTTP status too, v1 answers are HTTP 200 with the OCS status code in `meta`).

- `GET /ocs/v2.php/apps/files_sharing/api/v1/shares?path=…&reshares=true[&subfiles=true]`: the shares
  of one path, or with `subfiles` of what is directly in that folder; 404 for a path that does not
  exist, 400 for `subfiles` on a file. Fields as ShareAPIController::formatShare gives them. A share
  belongs to the file (its `file_source`), not to the path: after a move it shows the new path.
- `GET /ocs/v1.php/cloud/groups/{group}/users`: `{"users": [...]}`; 404 for an unknown group, 403
  when `group_listing_allowed` is off (the account is no (sub)admin).
- `GET /ocs/v1.php/cloud/users/{user}`: `{"id", "email", "displayname"}`; 404 when unknown.

Every request needs the account's basic auth and the `OCS-APIRequest: true` header (else 401 / 412).
"""

from __future__ import annotations

import base64
import itertools
import json
from pathlib import Path
from urllib.parse import parse_qs, unquote

SHARES = "/ocs/v2.php/apps/files_sharing/api/v1/shares"


class Ocs:
    def __init__(self, root: Path, *, account: str, password: str) -> None:
        self.root, self.account, self.password = root, account, password
        self.users: dict[str, dict] = {}  # uid -> {"email", "displayname"}
        self.groups: dict[str, list[str]] = {}
        self.shares: list[dict] = []
        self.group_listing_allowed = True
        self._ids = itertools.count(1)

    # --- what people do in Nextcloud -------------------------------------------------------------------

    def add_user(self, uid: str, email: str | None) -> None:
        self.users[uid] = {"email": email or "", "displayname": uid.title()}

    def share(self, path: str, share_type: int, share_with: str = "", *, expiration: str | None = None) -> str:
        """Shares a path of the account's files ("/HR/loon.md"); returns the share id."""
        target = self.root / path.strip("/")
        share_id = str(next(self._ids))
        share = {"id": share_id, "share_type": share_type, "uid_owner": self.account, "permissions": 1,
                 "path": "/" + path.strip("/"), "item_type": "folder" if target.is_dir() else "file",
                 "file_source": target.stat().st_ino, "share_with": share_with or None,
                 "share_with_displayname": share_with or None, "expiration": expiration,
                 "token": None, "mail_send": 0}
        if share_type == 3:
            share.update(token=f"tok{share_id}", url=f"https://cloud.example.nl/s/tok{share_id}", share_with=None)
        self.shares.append(share)
        return share_id

    def unshare(self, share_id: str) -> None:
        self.shares = [s for s in self.shares if s["id"] != share_id]

    # --- WSGI ----------------------------------------------------------------------------------------

    def __call__(self, environ, start_response):
        path = unquote(environ.get("PATH_INFO", ""))
        query = {k: v[-1] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        v2 = path.startswith("/ocs/v2.php/")
        if not self._authenticated(environ.get("HTTP_AUTHORIZATION", "")):
            return _send(start_response, 401, _ocs(997, "Current user is not logged in", None, v2))
        if environ.get("HTTP_OCS_APIREQUEST") != "true":
            return _send(start_response, 412, {"message": "CSRF check failed"})
        if path == SHARES:
            status, message, data = self._shares(query)
        elif path.startswith("/ocs/v1.php/cloud/groups/") and path.endswith("/users"):
            status, message, data = self._group(path.split("/")[5])
        elif path.startswith("/ocs/v1.php/cloud/users/"):
            status, message, data = self._user(path.split("/")[5])
        else:
            status, message, data = 404, "Not found", None
        body = _ocs(status, message, data, v2)
        return _send(start_response, status if v2 else 200, body)

    def _authenticated(self, header: str) -> bool:
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            return False
        return base64.b64decode(value).decode() == f"{self.account}:{self.password}"

    def _shares(self, query: dict[str, str]) -> tuple[int, str, object]:
        path = "/" + query.get("path", "").strip("/")
        target = self.root / path.strip("/")
        if not target.exists():
            return 404, "Wrong path, file/folder does not exist", None
        shares = self._current_shares()
        if query.get("subfiles") == "true":
            if not target.is_dir():
                return 400, "Not a directory", None
            inside = [s for s in shares if s["path"].rsplit("/", 1)[0] == path.rstrip("/")]
            return 200, "OK", inside
        return 200, "OK", [s for s in shares if s["path"] == path]

    def _current_shares(self) -> list[dict]:
        """The shares with the paths their files have now; those of deleted files are gone."""
        paths = {p.stat().st_ino: "/" + p.relative_to(self.root).as_posix() for p in self.root.rglob("*")}
        return [dict(s, path=paths[s["file_source"]]) for s in self.shares if s["file_source"] in paths]

    def _group(self, group: str) -> tuple[int, str, object]:
        if not self.group_listing_allowed:
            return 403, "Logged in account must be at least a sub admin", None
        if group not in self.groups:
            return 404, "Group does not exist", None
        return 100, "OK", {"users": list(self.groups[group])}

    def _user(self, uid: str) -> tuple[int, str, object]:
        if uid not in self.users:
            return 404, "User does not exist", None
        return 100, "OK", {"id": uid, "enabled": True, **self.users[uid]}


def _ocs(status: int, message: str, data, v2: bool) -> dict:
    code = 200 if v2 and status == 100 else status
    return {"ocs": {"meta": {"status": "ok" if status in (100, 200) else "failure", "statuscode": code,
                             "message": message}, "data": data if data is not None else []}}


def _send(start_response, status: int, body: dict):
    data = json.dumps(body).encode()
    start_response(f"{status} {'OK' if status < 400 else 'Error'}",
                   [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(data)))])
    return [data]
