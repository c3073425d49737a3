"""Search latency on a generated 10k-chunk table; prints one JSON object.

    .venv/bin/python bench/search_latency.py [--chunks 10000] [--passes 3]

The table gets 10k chunks of ~150 words drawn from the sample company's own vocabulary (so the
full-text index sees Dutch word frequencies) with random unit vectors (a flat vector scan costs
the same whatever the values). Questions are those of tests/data/qa.jsonl. Reported per mode:
the store's search alone (query vector and full-text query given) and the whole Retriever.search,
which also embeds the question and splits its compounds against the index's vocabulary (on two threads
that overlap), and the same steps one after the other with the embedding engine's own threads (how the
Retriever searched before), taking turns with it question by question. And the Retriever over a
store whose vector search is LanceDB's own flat scan (how the store searched before its vectors were
kept in memory, knowledge/index/vectors.py), in the same turns. The Retriever is asked as the bot asks
it: with the asker's readers (everyone's key), so the readers filter is measured too. Target: hybrid
p95 <= 50 ms on this 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.settings import offline_environment  # noqa: E402

offline_environment()

import numpy as np  # noqa: E402

from bot.model_files.resolving import packaged_embedding_path  # noqa: E402
from knowledge.embeddings import open_embedder  # noqa: E402
from knowledge.evaluation import load_qa, percentile  # noqa: E402
from knowledge.packaged_embedders import E5SmallQ4Embedder  # noqa: E402
from knowledge.loaders import find_documents, load_document  # noqa: E402
from knowledge.models import EVERYONE_READERS, Chunk  # noqa: E402
from knowledge.query import text_query  # noqa: E402
from knowledge.retrieval import Retriever  # noqa: E402
from knowledge.index.schema import ModelInfo, chunk_rows, result_rows  # noqa: E402
from knowledge.index.store import ChunkStore  # noqa: E402

SAMPLE = REPO / "knowledge" / "sample"
QA_FILE = REPO / "tests" / "data" / "qa.jsonl"


def generated_chunks(count: int, seed: int = 7) -> list[Chunk]:
    rng = random.Random(seed)
    words = [w for p in find_documents(SAMPLE) for w in load_document(p, SAMPLE, collection="b").text.split()]
    chunks = []
    for i in range(count):
        doc = f"gen/doc-{i // 20:04d}.md"
        text = " ".join(rng.choice(words) for _ in range(150))
        chunks.append(Chunk(id=f"bench:{doc}#{i % 20}", doc_id=doc, collection="bench",
                            title=f"Document {i // 20}", headings=(f"Sectie {i % 20}",), text=text,
                            ordinal=i % 20, content_hash=f"h{i // 20}"))
    return chunks


class LanceVectorSearch(ChunkStore):
    """The same table, its vectors searched by LanceDB's flat scan (the store before vectors.py)."""

    def _vector_rows(self, vector, limit: int, where: str | None, columns: list[str]) -> list[dict]:
        vector = vector() if callable(vector) else vector
        query = (self._open().search(np.asarray(vector, dtype=np.float32), vector_column_name="vector")
                 .distance_type("cosine").limit(limit).select([*columns, "_distance"]))
        if where:
            query = query.where(where, prefilter=True)
        return result_rows(query.to_arrow())


def _ids(hits) -> list[str]:
    return [hit.chunk.id for hit in hits]


def timed(fn, repeats: int) -> list[float]:
    latencies = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        latencies.append((time.perf_counter() - started) * 1000)
    return latencies


def one_after_the_other(embedder, store: ChunkStore, model: ModelInfo, question: str, mode: str) -> None:
    """A retriever's steps without overlap: the model checked, the question embedded (with the
    engine's own threads), then the full-text query made and both searches run."""
    store.check_model(model)
    vector = embedder.embed_query(question)
    store.search(vector, text_query(question, store.vocabulary() if mode != "vector" else None), mode=mode, k=5)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--passes", type=int, default=3)
    args = parser.parse_args()
    embedder = open_embedder(str(packaged_embedding_path()))
    model = ModelInfo(embedder.name, embedder.dimension)
    questions = [item.question for item in load_qa(QA_FILE)]
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="vraagbaak-latency-") as tmp:
        store = ChunkStore(str(Path(tmp) / "index"))
        chunks = generated_chunks(args.chunks)
        vectors = np.random.default_rng(7).standard_normal((len(chunks), embedder.dimension)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        started = time.perf_counter()
        store.replace_documents("bench", chunk_rows(chunks, vectors, model), {c.doc_id for c in chunks},
                                model=model)
        build_s = time.perf_counter() - started
        query_vectors = {q: embedder.embed_query(q) for q in questions}
        vocabulary = store.vocabulary()
        text_queries = {q: text_query(q, vocabulary) for q in questions}
        retriever = Retriever(embedder, store)
        lance_vectors = Retriever(embedder, LanceVectorSearch(store.uri))
        # what a search did before questions were embedded on one thread beside the full-text search
        engine_threads = (E5SmallQ4Embedder(embedder.model_path, name=embedder.name, query_threads=None)
                          if isinstance(embedder, E5SmallQ4Embedder) else embedder)
        for q in questions[:5]:  # warm-up: caches, lazy index loading
            retriever.search(q, k=5, readers=EVERYONE_READERS)
            lance_vectors.search(q, k=5, readers=EVERYONE_READERS)
        same_hits = {mode: sum(_ids(retriever.search(q, k=5, mode=mode, readers=EVERYONE_READERS))
                               == _ids(lance_vectors.search(q, k=5, mode=mode, readers=EVERYONE_READERS))
                               for q in questions) for mode in ("hybrid", "vector")}
        results = {}
        for mode in ("hybrid", "vector", "fts"):
            store_ms, full_ms, sequential_ms, lance_ms = [], [], [], []
            for _ in range(args.passes):
                for q in questions:  # the three take turns: a change of load hits them alike
                    store_ms += timed(lambda: store.search(query_vectors[q], text_queries[q], mode=mode, k=5), 1)
                    full_ms += timed(lambda: retriever.search(q, k=5, mode=mode, readers=EVERYONE_READERS), 1)
                    lance_ms += timed(lambda: lance_vectors.search(q, k=5, mode=mode, readers=EVERYONE_READERS), 1)
                    sequential_ms += timed(lambda: one_after_the_other(engine_threads, store, model, q, mode), 1)
            results[mode] = {
                "store_p50_ms": round(percentile(store_ms, 50), 2), "store_p95_ms": round(percentile(store_ms, 95), 2),
                "retriever_p50_ms": round(percentile(full_ms, 50), 2),
                "retriever_p95_ms": round(percentile(full_ms, 95), 2),
                "lance_vector_search_p50_ms": round(percentile(lance_ms, 50), 2),
                "lance_vector_search_p95_ms": round(percentile(lance_ms, 95), 2),
                "one_after_the_other_p50_ms": round(percentile(sequential_ms, 50), 2),
                "one_after_the_other_p95_ms": round(percentile(sequential_ms, 95), 2),
            }
        print(json.dumps({
            "embedding_model": embedder.name, "chunks": store.stats()["chunks"], "build_s": round(build_s, 1),
            "searches_per_mode": len(questions) * args.passes, "k": 5,
            "modes": results,
            "target_hybrid_p95_ms": 50,
            "hybrid_store_meets_target": results["hybrid"]["store_p95_ms"] <= 50,
            "hybrid_retriever_meets_target": results["hybrid"]["retriever_p95_ms"] <= 50,
            "hybrid_retriever_p95_to_lance_vector_search": round(
                results["hybrid"]["retriever_p95_ms"] / results["hybrid"]["lance_vector_search_p95_ms"], 3),
            "questions_with_the_same_hits_as_lance_vector_search": same_hits, "questions": len(questions),
            "load_average_start": load_start, "load_average_end": os.getloadavg()[0],
        }, indent=2))


if __name__ == "__main__":
    main()
