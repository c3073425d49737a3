"""A local Microsoft Graph and Entra ID for tests: answers, over https on real sockets, the requests
MSAL and knowledge/sources/graph.py make, in the shapes Microsoft documents (Graph v1.0 driveItem,
permission, delta, JSON batching; the identity platform's OpenID configuration and token endpoint).

- `GET /{tenant}/v2.0/.well-known/openid-configuration`: what MSAL reads to find the token endpoint.
- `POST /{tenant}/oauth2/v2.0/token`: the client-credentials grant, with `client_secret` or a
  `client_assertion` (a JWT signed with the app's certificate, checked against it); errors as
  `{"error": "invalid_client", "error_description": "AADSTS7000215: ..."}`.
- `/v1.0/...` (Bearer token required; an unknown or expired one answers 401
  `InvalidAuthenticationToken`): `sites/{id}` and `sites/{host}:/{path}`, `sites/{id}/drives`,
  `drives/{id}`, `drives/{id}/root/delta` (pages of `$top` items with `@odata.nextLink`, then
  `@odata.deltaLink`; an expired link answers 410 `resyncRequired`), `drives/{id}/items/{id}`,
  `.../content` (302 to a pre-authenticated URL on a second server, the "SharePoint host";
  404 `itemNotFound` for a file without content), `.../permissions`, `$batch`,
  `groups/{id}/transitiveMembers` (paged) and `users/{id}`.

Faults: `throttle(n, retry_after)` makes the next n API requests answer 429 with Retry-After (with
`inside_batch`, the next n requests inside a `$batch`, each in its own response); `expire_tokens()`
makes every token issued so far expired; `expire_delta_links()` makes every delta link issued so far
answer 410. `requests` logs what came.
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

import jwt

from tests.fakes.graph.routes import GraphRoutes, error as _error
from tests.fakes.graph.tenant import Drive, Item, Tenant
from tests.fakes.tls import TestAuthority


@dataclass(frozen=True)
class Request:
    server: str  # "graph" or "download"
    method: str
    path: str  # without the query
    kind: str  # what it was for: token, discovery, drives, delta, item, content, download, permissions, batch, ...


class FakeGraph:
    """`with FakeGraph(tenant, authority) as graph:` then `graph.url` (Graph at `/v1.0`, the
    authority at `/{tenant}`) and `graph.download_host` for the downloads."""

    def __init__(self, tenant: Tenant, authority: TestAuthority, *, max_page: int = 200) -> None:
        self.tenant = tenant
        self.max_page = max_page
        self.requests: list[Request] = []
        self.tokens: dict[str, bool] = {}  # token -> still valid
        self.downloads: dict[str, bytes] = {}
        self.throttled = 0
        self.throttled_in_batch = 0
        self.retry_after = "1"
        self.delta_floor = 0  # delta links for serials below this are expired
        self._snapshots: dict[str, list[Item]] = {}
        self._lock = threading.Lock()
        self._api = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self, "graph"))
        self._files = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self, "download"))
        for server in (self._api, self._files):
            server.daemon_threads = True
            server.socket = authority.server_context().wrap_socket(server.socket, server_side=True)
        self._threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
                         for s in (self._api, self._files)]

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self._api.server_address[1]}"

    @property
    def download_host(self) -> str:
        return f"127.0.0.1:{self._files.server_address[1]}"

    def __enter__(self) -> "FakeGraph":
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        for server in (self._api, self._files):
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    # --- faults --------------------------------------------------------------------------------------

    def throttle(self, times: int, retry_after: str = "1", *, inside_batch: bool = False) -> None:
        """The next `times` API requests answer 429; with `inside_batch`, requests inside a $batch."""
        if inside_batch:
            self.throttled_in_batch, self.retry_after = times, retry_after
        else:
            self.throttled, self.retry_after = times, retry_after

    def expire_tokens(self) -> None:
        self.tokens = dict.fromkeys(self.tokens, False)

    def expire_delta_links(self) -> None:
        self.delta_floor = self.tenant.serial + 1

    def count(self, kind: str) -> int:
        return sum(1 for r in self.requests if r.kind == kind)

    def take_throttle(self, *, inside_batch: bool = False) -> bool:
        name = "throttled_in_batch" if inside_batch else "throttled"
        with self._lock:
            if getattr(self, name) > 0:
                setattr(self, name, getattr(self, name) - 1)
                return True
            return False

    # --- identity platform ---------------------------------------------------------------------------

    def openid_configuration(self, tenant: str) -> tuple[int, dict]:
        if tenant != self.tenant.tenant_id:
            return 400, {"error": "invalid_tenant", "error_description": f"AADSTS90002: Tenant '{tenant}' not found."}
        base = f"{self.url}/{tenant}"
        return 200, {"token_endpoint": f"{base}/oauth2/v2.0/token",
                     "authorization_endpoint": f"{base}/oauth2/v2.0/authorize", "issuer": f"{base}/v2.0",
                     "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"]}

    def token(self, tenant: str, form: dict[str, str]) -> tuple[int, dict]:
        app = self.tenant.apps.get(form.get("client_id", ""))
        if form.get("grant_type") != "client_credentials" or not form.get("scope", "").endswith("/.default"):
            return 400, {"error": "invalid_request", "error_description": "AADSTS900144: bad request"}
        if app is None:
            return 400, {"error": "unauthorized_client", "error_description": "AADSTS700016: Application not found."}
        if not self._client_proves(app, form, f"{self.url}/{tenant}/oauth2/v2.0/token"):
            return 401, {"error": "invalid_client",
                         "error_description": "AADSTS7000215: Invalid client secret provided."}
        token = secrets.token_urlsafe(24)
        self.tokens[token] = True
        return 200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599, "access_token": token}

    @staticmethod
    def _client_proves(app: dict, form: dict[str, str], audience: str) -> bool:
        if "client_secret" in form:
            return app["secret"] is not None and secrets.compare_digest(form["client_secret"], app["secret"])
        if form.get("client_assertion_type") == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            if app["certificate"] is None:
                return False
            try:
                claims = jwt.decode(form.get("client_assertion", ""), app["certificate"].public_key,
                                    algorithms=["RS256", "PS256"], audience=audience)
            except jwt.PyJWTError:
                return False
            return claims.get("iss") == claims.get("sub") == form.get("client_id")
        return False

    # --- Graph ---------------------------------------------------------------------------------------

    def delta(self, drive: Drive, query: dict[str, str]) -> tuple[int, dict]:
        top = min(int(query.get("$top", self.max_page)), self.max_page)
        if "$skiptoken" in query:
            snapshot_id, _, offset = query["$skiptoken"].partition(":")
            items, start, serial = self._snapshots[snapshot_id], int(offset), int(query["snapshot_serial"])
        else:
            since = int(query["token"]) if "token" in query else None
            if since is not None and since < self.delta_floor:
                return 410, _error("resyncRequired", "The delta token has expired; enumerate again.")
            serial = self.tenant.serial
            items, start = self.tenant.changes_since(drive.id, since), 0
            snapshot_id = secrets.token_hex(6)
            self._snapshots[snapshot_id] = items
        page = items[start:start + top]
        body: dict = {"value": [self._item_json(drive, item) for item in page]}
        base = f"{self.url}/v1.0/drives/{drive.id}/root/delta"
        if start + top < len(items):
            body["@odata.nextLink"] = (f"{base}?$top={top}&$skiptoken={snapshot_id}:{start + top}"
                                       f"&snapshot_serial={serial}")
        else:
            body["@odata.deltaLink"] = f"{base}?token={serial}"
        return 200, body

    def _item_json(self, drive: Drive, item: Item) -> dict:
        if item.deleted:
            return {"id": item.id, "deleted": {"state": "deleted"},
                    "parentReference": {"driveId": drive.id, "id": item.parent}}
        body = {"id": item.id, "name": item.name, "eTag": f'"{{{item.id}}},{item.version}"',
                "lastModifiedDateTime": item.modified.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "webUrl": f"https://contoso.sharepoint.com/sites/x/{drive.name}/{self.tenant.path_of(drive, item)}",
                "parentReference": {"driveId": drive.id, "id": item.parent} if item.parent else {"driveId": drive.id},
                "size": item.size}
        if item.parent is None:
            body["root"] = {}
            body["name"] = "root"
        if item.folder:
            body["folder"] = {"childCount": sum(1 for i in drive.items.values() if i.parent == item.id)}
        else:
            body["cTag"] = f'"c:{{{item.id}}},{item.content_version}"'
            body["file"] = {"mimeType": "application/octet-stream"}
        return body

    def content(self, drive: Drive, item: Item) -> tuple[int, dict, dict]:
        if item.content is None:
            return 404, _error("itemNotFound", "The resource could not be found."), {}
        key = secrets.token_urlsafe(16)
        self.downloads[key] = item.content
        return 302, {}, {"Location": f"https://{self.download_host}/download/{key}?tempauth=x"}

    def permissions(self, item: Item) -> dict:
        return {"value": [dict(p, id=p.get("id", str(n))) for n, p in enumerate(item.permissions)]}

    def members(self, group_id: str, query: dict[str, str]) -> tuple[int, dict]:
        if group_id not in self.tenant.groups:
            return 404, _error("Request_ResourceNotFound", "Resource does not exist.")
        members = self.tenant.transitive_members(group_id)
        top = min(int(query.get("$top", 100)), self.max_page)
        start = int(query.get("$skiptoken", 0))
        value = []
        for member in members[start:start + top]:
            if member in self.tenant.groups:
                value.append({"@odata.type": "#microsoft.graph.group", "id": member, "mail": None})
            else:
                user = self.tenant.users.get(member, {})
                value.append({"@odata.type": "#microsoft.graph.user", "id": member, **user})
        body: dict = {"value": value}
        if start + top < len(members):
            body["@odata.nextLink"] = (f"{self.url}/v1.0/groups/{group_id}/transitiveMembers"
                                       f"?$top={top}&$skiptoken={start + top}")
        return 200, body


def _handler(graph: FakeGraph, server: str):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms delayed-ACK stall

        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

        def _answer(self, method: str) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            routes = GraphRoutes(graph, self.headers.get("Authorization", ""))
            if server == "download":
                status, payload, headers, kind = routes.download(unquote(parts.path))
            else:
                status, payload, headers, kind = routes.answer(method, unquote(parts.path), query, body)
            graph.requests.append(Request(server, method, parts.path, kind))
            data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if not isinstance(payload, bytes):
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler
