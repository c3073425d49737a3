"""Which answer of the fake Graph a request gets (server.py has the HTTP, tenant.py the state)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fakes.graph.tenant import Drive, Item

Answer = tuple[int, "dict | bytes", dict, str]  # status, JSON body (or bytes), headers, kind of request


class GraphRoutes:
    def __init__(self, graph, authorization: str) -> None:
        self.graph = graph
        self.tenant = graph.tenant
        self.authorization = authorization

    def download(self, path: str) -> Answer:
        key = path.rsplit("/", 1)[-1]
        data = self.graph.downloads.pop(key, None)
        if data is None:
            return 404, {"error": {"code": "itemNotFound", "message": "expired"}}, {}, "download"
        return 200, data, {"Content-Type": "application/octet-stream"}, "download"

    def answer(self, method: str, path: str, query: dict[str, str], body: bytes) -> Answer:
        if path.endswith("/v2.0/.well-known/openid-configuration"):
            status, payload = self.graph.openid_configuration(path.split("/")[1])
            return status, payload, {}, "discovery"
        if path.endswith("/oauth2/v2.0/token") and method == "POST":
            form = {k: v[-1] for k, v in parse_qs(body.decode()).items()}
            status, payload = self.graph.token(path.split("/")[1], form)
            return status, payload, {}, "token"
        if not path.startswith("/v1.0/"):
            return 404, error("notFound", path), {}, "unknown"
        if not self._authorised():
            expired = error("InvalidAuthenticationToken", "Access token has expired or is not yet valid.")
            return 401, expired, {}, "refused"
        rest = path[len("/v1.0/"):]
        if self.graph.take_throttle():
            wait = {"Retry-After": self.graph.retry_after}
            return 429, error("TooManyRequests", "Too many requests"), wait, "throttled"
        if rest == "$batch" and method == "POST":
            return 200, {"responses": [self._batched(r) for r in json.loads(body)["requests"]]}, {}, "batch"
        status, payload, headers, kind = self.resource(rest, query)
        return status, payload, headers, kind

    def _authorised(self) -> bool:
        scheme, _, token = self.authorization.partition(" ")
        return scheme == "Bearer" and self.graph.tokens.get(token, False)

    def _batched(self, request: dict) -> dict:
        if self.graph.take_throttle(inside_batch=True):
            return {"id": request["id"], "status": 429, "headers": {"Retry-After": self.graph.retry_after},
                    "body": error("TooManyRequests", "Too many requests")}
        parts = urlsplit(request["url"])
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        status, payload, headers, _ = self.resource(unquote(parts.path).lstrip("/"), query)
        return {"id": request["id"], "status": status, "headers": headers, "body": payload}

    def resource(self, rest: str, query: dict[str, str]) -> Answer:
        if rest.startswith("sites/"):
            return self._site(rest[len("sites/"):])
        if rest.startswith("groups/") and rest.endswith("/transitiveMembers"):
            status, payload = self.graph.members(rest.split("/")[1], query)
            return status, payload, {}, "members"
        if rest.startswith("users/"):
            user = self.tenant.users.get(rest.split("/")[1])
            if user is None:
                return 404, error("Request_ResourceNotFound", "Resource does not exist."), {}, "user"
            return 200, {"id": rest.split("/")[1], **user}, {}, "user"
        segments = rest.split("/")
        if segments[0] != "drives" or len(segments) < 2 or segments[1] not in self.tenant.drives:
            return 404, error("itemNotFound", rest), {}, "unknown"
        drive = self.tenant.drives[segments[1]]
        if len(segments) == 2:
            return 200, {"id": drive.id, "name": drive.name, "driveType": "documentLibrary"}, {}, "drive"
        if segments[2:] == ["root", "delta"]:
            status, payload = self.graph.delta(drive, query)
            return status, payload, {}, "delta"
        if segments[2] == "items" and len(segments) >= 4:
            return self._item(drive, segments[3], segments[4:])
        return 404, error("itemNotFound", rest), {}, "unknown"

    def _site(self, rest: str) -> Answer:
        if rest.endswith("/drives"):
            site_id = rest[: -len("/drives")]
            if site_id not in self.tenant.sites:
                return 404, error("itemNotFound", "Requested site could not be found"), {}, "drives"
            drives = [{"id": d.id, "name": d.name, "driveType": "documentLibrary"}
                      for d in self.tenant.drives.values() if d.site == site_id]
            return 200, {"value": drives}, {}, "drives"
        for site_id, site in self.tenant.sites.items():
            if rest in (site_id, site["path"]):
                return 200, {"id": site_id}, {}, "site"
        return 404, error("itemNotFound", "Requested site could not be found"), {}, "site"

    def _item(self, drive: Drive, item_id: str, tail: list[str]) -> Answer:
        item: Item | None = drive.items.get(item_id)
        if item is None or item.deleted:
            return 404, error("itemNotFound", "The resource could not be found."), {}, "item"
        if not tail:
            return 200, self.graph._item_json(drive, item), {}, "item"
        if tail == ["content"]:
            status, payload, headers = self.graph.content(drive, item)
            return status, payload, headers, "content"
        if tail == ["permissions"]:
            return 200, self.graph.permissions(item), {}, "permissions"
        return 404, error("itemNotFound", "/".join(tail)), {}, "unknown"


def error(code: str, message: str) -> dict:
    return {"error": {"code": code, "message": message}}
