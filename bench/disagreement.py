"""How often an answer says its documents disagree (bot/answering/disagreement.py), per corpus; prints
one JSON object. Prepare only (retrieval, refusal policy, sentence selection; SmolLM2 only counts
tokens), no generation: for every question the engine would answer, whether the line fires over all
the prompt's passages (the most a model's answer could cite: an upper bound of the model path) and
over what the quote shows (the quote path, exactly). It must be rare where the documents agree.

    .venv/bin/python bench/disagreement.py --index /tmp/r5/base/auto [--corpus NAME=FOLDER:QAFILE ...]
        # INDEX/NAME/index is each corpus's index (read only); without --index each is built first
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.settings import load_settings, offline_environment  # noqa: E402

offline_environment()

from bench.answer import _corpus_generator, _corpus_index, load_questions  # noqa: E402
from bench.corpora import DEFAULT_CORPORA, parse_corpus  # noqa: E402
from bot.answering.disagreement import disagreement_line, find_disagreement, with_disagreement  # noqa: E402
from bot.answering.engine import AnswerEngine, source_of  # noqa: E402
from bot.model_files.resolving import resolve_embedding_model  # noqa: E402


def corpus_rate(engine: AnswerEngine, rows: list[dict]) -> dict:
    counts = {"questions": 0, "answered": 0, "fires_over_all_passages": 0, "fires_in_quote": 0}
    fired = []
    for row in rows:
        counts["questions"] += 1
        prepared = engine.prepare(row["question"], history=row["history"])
        if not prepared.relevant:
            continue
        counts["answered"] += 1
        passages = [(source_of(p.hit), p.body or p.hit.chunk.text) for p in prepared.passages]
        every = find_disagreement(row["question"], passages)
        quote = engine._quote_best_passages(prepared, {})
        in_quote = with_disagreement(quote, prepared.passages).text != quote.text
        counts["fires_over_all_passages"] += every is not None
        counts["fires_in_quote"] += in_quote
        if every is not None:
            fired.append({"question": row["question"], "line": disagreement_line(every, prepared.language),
                          "in_quote": in_quote})
    return {**counts, "fired": fired}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="INDEX/NAME/index per corpus (read only)")
    parser.add_argument("--corpus", action="append", type=parse_corpus)
    args = parser.parse_args()

    from knowledge.embeddings import open_embedder
    from knowledge.retrieval import Retriever

    settings = load_settings(environ={}, config_path=None)
    embedder = open_embedder(resolve_embedding_model(settings))
    generator = _corpus_generator(settings)  # never asked to generate: its tokenizer sizes the passages
    report: dict = {"embedding_model": embedder.name, "load": os.getloadavg()[0], "corpora": {}}
    for name, (folder, qa_file) in (dict(args.corpus) if args.corpus else DEFAULT_CORPORA).items():
        store = _corpus_index(embedder, name, folder, args.index)
        engine = AnswerEngine(Retriever(embedder, store), generator, embedder=embedder,
                              top_k=settings.retrieval.top_k,
                              context_budget_tokens=settings.answering.context_budget_tokens)
        rows = load_questions(qa_file)
        report["corpora"][name] = {kind: corpus_rate(engine, [r for r in rows if r["answerable"] == answerable])
                                   for kind, answerable in (("answerable", True), ("unanswerable", False))}
    generator.close()
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
