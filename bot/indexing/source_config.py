"""The sources file (VRAAGBAAK_SOURCES_FILE): SharePoint/OneDrive, Nextcloud, WebDAV and folder
sources, one `[[source]]` table each, with their credentials. It holds secrets, so it must be
readable by its owner only (0600); a file that others may read is refused with a Dutch message.

    [[source]]
    name = "sharepoint"          # letters, digits, - and _; group readers carry it
    kind = "graph"               # graph | nextcloud | webdav | folder
    collection = "intranet"      # the collection its documents are indexed into
    tenant_id = "…"
    client_id = "…"
    client_secret = "…"          # or certificate_file = "/etc/vraagbaak/app.pem"
    sites = ["contoso.sharepoint.com:/sites/personeel"]

Secrets never reach a log line or `vraagbaak sources`: `SourceConfig`'s repr leaves them out.
"""

from __future__ import annotations

import re
import stat
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.errors import VraagbaakError
from knowledge.file_limits import FileLimits
from knowledge.sources.base import Source

KINDS = ("graph", "nextcloud", "webdav", "folder")
SECRET_KEYS = frozenset({"client_secret", "password"})
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
REQUIRED = {
    "graph": ("tenant_id", "client_id"),
    "nextcloud": ("url", "username", "password"),
    "webdav": ("url", "username", "password"),
    "folder": ("path",),
}
KNOWN = {
    "graph": {"tenant_id", "client_id", "client_secret", "certificate_file", "sites", "drives", "graph_url",
              "authority_host", "download_hosts", "ca_file"},
    "nextcloud": {"url", "username", "password", "folder", "ca_file"},
    "webdav": {"url", "username", "password", "ca_file"},
    "folder": {"path"},
}


class SourcesFileError(VraagbaakError):
    """The sources file cannot be used; the message says why, in Dutch."""


@dataclass(frozen=True)
class SourceConfig:
    name: str
    kind: str
    collection: str
    options: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def host(self) -> str:
        """Where it lives, for people (no secrets): the URL or folder."""
        if self.kind == "graph":
            return str(self.options.get("graph_url") or "https://graph.microsoft.com")
        return str(self.options.get("url") or self.options.get("path") or "")

    def __repr__(self) -> str:
        return f"SourceConfig(name={self.name!r}, kind={self.kind!r}, collection={self.collection!r})"


def load_source_configs(path: Path | None, *, folder_collections: set[str] = frozenset()) -> list[SourceConfig]:
    """The sources in the file (none without a file); raises SourcesFileError."""
    if path is None:
        return []
    path = Path(path).expanduser()
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise SourcesFileError(f"Het bronnenbestand {path} kan niet worden gelezen ({exc.strerror or exc}).") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SourcesFileError(
            f"Het bronnenbestand {path} bevat wachtwoorden en geheimen, maar anderen mogen het lezen "
            f"(rechten {stat.S_IMODE(mode):o}). Maak het alleen leesbaar voor de eigenaar: chmod 600 {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SourcesFileError(f"Het bronnenbestand {path} is geen geldig TOML: {exc}") from exc
    unknown = sorted(set(data) - {"source"})
    if unknown:
        raise SourcesFileError(f"Het bronnenbestand {path}: onbekend onderdeel {', '.join(unknown)}; "
                               "gebruik [[source]]-tabellen.")
    configs = [_config(path, n, raw) for n, raw in enumerate(data.get("source") or [], start=1)]
    _check_unique(path, configs, folder_collections)
    return configs


def _config(path: Path, number: int, raw: Any) -> SourceConfig:
    where = f"Het bronnenbestand {path}, bron {number}"
    if not isinstance(raw, dict):
        raise SourcesFileError(f"{where}: verwacht een [[source]]-tabel.")
    name, kind, collection = (str(raw.get(key) or "") for key in ("name", "kind", "collection"))
    if not NAME.match(name):
        raise SourcesFileError(f"{where}: geef een naam (letters, cijfers, - en _).")
    where = f"Het bronnenbestand {path}, bron '{name}'"
    if kind not in KINDS:
        raise SourcesFileError(f"{where}: soort '{kind}' bestaat niet; kies uit {', '.join(KINDS)}.")
    if not NAME.match(collection):
        raise SourcesFileError(f"{where}: geef de collectie (letters, cijfers, - en _).")
    options = {k: v for k, v in raw.items() if k not in ("name", "kind", "collection")}
    unknown = sorted(set(options) - KNOWN[kind])
    if unknown:
        raise SourcesFileError(f"{where}: onbekende instelling(en) {', '.join(unknown)} voor soort {kind}.")
    missing = [key for key in REQUIRED[kind] if not options.get(key)]
    if kind == "graph" and bool(options.get("client_secret")) == bool(options.get("certificate_file")):
        missing.append("client_secret of certificate_file (precies één)")
    if kind == "graph" and not (options.get("sites") or options.get("drives")):
        missing.append("sites of drives")
    if missing:
        raise SourcesFileError(f"{where}: ontbreekt {', '.join(missing)}.")
    return SourceConfig(name, kind, collection, options)


def _check_unique(path: Path, configs: list[SourceConfig], folder_collections: set[str]) -> None:
    seen_names: set[str] = set()
    seen_collections: set[str] = set()
    for config in configs:
        if config.name in seen_names:
            raise SourcesFileError(f"Het bronnenbestand {path}: de naam '{config.name}' komt twee keer voor.")
        if config.collection in seen_collections or config.collection in folder_collections:
            raise SourcesFileError(f"Het bronnenbestand {path}: collectie '{config.collection}' heeft al een "
                                   "bron; geef elke bron een eigen collectie.")
        seen_names.add(config.name)
        seen_collections.add(config.collection)


def build_source(config: SourceConfig, *, limits: FileLimits = FileLimits()) -> Source:
    """The source object for a configuration (nothing is contacted yet)."""
    o = config.options
    if config.kind == "graph":
        from knowledge.sources.graph import GRAPH_URL, GraphSource
        from knowledge.sources.graph_auth import GraphToken

        certificate = Path(o["certificate_file"]).expanduser().read_text(encoding="utf-8") \
            if o.get("certificate_file") else None
        extra = {"authority_host": o["authority_host"]} if o.get("authority_host") else {}
        token = GraphToken(tenant_id=o["tenant_id"], client_id=o["client_id"], client_secret=o.get("client_secret"),
                           certificate_pem=certificate, ca_file=o.get("ca_file"), **extra)
        hosts = {"download_hosts": list(o["download_hosts"])} if o.get("download_hosts") else {}
        return GraphSource(config.name, token=token, sites=list(o.get("sites") or []),
                           drives=list(o.get("drives") or []), graph_url=o.get("graph_url") or GRAPH_URL,
                           limits=limits, ca_file=o.get("ca_file"), **hosts)
    if config.kind == "nextcloud":
        from knowledge.sources.nextcloud import NextcloudSource
        return NextcloudSource(config.name, base_url=o["url"], username=o["username"], password=o["password"],
                               folder=o.get("folder") or "", limits=limits, ca_file=o.get("ca_file"))
    if config.kind == "webdav":
        from knowledge.sources.webdav import WebDavSource
        return WebDavSource(config.name, url=o["url"], username=o["username"], password=o["password"],
                            limits=limits, ca_file=o.get("ca_file"))
    from knowledge.sources.folder import FolderSource
    return FolderSource(config.name, Path(o["path"]), limits=limits)
