"""A sources file (VRAAGBAAK_SOURCES_FILE) naming the local Graph as a SharePoint source, 0600."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.graph.server import FakeGraph
from tests.fakes.tls import TestAuthority


def graph_sources_file(path: Path, graph: FakeGraph, authority: TestAuthority, *, site: str, secret: str,
                       client_id: str = "vraagbaak-app", name: str = "sharepoint",
                       collection: str = "intranet") -> Path:
    path.write_text(f"""
[[source]]
name = "{name}"
kind = "graph"
collection = "{collection}"
tenant_id = "{graph.tenant.tenant_id}"
client_id = "{client_id}"
client_secret = "{secret}"
sites = ["{site}"]
graph_url = "{graph.url}/v1.0"
authority_host = "{graph.url}"
download_hosts = ["{graph.download_host}"]
ca_file = "{authority.ca_file}"
""", encoding="utf-8")
    path.chmod(0o600)
    return path
