"""Syncing SharePoint through Microsoft Graph: time and requests for a first sync (list, readers,
download every document) and a second with nothing changed (which must download nothing), and for
one permission-only refresh, on the local Graph of the tests (tests/fakes/graph, https on
127.0.0.1). Prints JSON.

    .venv/bin/python bench/sources.py [--documents 2000] [--page-size 200]

What it measures is this client's work and its number of round trips; the real Graph adds its own
latency per request (tens of ms), so on a real tenant the request counts are what carries over.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from knowledge.sources.graph import GraphSource  # noqa: E402
from knowledge.sources.graph_auth import GraphToken  # noqa: E402
from tests.fakes.graph.server import FakeGraph  # noqa: E402
from tests.fakes.graph.tenant import Tenant  # noqa: E402
from tests.fakes.tls import TestAuthority  # noqa: E402

PERMISSIONS = [
    [{"roles": ["read"], "link": {"scope": "organization", "type": "view"}}],
    [{"roles": ["read"], "grantedToV2": {"group": {"id": "g-hr"}}}],
    [{"roles": ["write"], "grantedToV2": {"user": {"id": "u-1", "email": "anna@contoso.nl"}}},
     {"roles": ["read"], "grantedToV2": {"user": {"id": "u-2", "email": "bart@contoso.nl"}}}],
]


def build_tenant(documents: int) -> Tenant:
    tenant = Tenant()
    tenant.add_app("bench-app", secret="bench-secret")
    drive = tenant.add_drive("Documenten", site=tenant.add_site("contoso.sharepoint.com:/sites/bench"))
    for n in range(documents):
        text = f"# Document {n}\n\nAfdeling {n % 20}, regel {n}: " + "inhoud " * 150 + "\n"
        tenant.add_file(drive, f"afdeling-{n % 20:02d}/map-{n % 7}/document-{n:05d}.md", text.encode(),
                        PERMISSIONS[n % len(PERMISSIONS)])
    return tenant


def bench_source(graph: FakeGraph, tenant: Tenant, authority: TestAuthority, **options) -> GraphSource:
    """The SharePoint site the benches sync, with app-only credentials from the fake Graph's authority."""
    token = GraphToken(tenant_id=tenant.tenant_id, client_id="bench-app", client_secret="bench-secret",
                       authority_host=graph.url, ca_file=str(authority.ca_file))
    return GraphSource("sharepoint", token=token, sites=["contoso.sharepoint.com:/sites/bench"],
                       graph_url=f"{graph.url}/v1.0", download_hosts=[graph.download_host],
                       ca_file=str(authority.ca_file), **options)


def measure(graph: FakeGraph, step) -> tuple[dict, object]:
    mark = len(graph.requests)
    started = time.perf_counter()
    value = step()
    seconds = time.perf_counter() - started
    kinds = Counter(r.kind for r in graph.requests[mark:])
    figures = {"seconds": round(seconds, 2), "requests": sum(kinds.values()), "by_kind": dict(sorted(kinds.items()))}
    return figures, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--page-size", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vraagbaak-sources-") as tmp:
        authority = TestAuthority(Path(tmp))
        tenant = build_tenant(args.documents)
        with FakeGraph(tenant, authority, max_page=args.page_size) as graph:
            source = bench_source(graph, tenant, authority, page_size=args.page_size)

            def first_sync():
                result = source.sync(None)
                fetched = sum(len(source.fetch(d)) for d in result.to_fetch)
                return result, fetched

            first, (result, fetched) = measure(graph, first_sync)
            second, again = measure(graph, lambda: source.sync(result.cursor))
            refresh, readers = measure(graph, lambda: source.refresh_readers(again.cursor))
            source.close()
    print(json.dumps({
        "documents": args.documents, "page_size": args.page_size,
        "first_sync": {**first, "listed": len(result.added), "downloaded_bytes": fetched},
        "second_sync": {**second, "changed": len(again.to_fetch) + len(again.renamed) + len(again.deleted),
                        "downloads": second["by_kind"].get("download", 0)},
        "permission_refresh": {**refresh, "documents": len(readers)},
        "targets": {"second_sync_downloads_nothing": second["by_kind"].get("download", 0) == 0
                    and second["by_kind"].get("content", 0) == 0},
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }, indent=2))


if __name__ == "__main__":
    main()
