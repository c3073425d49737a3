"""`vraagbaak` commands for the knowledge area: index, search, eval."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.errors import knowledge_errors
from bot.services import Services
from bot.operations.status import not_read_text
from knowledge.models import IndexReport

MODES = ("hybrid", "vector", "fts")


def register(sub: argparse._SubParsersAction) -> None:
    """Adds this area's sub-commands."""
    index = sub.add_parser("index", help="indexeer de documenten (standaard: alle ingestelde bronnen)")
    index.add_argument("source", nargs="?", type=Path, help="map om te indexeren (standaard: alle bronnen)")
    index.add_argument("--collection", help="naam van de collectie")
    index.add_argument("--full", action="store_true", help="alles opnieuw inlezen en inbedden")
    index.set_defaults(func=run_index)

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


# --- index -------------------------------------------------------------------------------------------

class _ProgressBars:
    """One tqdm bar per collection, on stderr, opened at its first report."""

    def __init__(self) -> None:
        self.bars: dict = {}

    def __call__(self, collection: str, done: int, total: int) -> None:
        from tqdm import tqdm

        if total == 0:
            return
        bar = self.bars.get(collection)
        if bar is None:
            bar = self.bars[collection] = tqdm(total=total, desc=f"inbedden {collection}",
                                               unit="passage", file=sys.stderr, leave=False)
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


def run_index(args: argparse.Namespace, services: Services) -> int:
    bars = _ProgressBars()
    try:
        with knowledge_errors():
            if args.source is None:
                names = [args.collection] if args.collection else None
                run = services.reindexer.run(names, full=args.full, progress=bars, trigger="cli")
            else:
                name = args.collection or _collection_for(args.source, services)
                run = services.reindexer.run_folder(args.source, collection=name, full=args.full,
                                                    progress=bars, trigger="cli")
    finally:
        bars.close()
    if run.repaired:
        print("De index was beschadigd (" + "; ".join(run.repaired) + "); de tabel is verwijderd en "
              "uit de bronmappen opnieuw opgebouwd.")
    for name, report in run.reports.items():
        print(format_report(name, report))
    for name, reason in run.failures.items():
        print(f"Collectie '{name}': mislukt — {reason}")
    if not run.reports and not run.failures:
        print("Geen bronnen ingesteld (VRAAGBAAK_SOURCES).")
    return 0 if run.ok else 1


def _collection_for(folder: Path, services: Services) -> str:
    """The configured collection whose folder this is, else the folder's name."""
    target = folder.expanduser().resolve()
    for name, configured in services.settings.sources.items():
        if configured.expanduser().resolve() == target:
            return name
    return target.name or "default"


def format_report(collection: str, report: IndexReport) -> str:
    lines = [
        f"Collectie '{collection}'{' (volledig opnieuw opgebouwd)' if report.full_rebuild else ''}: "
        f"{len(report.added)} toegevoegd, {len(report.changed)} gewijzigd, "
        f"{len(report.removed)} verwijderd, {report.unchanged} ongewijzigd, "
        f"{len(report.skipped)} overgeslagen; {report.chunks_embedded} passages ingebed "
        f"in {report.duration_s:.1f} s."
    ]
    for label, names in (("toegevoegd", report.added), ("gewijzigd", report.changed),
                         ("verwijderd", report.removed)):
        if names:
            lines.append(f"  {label}: {', '.join(names)}")
    lines.extend(f"  overgeslagen: {s.path} — {s.reason}" for s in report.skipped)
    if report.not_read:
        lines.append(f"  niet gelezen (bestandstype niet ondersteund): {not_read_text(report.not_read)}")
    return "\n".join(lines)


# --- search ------------------------------------------------------------------------------------------

def run_search(args: argparse.Namespace, services: Services) -> int:
    mode = args.mode or services.settings.search_mode
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


# --- eval --------------------------------------------------------------------------------------------

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
