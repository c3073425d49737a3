"""The permission-only sync on the local Graph (tests/fakes/graph): 2,000 documents of one SharePoint
site indexed into LanceDB, then who may read them read again and written next to their chunks,
without downloading or embedding anything. Three runs: nothing changed, 100 documents with another
reader, and the same again (nothing new). Prints JSON with time, Graph requests, documents whose
readers changed, the index version before and after, and the load average.

    .venv/bin/python bench/permissions.py [--documents 2000] [--changed 100]

The index is filled with a hashing embedder (no model): the permission sync never embeds, so what
it measures does not depend on the model. The real Graph adds tens of ms per request; the request
counts carry over to a real tenant.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.sources import PERMISSIONS, bench_source, build_tenant, measure  # noqa: E402
from knowledge.chunking import Chunker  # noqa: E402
from knowledge.indexing import Indexer  # noqa: E402
from knowledge.index.store import ChunkStore  # noqa: E402
from knowledge.source_indexing import SourceIndexer  # noqa: E402
from tests.fakes.graph.server import FakeGraph  # noqa: E402
from tests.fakes.tls import TestAuthority  # noqa: E402

DIMENSION = 64


class HashingEmbedder:
    """A vector per text from its hash: as fast as it gets, enough to fill an index."""

    name = "hashing-bench"
    dimension = DIMENSION

    def embed_documents(self, texts, progress=None):
        vectors = np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, DIMENSION), np.float32)
        if progress is not None:
            progress(len(texts))
        return vectors

    def embed_query(self, text):
        return self._vector(text)

    def count_tokens(self, text):
        return len(text.split())

    def _vector(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
        vector = np.random.default_rng(seed).standard_normal(DIMENSION).astype(np.float32)
        return vector / np.linalg.norm(vector)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--changed", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="vraagbaak-permissions-") as tmp:
        authority = TestAuthority(Path(tmp))
        tenant = build_tenant(args.documents)
        with FakeGraph(tenant, authority) as graph:
            source = bench_source(graph, tenant, authority)
            embedder = HashingEmbedder()
            store = ChunkStore(str(Path(tmp) / "index"))
            indexer = SourceIndexer(Indexer(store, embedder, Chunker(embedder.count_tokens, max_tokens=350),
                                            lock_dir=Path(tmp) / "state"))
            started = time.perf_counter()
            report, cursor = indexer.sync(source, collection="intranet", cursor=None)
            indexed = {"seconds": round(time.perf_counter() - started, 2), "documents": len(report.added),
                       "chunks": report.chunks_embedded}

            def permission_sync() -> dict:
                version = store.version()
                figures, result = measure(graph, lambda: indexer.sync_readers(source, collection="intranet",
                                                                              cursor=cursor))
                return {**figures, "documents": result.documents, "readers_changed": len(result.changed),
                        "index_commits": store.version() - version}

            unchanged = permission_sync()
            drive = next(iter(tenant.drives))
            for n in range(args.changed):  # each gets the next permission set of the rotation
                path = f"afdeling-{n % 20:02d}/map-{n % 7}/document-{n:05d}.md"
                tenant.set_permissions(drive, path, PERMISSIONS[(n + 1) % len(PERMISSIONS)])
            changed = permission_sync()
            again = permission_sync()
            source.close()
    print(json.dumps({
        "documents": args.documents, "indexed": indexed,
        "permission_sync_unchanged": unchanged,
        "permission_sync_changed": {**changed, "changed_at_source": args.changed},
        "permission_sync_again": again,
        "targets": {"no_downloads": all(r["by_kind"].get("download", 0) == 0 and r["by_kind"].get("content", 0) == 0
                                        for r in (unchanged, changed, again)),
                    "changed_found": changed["readers_changed"] == args.changed,
                    "no_commit_without_change": unchanged["index_commits"] == 0 and again["index_commits"] == 0},
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }, indent=2))


if __name__ == "__main__":
    main()
