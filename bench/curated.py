"""Curated answers ("vaste antwoorden"): how fast one is served, and how precisely; prints one JSON object.

    .venv/bin/python bench/curated.py [--index DIR] [--repeats 200] [--embedding-model NAME]
        # DIR/sample, DIR/developer-overheid; NAME: a packaged model's name or a folder

Sections:
- serve: `engine.ask(question).result()` for a question that matches a curated answer, through the
  real engine (retriever over the sample company's index, the real embedder), with a model that
  refuses to be asked, repeated: p50/p99/max in ms (target < 200 ms); and the cost a question with
  no curated answer pays before the normal path (`curated.match`, words that agree with none:
  no embedding). The load average is printed with the figures.
- precision, per corpus (the sample company and developer-overheid, tests/data/curated_pairs.jsonl):
  all curated questions of a corpus in one store; each paraphrase and the corpus's own chat-style
  question (qa file) must get its curated answer, each near-miss none. `wrong_answer` counts
  questions served another curated answer (a false match, like a near-miss served).
- threshold: for the questions whose words agree with a curated question, the cosine of the two
  (the second check): the lowest for a right pair, the highest for a wrong one, and what each
  threshold from 0.60 to 0.95 would serve, pooled and per corpus.
- gaps: the grouping of "what the documents are missing" (bot/insights/gaps.py) on each corpus's
  unanswerable questions with a second wording each (GAP_QUESTIONS), weighed by that corpus's own
  index: pairs of one topic put together (want all) and pairs of two topics put together (want
  none), for group thresholds 0.50–0.80.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.settings import load_settings, offline_environment  # noqa: E402

offline_environment()

import numpy as np  # noqa: E402

from bench.corpora import DEFAULT_CORPORA  # noqa: E402
from bot.answering.engine import AnswerEngine  # noqa: E402
from bot.answering.types import Source  # noqa: E402
from bot.curation.answers import CuratedAnswers  # noqa: E402
from bot.curation.matching import lexical_match  # noqa: E402
from bot.curation.store import CuratedStore  # noqa: E402
from bot.model_files.resolving import OFFLINE_EMBEDDING, resolve_embedding_model  # noqa: E402
from bot.storage.database import Storage  # noqa: E402

PAIRS = REPO / "tests" / "data" / "curated_pairs.jsonl"
SAMPLE = REPO / "knowledge" / "sample"
THRESHOLDS = [round(0.60 + 0.05 * n, 2) for n in range(8)]
GROUP_THRESHOLDS = [round(0.50 + 0.05 * n, 2) for n in range(7)]
# Questions neither corpus answers (the qa sets' unanswerable ones, and a second wording of each), by topic.
GAP_QUESTIONS = {
    "sample": {
        "leaseauto": ["krijg ik een leaseauto bij mijn functie?", "hebben we een leaseauto regeling?",
                      "kan ik een leaseauto krijgen?"],
        "aandelen": ["hebben medewerkers recht op aandelenopties?", "krijgen we aandelenopties?"],
        "kerstpakket": ["wanneer wordt het kerstpakket uitgedeeld dit jaar", "krijgen we een kerstpakket?"],
        "hond": ["mag mijn hond mee naar kantoor?", "mag ik mijn hond meenemen naar kantoor?",
                 "honden op kantoor toegestaan?"],
        "fietsplan": ["hebben we een fietsplan? wil via de zaak een e-bike", "is er een fietsplan?"],
        "sabbatical": ["hoe vraag ik een sabbatical aan", "sabbatical aanvragen, hoe werkt dat?"],
        "kinderopvang": ["krijg ik een vergoeding voor de kinderopvang", "vergoeding kinderopvang?"],
        "stage": ["hoeveel stagevergoeding krijgt een stagiair bij ons?", "wat is de stagevergoeding?"],
        "sport": ["Does Polderlicht pay for a gym membership or give a sports discount?",
                  "Is there a gym discount?"],
        "uitje": ["When is the next company outing and do I need to sign up?", "when is the company outing?"],
    },
    "developer-overheid": {
        "vakantie": ["hoeveel vakantiedagen krijg ik eigenlijk als developer in het team van developer.overheid.nl?",
                     "hoeveel vakantiedagen heeft een developer?"],
        "eherkenning": ["wat kost een eHerkenning middel op niveau EH3 ongeveer per jaar?",
                        "wat kost eherkenning EH3 per jaar?"],
        "kubernetes": ["welke kubernetes versie is minimaal nodig om haven compliant te zijn?",
                       "minimale kubernetes versie voor haven?"],
        "digid": ["hoe lang duurt het gemiddeld voordat Logius een nieuwe DigiD aansluiting goedkeurt?",
                  "hoe lang duurt een digid aansluiting bij logius?"],
        "gastblog": ["krijg je een vergoeding als je een gastblog schrijft voor developer.overheid.nl?",
                     "krijg ik een vergoeding voor een gastblog?"],
        "event": ["hoeveel plekken waren er precies voor het zoBouwenWijSoftwareBijDeOverheid event in Utrecht?",
                  "hoeveel plekken had het zoBouwenWijSoftwareBijDeOverheid event?"],
        "parkeren": ["waar kan ik parkeren als ik bij Geonovum op kantoor kom, heb ik een parkeervergunning nodig?",
                     "kan ik parkeren bij geonovum?"],
        "ratelimit": ["wat is de rate limit (requests per minuut) op de API van het API-register?",
                      "wat is de rate limit van het api-register?"],
        "ciso": ["wie is de CISO van Geonovum en hoe bereik ik die?", "wie is de ciso van geonovum?"],
        "fost": ["hoe declareer ik mijn reiskosten voor het bezoeken van FOST Amsterdam?",
                 "reiskosten declareren voor FOST?"],
    },
}


class NoModel:
    """Serving a curated answer must not touch the model: any use of it fails the run."""

    def __getattr__(self, name: str):
        raise AssertionError(f"the model was used ({name}) for a curated answer")


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def _ms(values: list[float]) -> dict:
    return {"p50_ms": round(_percentile(values, 50) * 1000, 2), "p99_ms": round(_percentile(values, 99) * 1000, 2),
            "max_ms": round(max(values) * 1000, 2), "n": len(values)}


def serve(embedder, index_dir: Path, repeats: int) -> dict:
    from knowledge.chunking import Chunker
    from knowledge.indexing import Indexer
    from knowledge.retrieval import Retriever
    from knowledge.index.store import ChunkStore

    store = ChunkStore(str(index_dir / "index"))
    if not store.exists():
        Indexer(store, embedder, Chunker(embedder.count_tokens), lock_dir=index_dir / "state").reindex(
            SAMPLE, collection="bedrijf")
    with tempfile.TemporaryDirectory() as tmp:
        curated = CuratedAnswers(CuratedStore(Storage().database(Path(tmp) / "curated.sqlite3")), embedder,
                                 documents=store.documents)
        rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
        for row in rows:  # a realistic store: all the sample company's curated questions
            if row["corpus"] == "sample":
                curated.add(question=row["curated"], answer="Vastgesteld antwoord [1].", owner="U0BEHEER",
                            sources=[Source("Vakantie en verlof", "hr/vakantie-en-verlof.md", collection="bedrijf")])
        settings = load_settings(environ={}, config_path=None, data_dir=Path(tmp))
        engine = AnswerEngine.from_parts(settings, retriever=Retriever(embedder, store), generator=NoModel(),
                                         embedder=embedder, curated=curated)
        question = "Hoeveel vakantiedagen krijg ik?"
        assert engine.ask(question).result().curated is not None  # warm: first embedding, first read
        hits, misses = [], []
        for _ in range(repeats):
            started = time.perf_counter()
            answer = engine.ask(question).result()
            hits.append(time.perf_counter() - started)
            assert answer.curated is not None
            started = time.perf_counter()
            assert curated.match("Hoe laat gaat de kantine open in Groningen?") is None
            misses.append(time.perf_counter() - started)
        return {"question": question, "curated_answers_in_store": len(curated.list()),
                "engine_ask_curated": {**_ms(hits), "target_ms": 200, "met": _percentile(hits, 99) < 0.2},
                "match_without_curated_answer": _ms(misses), "load_average": os.getloadavg()}


def precision(embedder) -> dict:
    rows = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    report: dict = {"corpora": {}, "threshold": {}}
    pooled: list[tuple[str, float, bool]] = []  # (corpus, cosine, right pair) for word-agreeing pairs
    for corpus, (_, qa_file) in DEFAULT_CORPORA.items():
        if not any(r["corpus"] == corpus for r in rows):
            continue
        questions = {}
        if qa_file.exists():
            questions = {(r := json.loads(line))["id"]: r["question"]
                         for line in qa_file.read_text(encoding="utf-8").splitlines()}
        mine = [r for r in rows if r["corpus"] == corpus]
        with tempfile.TemporaryDirectory() as tmp:
            store = CuratedAnswers(CuratedStore(Storage().database(Path(tmp) / "curated.sqlite3")), embedder)
            ids = {r["curated"]: store.add(question=r["curated"], answer="a", sources=[], owner="U0BEHEER").id
                   for r in mine}
            vectors = {q: embedder.embed_query(q) for q in ids}
            counts = {"paraphrases": 0, "paraphrases_served": 0, "chat_questions": 0, "chat_questions_served": 0,
                      "near_misses": 0, "near_misses_served_their_own_curated_answer": 0, "wrong_answer": 0}
            # Who may serve a wording: every curated answer it is a wording of (a near-miss of one
            # curated question can be another's own question, and then serving that one is right).
            right_for: dict[str, set[str]] = {}
            for r in mine:
                own = [questions[r["qa_id"]]] if r["qa_id"] in questions else []
                for q in [r["curated"], *r["paraphrases"], *own]:
                    right_for.setdefault(q.lower().strip(), set()).add(ids[r["curated"]])
            misses, false_serves = [], []
            for r in mine:
                cases = [("paraphrases", q) for q in r["paraphrases"]]
                if r["qa_id"] in questions:
                    cases.append(("chat_questions", questions[r["qa_id"]]))
                cases += [("near_misses", q) for q in r["near_misses"]]
                for kind, question in cases:
                    counts[kind] += 1
                    allowed = right_for.get(question.lower().strip(), set())
                    served = store.match(question)
                    if served is not None and served.id in allowed:
                        counts[f"{kind}_served" if kind != "near_misses"
                               else "near_misses_served_their_own_curated_answer"] += 1
                    elif served is not None:
                        counts["wrong_answer"] += 1
                        false_serves.append({"question": question, "served": served.question})
                    elif kind != "near_misses":
                        misses.append(question)
                    for other in mine:  # the second check's view: cosine of every word-agreeing pair
                        if lexical_match(question, other["curated"]):
                            cosine = float(np.dot(embedder.embed_query(question), vectors[other["curated"]]))
                            pooled.append((corpus, cosine, ids[other["curated"]] in allowed))
            report["corpora"][corpus] = {
                "curated_questions": len(mine), **counts,
                "paraphrase_recall": round(counts["paraphrases_served"] / max(counts["paraphrases"], 1), 3),
                "chat_question_recall": round(counts["chat_questions_served"] / max(counts["chat_questions"], 1), 3),
                "false_serves": false_serves, "not_served_examples": misses[:8]}
    for scope in ("pooled", *report["corpora"]):
        pairs = [p for p in pooled if scope == "pooled" or p[0] == scope]
        right = [c for _, c, ok in pairs if ok]
        wrong = [c for _, c, ok in pairs if not ok]
        report["threshold"][scope] = {
            "word_agreeing_right_pairs": len(right), "word_agreeing_wrong_pairs": len(wrong),
            "lowest_right_cosine": round(min(right), 3) if right else None,
            "highest_wrong_cosine": round(max(wrong), 3) if wrong else None,
            "sweep": {str(t): {"right_served": sum(c >= t for c in right), "wrong_served": sum(c >= t for c in wrong)}
                      for t in THRESHOLDS}}
    return report


def gaps(embedder, index_root: Path) -> dict:
    """Grouping of the unanswerable questions of each corpus, its words weighed by its own index."""
    from bot.insights.gaps import Gaps
    from knowledge.chunking import Chunker
    from knowledge.indexing import Indexer
    from knowledge.index.store import ChunkStore

    report = {}
    for corpus, (folder, _) in DEFAULT_CORPORA.items():
        if corpus not in GAP_QUESTIONS:
            continue
        store = ChunkStore(str(index_root / corpus / "index"))
        if not store.exists():
            Indexer(store, embedder, Chunker(embedder.count_tokens), lock_dir=index_root / corpus / "state").reindex(
                folder, collection=corpus)
        vocabulary = store.vocabulary()
        labelled = [(topic, q) for topic, wordings in GAP_QUESTIONS[corpus].items() for q in wordings]
        pairs = [(i, j) for i in range(len(labelled)) for j in range(i + 1, len(labelled))]
        same = [(i, j) for i, j in pairs if labelled[i][0] == labelled[j][0]]
        sweep = {}
        for threshold in GROUP_THRESHOLDS:
            grouping = Gaps(None, embedder, vocabulary=lambda: vocabulary, min_similarity=threshold)  # type: ignore[arg-type]
            labels = grouping.cluster([q for _, q in labelled])
            together = {(i, j) for i, j in pairs if labels[i] == labels[j]}
            sweep[str(threshold)] = {"groups": len(set(labels)), "topics": len(GAP_QUESTIONS[corpus]),
                                     "same_topic_pairs_together": f"{len(together & set(same))}/{len(same)}",
                                     "different_topic_pairs_together": len(together - set(same))}
        report[corpus] = {"questions": len(labelled), "sweep": sweep}
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="keep each corpus's index in DIR/NAME between runs")
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--embedding-model", default=OFFLINE_EMBEDDING,
                        help="a packaged model's name or a folder (default: the offline default)")
    args = parser.parse_args()
    from knowledge.embeddings import open_embedder
    from language.calibration import calibration_for

    embedder = open_embedder(resolve_embedding_model(load_settings(environ={}, config_path=None,
                                                                   embedding_model=args.embedding_model)))
    result = {"embedding_model": embedder.name, "min_similarity": calibration_for(embedder.name).curated_min_similarity,
              "load_average_start": os.getloadavg()}
    with tempfile.TemporaryDirectory() as tmp:
        root = args.index or Path(tmp)  # each corpus's index in ROOT/NAME
        (root / "sample").mkdir(parents=True, exist_ok=True)
        result["serve"] = serve(embedder, root / "sample", args.repeats)
        result["precision"] = precision(embedder)
        result["gaps"] = gaps(embedder, root)
    result["load_average_end"] = os.getloadavg()
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
