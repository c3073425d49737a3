"""`vraagbaak search` (the passages found for a question) and `vraagbaak eval` (how well the search
finds them, on a file of questions with known sources)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bot.errors import knowledge_errors
from bot.services import Services

MODES = ("hybrid", "vector", "fts")


def register(sub: argparse._SubParsersAction) -> None:
    search = sub.add_parser("search", help="zoek passages bij een vraag")
    search.add_argument("question", help="de vraag, tussen aanhalingstekens")
    search.add_argument("--mode", choices=MODES, help="zoekmodus (standaard: instelling search_mode)")
    search.add_argument("-k", type=int, default=5, help="aantal passages (standaard 5)")
    search.add_argument("--collection", action="append", help="alleen in deze collectie(s) zoeken")
    search.set_defaults(func=run_search)

    evaluate = sub.add_parser("eval", help="meet de zoekkwaliteit op een vragenbestand (jsonl)")
    evaluate.add_argument("--qa", type=Path, required=True, help="jsonl met id, question, sources, kind")
    evaluate.add_argument("--json", action="store_true", help="resultaat als JSON")
    evaluate.add_argument("-k", type=int, default=10, help="passages per vraag (standaard 10)")
    evaluate.add_argument("--collection", action="append", help="alleen in deze collectie(s) zoeken")
    evaluate.set_defaults(func=run_eval)


def run_search(args: argparse.Namespace, services: Services) -> int:
    mode = args.mode or services.settings.retrieval.search_mode
    with knowledge_errors():
        hits = services.retriever.search(args.question, k=args.k, mode=mode,
                                         collections=args.collection)
    if not hits:
        print("Geen passages gevonden. Is de index leeg? Voer dan eerst `vraagbaak index` uit.")
        return 0
    for hit in hits:
        chunk = hit.chunk
        place = f"{chunk.collection}:{chunk.doc_id}"
        heading = chunk.heading_path or chunk.title
        print(f"{hit.rank}. {place} — {heading}  (score {hit.score:.4f}, relevantie {hit.relevance:.2f})")
        snippet = " ".join(chunk.text.split())
        print(f"   {snippet[:300]}{'…' if len(snippet) > 300 else ''}\n")
    return 0


def run_eval(args: argparse.Namespace, services: Services) -> int:
    from knowledge.evaluation import MODES as EVAL_MODES
    from knowledge.evaluation import evaluate, load_qa

    with knowledge_errors():
        items = load_qa(args.qa)
        retriever = services.retriever

        def search(question: str, mode: str, k: int):
            return retriever.search(question, k=k, mode=mode, collections=args.collection)

        report = evaluate(search, items, modes=EVAL_MODES, k=args.k)
    if args.json:
        print(json.dumps(report.as_dict()))
        return 0
    print(f"{report.total} vragen, waarvan {report.questions} te beantwoorden (k={args.k}).")
    print(f"{'modus':<8} {'hit@1':>6} {'hit@5':>6} {'MRR@10':>7} {'p50 ms':>8} {'p95 ms':>8}")
    for name, result in report.modes.items():
        print(f"{name:<8} {result.hit_at_1:>6.2f} {result.hit_at_5:>6.2f} {result.mrr_at_10:>7.3f} "
              f"{result.p50_ms:>8.1f} {result.p95_ms:>8.1f}")
    return 0
