"""Candidate refusal signals per corpus, and whether any helps held out; prints one JSON object.

    .venv/bin/python bench/refusal_signals.py --index DIR [--corpus NAME=FOLDER:QAFILE ...]
        # DIR/NAME/index must exist (bench/retrieval.py --index, bench/answer.py --index build them)

For every question the refusal policy in use judges (bot/answering/relevance.py, through
`AnswerEngine.prepare`), and beside it signals that do not read one corpus's vocabulary:
- gap5, gap20: the best cosine of the vector search minus its 5th / 20th (a flat list: nothing specific);
- z40: the best cosine in standard deviations above the vector search's top 40;
- top_agree: the vector and the full-text search put the same document first;
- focus: the IDF-weighted share of the question's focus terms (those that are not words of the top
  passages' titles, headings or file names: the subject) that the top passages hold;
- known_by_weight: the known-term share with each term weighed by how much the question's embedding
  moves without it (the embedder's own idea of the question's focus), not by its IDF.
Per corpus: the AUC of each (answerable vs unanswerable Dutch questions, all of them and those the
policy answers); then each as one more rule ("decline below t"), t chosen leave-one-corpus-out (most
questions right on the other two corpora; ties: the lowest t, i.e. off) with what it does on the
corpus left out, next to the best t there. bench/README.md, "Declining: signals that do not carry".
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.settings import load_settings, offline_environment  # noqa: E402

offline_environment()

from bench.answer import _NoGenerator, _load, load_questions  # noqa: E402
from bench.corpora import DEFAULT_CORPORA, parse_corpus  # noqa: E402
from bot.answering.engine import AnswerEngine, retrieval_query  # noqa: E402
from bot.model_files.resolving import OFFLINE_EMBEDDING, resolve_embedding_model  # noqa: E402
from language.questions import question_terms  # noqa: E402
from language.tokens import words_of  # noqa: E402

SIGNALS = ("gap5", "gap20", "z40", "top_agree", "focus", "known_by_weight")


def signals(engine: AnswerEngine, embedder, row: dict) -> dict:
    query = retrieval_query(row["question"], row["history"])
    prepared = engine.prepare(row["question"], history=row["history"])
    verdict, hits = prepared.verdict, prepared.hits
    vector = engine.retriever.retrieve(query, k=40, mode="vector")
    fts = engine.retriever.retrieve(query, k=10, mode="fts").hits
    vocabulary = vector.vocabulary
    cosines = [h.relevance for h in vector.hits] or [0.0]
    rest = cosines[1:] or [0.0]
    found = {"id": row["id"], "answerable": row["answerable"], "language": prepared.language,
             "judged_by_words": verdict.support is not None, "policy_answers": verdict.answerable,
             "gap5": cosines[0] - cosines[min(5, len(cosines) - 1)],
             "gap20": cosines[0] - cosines[min(20, len(cosines) - 1)],
             "z40": (cosines[0] - statistics.mean(rest)) / (statistics.pstdev(rest) or 1.0),
             "top_agree": float(bool(vector.hits and fts and vector.hits[0].chunk.doc_id == fts[0].chunk.doc_id))}
    terms = question_terms(query)
    if not terms or vocabulary is None or not hits:
        return {**found, "focus": 1.0, "known_by_weight": 1.0}
    subject = set(words_of(" ".join(" ".join([h.chunk.title, *h.chunk.headings, h.chunk.source_path or h.chunk.doc_id])
                                    for h in hits)))
    passages = set(words_of(" ".join(h.chunk.embedding_text for h in hits)))
    focus = [t for t in terms if not (vocabulary.forms(t) & subject or t in subject)]
    found["focus"] = _share({t: vocabulary.idf(t) for t in focus},
                            lambda t: bool(vocabulary.forms(t) & passages or t in passages))
    question_vector = vector.query_vector
    weights = {t: max(0.0, 1.0 - float(embedder.embed_query(_without(query, t)) @ question_vector)) + 1e-3
               for t in terms}
    found["known_by_weight"] = _share(weights, lambda t: bool(vocabulary.forms(t)))
    return found


def _without(question: str, term: str) -> str:
    return re.sub(r"\b" + re.escape(term) + r"\b", " ", question, flags=re.IGNORECASE)


def _share(weights: dict[str, float], held) -> float:
    total = sum(weights.values())
    return 1.0 if total <= 0 else sum(w for t, w in weights.items() if held(t)) / total


def auc(positive: list[float], negative: list[float]) -> float | None:
    if not positive or not negative:
        return None
    wins = sum(1.0 if p > n else 0.5 if p == n else 0.0 for p in positive for n in negative)
    return round(wins / (len(positive) * len(negative)), 3)


def separation(rows: list[dict], signal: str) -> float | None:
    """AUC: the chance that an answerable question scores above an unanswerable one."""
    return auc([r[signal] for r in rows if r["answerable"]], [r[signal] for r in rows if not r["answerable"]])


def extra_declines(rows: list[dict], signal: str, threshold: float) -> tuple[int, int]:
    """(unanswerable, answerable) questions the policy answers and the rule `signal < threshold` declines."""
    caught = [r for r in rows if r["policy_answers"] and r["judged_by_words"] and r[signal] < threshold]
    return sum(not r["answerable"] for r in caught), sum(r["answerable"] for r in caught)


def held_out(per_corpus: dict[str, list[dict]], signal: str) -> dict:
    values = sorted({r[signal] for rows in per_corpus.values() for r in rows})
    thresholds = [float("-inf")] + [(a + b) / 2 for a, b in zip(values, values[1:])]

    def right(names: list[str], t: float) -> tuple[int, float]:
        gained = [extra_declines(per_corpus[n], signal, t) for n in names]
        return sum(u - a for u, a in gained), -t

    report = {}
    for name in per_corpus:
        others = [n for n in per_corpus if n != name]
        chosen = max(thresholds, key=lambda t: right(others, t))
        best = max(thresholds, key=lambda t: right([name], t))
        report[name] = {"threshold": None if chosen == float("-inf") else round(chosen, 4),
                        "declines_more": dict(zip(("unanswerable", "answerable"),
                                                  extra_declines(per_corpus[name], signal, chosen))),
                        "best_threshold": None if best == float("-inf") else round(best, 4),
                        "best_declines_more": dict(zip(("unanswerable", "answerable"),
                                                       extra_declines(per_corpus[name], signal, best)))}
    return report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True, help="DIR with DIR/NAME/index per corpus")
    parser.add_argument("--corpus", action="append", type=parse_corpus)
    args = parser.parse_args()

    from knowledge.embeddings import open_embedder
    from knowledge.index.store import ChunkStore
    from knowledge.retrieval import Retriever

    settings = load_settings(environ={}, config_path=None, embedding_model=OFFLINE_EMBEDDING)
    embedder = open_embedder(resolve_embedding_model(settings))
    per_corpus: dict[str, list[dict]] = {}
    for name, (_, qa_file) in (dict(args.corpus) if args.corpus else DEFAULT_CORPORA).items():
        store = ChunkStore(str(args.index / name / "index"))
        if not store.exists():
            parser.error(f"no index in {args.index / name}")
        engine = AnswerEngine(Retriever(embedder, store), _NoGenerator(), embedder=embedder,
                              top_k=settings.retrieval.top_k)
        per_corpus[name] = [signals(engine, embedder, row) for row in load_questions(qa_file)]
    dutch = {name: [r for r in rows if r["language"] == "nl"] for name, rows in per_corpus.items()}
    report = {"embedding_model": embedder.name, "load": _load(), "auc": {}, "held_out": {}}
    for signal in SIGNALS:
        report["auc"][signal] = {name: {"all": separation(rows, signal),
                                        "policy_answers": separation([r for r in rows if r["policy_answers"]], signal)}
                                 for name, rows in dutch.items()}
        report["held_out"][signal] = held_out(dutch, signal)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
