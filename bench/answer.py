"""Answering benchmarks on the offline default models; prints one JSON object.

    .venv/bin/python bench/answer.py [--index DIR] [--max-tokens 24] [--samples 5] [--skip-qa]
    .venv/bin/python bench/answer.py --calibrate-only [--corpus NAME=FOLDER:QAFILE ...] [--index DIR]
        # just the refusal thresholds, no generation; default corpora: the sample company,
        # developer-overheid and kadaster-aktemodellen (shared/corpora), calibrated together
    .venv/bin/python bench/answer.py --selection-weights 0,0.25,0.5 [--corpus ...] [--index DIR]
        # sentence selection with each weight of the embedding similarity (prepare only, no
        # generation, no relevance cut): per corpus the passage tokens, the share of them from a
        # gold document and the reference answer's words they hold; each weight chosen
        # leave-one-corpus-out on either measure
    Every form takes --embedding-model NAME (a packaged model's name or a folder, as
    VRAAGBAAK_EMBEDDING_MODEL takes it; default: the offline default).
    .venv/bin/python bench/answer.py --quote-shares 0,0.7,0.8,0.9,2 [--corpus ...] [--index DIR]
        # the quote's second document (prepare only, no generation): per corpus and share
        # (quoting.py, QUOTE_SECOND_DOCUMENT) the answerable questions whose quote would cite a gold
        # document, how many quotes take a second document and how many of those add a wrong one
        # beside a right first; each share chosen leave-one-corpus-out (most gold quoted, then fewest
        # second documents); a next document whose best passage is at least as close to the question
        # (the embedding's cosine) as the first's is quoted at every share, as quoting.py does
    .venv/bin/python bench/answer.py --qa-only [--corpus NAME=FOLDER:QAFILE ...] [--index DIR]
        # just the qa section, per corpus (default both), every question through engine.ask;
        # --index DIR keeps each corpus's index in DIR/NAME
    .venv/bin/python bench/answer.py --compare [--corpus NAME=FOLDER:QAFILE ...] [--index DIR]
        # today's packing (whole passages, budget 1000) vs sentence selection (the settings'
        # budget), per corpus, every question through engine.ask in both, taking turns

Sections (targets from issue 3):
- calibration: the refusal thresholds (bot/answering/relevance.py): relevance per question language
  for the embedding model in use (the best cosine among the hits and the vector search's own
  candidates), known-term share and coverage-alone, from the answerable vs
  unanswerable questions of all corpora together (with --calibrate-only; otherwise of
  tests/data/qa.jsonl), what those thresholds achieve on each corpus, and leave-one-corpus-out
  (calibrated without a corpus, checked on it). A question declined by a rule without a threshold
  (no number for an amount; no value of the kind asked for, language/values.py) counts as
  unsupported; `declined_by_rules` names, per corpus, the questions each rule declined.
- first_token: time to first token with the instruction prefix cached (another question was
  answered just before) vs cold (KV cache holds an unrelated prompt, prefix snapshots off);
  target cached <= 0.5 x cold.
- after_switch: a Dutch question's first token right after an English one (which pushed the Dutch
  instructions out of the live cache), with prefix snapshots off vs on (VRAAGBAAK_PREFIX_STATES).
- end_to_end: engine.ask (retrieve + prompt + generate) vs llama-cpp-python called directly with the
  same final prompt and max_tokens, greedy, both with the instruction prefix cached; target <= 1.10x.
- prompt_tokens: mean prompt and passage tokens per question vs the context budget.
- qa: abstain on >= 8/10 unanswerable; answer (no abstain, a gold source among the sources) >= 90%
  (issue 12: developer-overheid >= 80 %, the sample >= 45/50; --qa-only runs it on every corpus);
  `of_which_quoted` counts the answers where the model wrote nothing usable and the best passage
  was quoted instead (bot/answering/engine.py, QUOTED); `declined_by` counts the declines by who
  declined: a rule of the refusal policy (value asked for missing, no number, relevance or known
  terms) or the model in its own words.
- compare (issue 14.2, with --compare): per corpus and packing, mean/max prompt tokens, mean and
  median first-token and total time, prepare time (retrieval, refusal policy and selection),
  gold cited and declined, the preview's hit rate (its document is a gold one) and, where the
  question file has answers, the share of the answer's content words that the prompt holds; and
  the ratios selected/today. Both packings answer each question one after the other (in turns),
  so load changes hit both alike.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.settings import load_settings, offline_environment  # noqa: E402

offline_environment()

from bot.answering.engine import AnswerEngine  # noqa: E402
from bot.answering.types import Turn  # noqa: E402
from bot.answering.generation import GenerationRequest  # noqa: E402
from language.detection import detect_language  # noqa: E402
from bot.answering.llm import LlamaGenerator  # noqa: E402
from bot.model_files.resolving import OFFLINE_EMBEDDING, packaged_llm_path, resolve_embedding_model  # noqa: E402
from bench.corpora import DEFAULT_CORPORA, parse_corpus  # noqa: E402

QA_FILE = REPO / "tests" / "data" / "qa.jsonl"
SAMPLE = REPO / "knowledge" / "sample"
CALIBRATION_CORPORA = DEFAULT_CORPORA
UNRELATED = [{"role": "user", "content": "Tell me a joke about penguins and the weather in Iceland."}]


def load_questions(qa_file: Path = QA_FILE) -> list[dict]:
    """The eval questions; a follow-up ("vervolg") gets the question before it as history."""
    rows = [json.loads(line) for line in qa_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    for previous, row in zip([None, *rows], rows):
        row["history"] = [Turn("user", previous["question"])] if row["kind"] == "vervolg" and previous else []
        row["answerable"] = bool(row["sources"])
    return rows


def build_index(embedder, folder: Path | None, source: Path = SAMPLE, collection: str = "bedrijf"):
    from knowledge.chunking import Chunker
    from knowledge.indexing import Indexer
    from knowledge.index.store import ChunkStore

    root = folder or Path(tempfile.mkdtemp(prefix="bench-answer-"))
    store = ChunkStore(str(root / "index"))
    started = time.perf_counter()
    Indexer(store, embedder, Chunker(embedder.count_tokens), lock_dir=root / "state").reindex(
        source, collection=collection)
    return store, time.perf_counter() - started


# (question language, relevance, support, coverage of the best passage when only full text found it
# (None: the vector search agreed, or not measured), answerable)
Sample = tuple[str, float, "float | None", "float | None", bool]


def calibration_samples(engine: AnswerEngine, rows: list[dict], rules: dict | None = None) -> list[Sample]:
    """What the refusal policy sees for each question: its language, best relevance, support and
    the best passage's coverage when the vector search did not find that passage. `rules`, when
    given, gets the ids of the questions each threshold-free rule declines (numbers, value asked
    for), by whether they are answerable."""
    samples: list[Sample] = []
    for row in rows:
        prepared = engine.prepare(row["question"], history=row["history"])
        verdict = prepared.verdict
        # A question that asks for an amount no passage has a number for, or for a kind of value no
        # passage holds, is declined whatever its support: it counts as unsupported here. One judged
        # across languages has no support to lower (its language would get a known-terms threshold
        # of its own): it counts as irrelevant instead.
        by_rule = verdict.numbers_missing or verdict.value_missing
        support = 0.0 if by_rule and verdict.support is not None else verdict.support
        relevance = 0.0 if by_rule and verdict.support is None else verdict.relevance
        alone = verdict.coverage if verdict.agreement is False else None
        samples.append((prepared.language, relevance, support, alone, row["answerable"]))
        if rules is not None:
            group = "answerable" if row["answerable"] else "unanswerable"
            for rule, fired in (("numbers_missing", verdict.numbers_missing), ("value_missing", verdict.value_missing)):
                rules.setdefault(rule, {"answerable": [], "unanswerable": []})[group] += [row["id"]] if fired else []
    return samples


MAX_DECLINED_ANSWERABLE = 0.10  # the target: at most one answerable question in ten declined


def calibrate(samples_per_corpus: dict[str, list[Sample]], objective: str = "most-right") -> dict:
    """Per question language, over all corpora together: the relevance threshold and (same-language
    only) the known-terms and coverage-alone thresholds that best separate answerable from
    unanswerable questions, what they achieve in total and on each corpus, and (with more than one
    corpus) leave-one-corpus-out: thresholds calibrated without a corpus, checked on it. Objective
    "most-right": most questions handled right; "targets": most unanswerable questions declined
    while at most 10 % of the answerable ones are (MAX_DECLINED_ANSWERABLE)."""
    thresholds, per_language = _thresholds([s for v in samples_per_corpus.values() for s in v], objective)
    per_corpus = {name: _outcome(samples, *thresholds) for name, samples in samples_per_corpus.items()}
    report = {"objective": objective, "per_language": per_language, "min_relevance": thresholds[0],
              "min_support": thresholds[1],
              "min_coverage_alone": thresholds[2], "per_corpus": per_corpus,
              **_outcome([s for v in samples_per_corpus.values() for s in v], *thresholds)}
    if len(samples_per_corpus) > 1:
        report["leave_one_corpus_out"] = {}
        for held_out, samples in samples_per_corpus.items():
            rest, _ = _thresholds([s for name, v in samples_per_corpus.items() if name != held_out for s in v],
                                  objective)
            report["leave_one_corpus_out"][held_out] = {
                "calibrated_without_it": {"min_relevance": rest[0], "min_support": rest[1],
                                          "min_coverage_alone": rest[2]}, **_outcome(samples, *rest)}
    return report


def _thresholds(samples: list[Sample], objective: str = "most-right"
                ) -> tuple[tuple[dict, "float | None", "float | None"], dict]:
    pooled: dict[str, list[tuple]] = {}
    for language, *rest in samples:
        pooled.setdefault(language, []).append(tuple(rest))
    result = {language: _calibrate_language(items, objective) for language, items in sorted(pooled.items())}
    min_relevance = {language: r["min_relevance"] for language, r in result.items()}
    alones = [r["min_coverage_alone"] for r in result.values() if r["min_coverage_alone"] is not None]
    min_coverage_alone = round(statistics.mean(alones), 3) if alones else None
    # One known-terms threshold serves every language (relevance.AbstainPolicy): chosen on all
    # questions together with each language's relevance threshold, not as a mean of the languages'
    # own (a few English questions over English pages would pull the Dutch one halfway to theirs).
    supports = [support for _, _, support, _, _ in samples if support is not None]
    if not supports:
        return (min_relevance, None, min_coverage_alone), result
    n_answerable = sum(answerable for *_, answerable in samples)

    def score(c: float) -> tuple:
        counts = _outcome(samples, min_relevance, c, min_coverage_alone)
        declined, kept = (int(counts[key].split("/")[0]) for key in ("unanswerable_declined", "answerable_kept"))
        if objective == "targets":
            return (n_answerable - kept <= MAX_DECLINED_ANSWERABLE * n_answerable, declined, kept)
        return (declined + kept,)

    grid = _midpoints(supports)
    scores = {c: score(c) for c in grid}
    good = [c for c in grid if scores[c] == max(scores.values())]
    support = good[len(good) // 2]
    # Each language's relevance threshold fitted anew with that one support threshold (it was fitted
    # with the language's own, which a language with few questions may not get).
    min_relevance = {language: _calibrate_language(items, objective, fixed_support=support)["min_relevance"]
                     for language, items in sorted(pooled.items())}
    return (min_relevance, support, min_coverage_alone), result


def _answers(relevance: float, support: float | None, alone: float | None, t: float, c: float | None,
             g: float | None) -> bool:
    return (relevance >= t and (support is None or c is None or support >= c)
            and (alone is None or g is None or alone >= g))


def _outcome(samples: list[Sample], min_relevance: dict[str, float], min_support: float | None,
             min_coverage_alone: float | None = None) -> dict:
    """Declined unanswerable and kept answerable questions under these thresholds."""
    declined = kept = 0
    for language, relevance, support, alone, answerable in samples:
        threshold = min_relevance.get(language, min(min_relevance.values()))
        answers = _answers(relevance, support, alone, threshold, min_support, min_coverage_alone)
        kept += answerable and answers
        declined += (not answerable) and not answers
    n_un = sum(not s[-1] for s in samples)
    return {"unanswerable_declined": f"{declined}/{n_un}", "answerable_kept": f"{kept}/{len(samples) - n_un}"}


_FREE = object()


def _calibrate_language(items: list[tuple[float, "float | None", "float | None", bool]],
                        objective: str = "most-right", fixed_support=_FREE) -> dict:
    """`fixed_support`: the known-terms threshold to fit the others with (default: fitted too)."""
    uses_support = any(support is not None for _, support, _, _ in items)
    relevance_grid = _midpoints([r for r, _, _, _ in items])
    support_grid = _midpoints([s for _, s, _, _ in items if s is not None]) if uses_support else [None]
    if fixed_support is not _FREE and uses_support:
        support_grid = [fixed_support]
    alone_grid = _midpoints([g for _, _, g, _ in items if g is not None]) + [None]

    def outcome(t: float, c: float | None, g: float | None) -> tuple[int, int]:
        declined = kept = 0
        for relevance, support, alone, answerable in items:
            answers = _answers(relevance, support, alone, t, c, g)
            kept += answerable and answers
            declined += (not answerable) and not answers
        return declined, kept

    n_un = sum(not a for *_, a in items)
    n_ans = len(items) - n_un

    def score(declined: int, kept: int) -> tuple:
        if objective == "targets":  # within the answerable budget first, then most declined, then most kept
            return (n_ans - kept <= MAX_DECLINED_ANSWERABLE * n_ans, declined, kept)
        return (declined + kept,)  # questions handled right: declined or answered

    scores = {(t, c, g): score(*outcome(t, c, g))
              for t in relevance_grid for c in support_grid for g in alone_grid}
    best = max(scores.values())
    # Thresholds sit halfway between observed values. Of equally good ones: no coverage-alone rule
    # if it is not needed, else the middle one; the middle support threshold; the lowest relevance
    # threshold (a wrong "not found" costs the asker more).
    good = [key for key, value in scores.items() if value == best]
    alones = sorted({g for _, _, g in good if g is not None})
    g = None if any(key[2] is None for key in good) else alones[len(alones) // 2]
    supports = sorted({c for _, c, gg in good if gg == g}, key=lambda v: -1 if v is None else v)
    c = supports[len(supports) // 2]
    t = min(tt for tt, cc, gg in good if cc == c and gg == g)
    declined, kept = outcome(t, c, g)
    return {"min_relevance": t, "min_support": c, "min_coverage_alone": g, "declined": declined,
            "n_unanswerable": n_un, "kept": kept, "n_answerable": n_ans,
            "answerable_relevance": _spread(sorted(r for r, *_, a in items if a)),
            "unanswerable_relevance": _spread(sorted(r for r, *_, a in items if not a))}


def _midpoints(values: list[float]) -> list[float]:
    """Candidate thresholds: below everything, halfway between neighbours, above everything."""
    points = sorted(set(round(v, 4) for v in values))
    if not points:
        return [0.0]
    middle = [round((a + b) / 2, 4) for a, b in zip(points, points[1:])]
    return [round(points[0] - 0.01, 4), *middle, round(points[-1] + 0.01, 4)]


def _spread(values: list[float]) -> dict:
    if not values:
        return {}
    return {"min": round(values[0], 3), "median": round(statistics.median(values), 3), "max": round(values[-1], 3)}


def first_token(engine: AnswerEngine, generator: LlamaGenerator, rows: list[dict], samples: int) -> dict:
    """Same final prompt each time; only what the KV cache holds differs."""
    # Dutch questions only: English ones have their own (English) instruction prefix.
    dutch = [r["question"] for r in rows if r["answerable"] and detect_language(r["question"]) == "nl"]
    prompts = [engine.prepare(question).messages for question in dutch][: samples + 1]
    # The very first question after loading: weights not yet paged in, nothing in the KV cache.
    start = generator.submit(GenerationRequest(prompts[1], max_tokens=1, temperature=0.0))
    start.text()
    cold, cached, prompt_tokens, reused = [], [], [], []
    for primer, messages in zip(prompts, prompts[1:]):
        generator.submit(GenerationRequest(UNRELATED, max_tokens=1)).text()
        run = generator.submit(GenerationRequest(messages, max_tokens=1, temperature=0.0))
        run.text()
        cold.append(run.stats.first_token_s)
        generator.submit(GenerationRequest(primer, max_tokens=1)).text()
        run = generator.submit(GenerationRequest(messages, max_tokens=1, temperature=0.0))
        run.text()
        cached.append(run.stats.first_token_s)
        prompt_tokens.append(run.stats.prompt_tokens)
        reused.append(run.stats.cached_prompt_tokens)
    ratio = statistics.median(cached) / statistics.median(cold)
    prefix_share = statistics.mean(reused) / statistics.mean(prompt_tokens)
    return {"cold_s": round(statistics.median(cold), 4), "cached_s": round(statistics.median(cached), 4),
            "ratio": round(ratio, 3), "target": 0.5, "met": ratio <= 0.5, "samples": len(cold),
            "first_question_after_load_s": round(start.stats.first_token_s, 4),
            "ratio_vs_first_question_after_load": round(statistics.median(cached) / start.stats.first_token_s, 3),
            "best_possible_ratio": round(1 - prefix_share, 3),
            "mean_prompt_tokens": round(statistics.mean(prompt_tokens), 1),
            "mean_prefix_tokens_reused": round(statistics.mean(reused), 1)}


def after_switch(load, rows: list[dict], samples: int, prefix_states: int) -> dict:
    """Dutch and English questions taking turns: the Dutch first token with snapshots off vs on."""
    dutch = [r["question"] for r in rows if r["answerable"] and detect_language(r["question"]) == "nl"]
    english = [r["question"] for r in rows if detect_language(r["question"]) == "en"]
    result: dict = {"prefix_states": prefix_states or 4, "samples": samples}
    for label, states in (("off", 0), ("on", prefix_states or 4)):
        generator, engine = load(states)
        dutch_prompts = [engine.prepare(q).messages for q in dutch[: samples + 2]]
        english_prompts = [engine.prepare(q).messages for q in english]
        for messages in dutch_prompts[:2]:  # two Dutch questions: their shared beginning is learned
            generator.submit(GenerationRequest(messages, max_tokens=1, temperature=0.0)).text()
        times, reused = [], []
        for n, messages in enumerate(dutch_prompts[2:]):
            generator.submit(GenerationRequest(english_prompts[n % len(english_prompts)], max_tokens=1)).text()
            run = generator.submit(GenerationRequest(messages, max_tokens=1, temperature=0.0))
            run.text()
            times.append(run.stats.first_token_s)
            reused.append(run.stats.cached_prompt_tokens)
        result[f"dutch_first_token_{label}_s"] = round(statistics.median(times), 4)
        result[f"prefix_tokens_reused_{label}"] = round(statistics.mean(reused), 1)
        generator.close()
    result["ratio_on_vs_off"] = round(result["dutch_first_token_on_s"] / result["dutch_first_token_off_s"], 3)
    return result


def end_to_end(engine: AnswerEngine, generator: LlamaGenerator, rows: list[dict], samples: int,
               max_tokens: int) -> dict:
    """engine.ask vs Llama.create_completion on the same prompt, same Llama, same KV-cache state
    (both greedy, both with the instruction prefix cached by a primer question)."""
    llama = generator._llama  # safe here: the worker is idle between our requests
    questions = [r["question"] for r in rows
                 if r["answerable"] and not r["history"] and detect_language(r["question"]) == "nl"][: samples + 1]
    ours, theirs, tokens = [], [], []
    for primer, question in zip(questions, questions[1:]):
        engine.ask(primer).result()
        started = time.perf_counter()
        answer = engine.ask(question).result()
        elapsed = time.perf_counter() - started
        if answer.abstained:
            continue
        prompt = generator.render_prompt(engine.prepare(question).messages)
        sampling = {"max_tokens": max_tokens, "temperature": 0.0, "top_p": engine.sampling["top_p"],
                    "repeat_penalty": engine.sampling["repeat_penalty"]}
        llama(generator.render_prompt(engine.prepare(primer).messages), **sampling)
        started = time.perf_counter()
        out = llama(prompt, **sampling)
        theirs.append(time.perf_counter() - started)
        ours.append(elapsed)
        tokens.append((answer.timings["completion_tokens"], out["usage"]["completion_tokens"]))
    ratio = statistics.median(ours) / statistics.median(theirs) if theirs else float("nan")
    return {"engine_s": round(statistics.median(ours), 4) if ours else None,
            "direct_s": round(statistics.median(theirs), 4) if theirs else None,
            "ratio": round(ratio, 3), "target": 1.10, "met": ratio <= 1.10, "samples": len(theirs),
            "completion_tokens_engine_vs_direct": tokens}


def qa(engine: AnswerEngine, rows: list[dict]) -> dict:
    """Every question through engine.ask; the refusal policy's verdict taken beforehand (the same
    search), so that a decline is told apart by who declined: the policy (and by which rule) or the
    model ("niet gevonden" in its own words)."""
    verdicts, answers = [], []
    for row in rows:
        verdicts.append(engine.prepare(row["question"], history=row["history"]).verdict)
        answers.append(engine.ask(row["question"], history=row["history"]).result())
    return _qa_summary(rows, answers, verdicts)


def _declined_by(answer, verdict) -> str | None:
    """Who declined: a rule of the refusal policy, or the model itself; None: answered."""
    if not answer.abstained:
        return None
    if verdict is None:
        return "unknown"
    if verdict.answerable:
        return "model"
    if verdict.value_missing:
        return "policy: value asked for missing"
    if verdict.numbers_missing:
        return "policy: no number"
    return "policy: relevance or known terms"


def _qa_summary(rows: list[dict], answers: list, verdicts: list | None = None) -> dict:
    declined = answered = quoted = kept = 0
    prompt_tokens, misses, documents, gold_documents = [], [], [], []
    declined_by: dict[str, dict[str, int]] = {"answerable": {}, "unanswerable": {}}
    for row, answer, verdict in zip(rows, answers, verdicts or [None] * len(rows)):
        if (who := _declined_by(answer, verdict)) is not None:
            group = declined_by["answerable" if row["answerable"] else "unanswerable"]
            group[who] = group.get(who, 0) + 1
        if not row["answerable"]:
            declined += answer.abstained
            if not answer.abstained:
                misses.append({"id": row["id"], "wrongly": "answered"})
            continue
        cited = {path for s in answer.sources for path in (s.path, *s.copies)}
        if not answer.abstained:
            cited_documents = {(s.collection, s.path) for s in answer.sources}
            documents.append(len(cited_documents))
            gold_documents.append(sum(bool({s.path, *s.copies} & set(row["sources"]))
                                      for s in {(s.collection, s.path): s for s in answer.sources}.values()))
        kept += not answer.abstained
        ok = not answer.abstained and bool(cited & set(row["sources"]))
        answered += ok
        quoted += ok and answer.quoted
        if answer.timings.get("prompt_tokens"):
            prompt_tokens.append(answer.timings["prompt_tokens"])
        if not ok:
            misses.append({"id": row["id"], "wrongly": "abstained" if answer.abstained else "wrong source",
                           "got": sorted(cited), **({"declined_by": who} if who else {})})
    n_un = sum(not r["answerable"] for r in rows)
    n_ans = len(rows) - n_un
    return {"unanswerable_declined": f"{declined}/{n_un}", "declined_by": declined_by,
            "answerable_answered_with_gold_source": f"{answered}/{n_ans}",
            "answerable_not_declined": f"{kept}/{n_ans}", "answered_rate": round(answered / n_ans, 3),
            "met": declined >= 8 and answered / n_ans >= 0.9,
            "of_which_quoted": quoted,  # the model wrote nothing usable; the best passage was quoted
            # per answered answerable question: documents cited, and the share of them that are gold
            "documents_cited_mean": round(statistics.mean(documents), 2) if documents else 0,
            "cited_documents_gold_share": round(sum(gold_documents) / max(sum(documents), 1), 3),
            "mean_prompt_tokens": round(statistics.mean(prompt_tokens), 1) if prompt_tokens else 0,
            "max_prompt_tokens": max(prompt_tokens, default=0), "misses": misses,
            # per question the documents its answer cites (none: declined), to compare two runs by
            "cited": {row["id"]: [] if answer.abstained else sorted({s.path for s in answer.sources})
                      for row, answer in zip(rows, answers)}}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="reuse (or create) the sample index in this folder; with "
                        "--calibrate-only or --qa-only each corpus's index in DIR/NAME")
    parser.add_argument("--max-tokens", type=int, default=24)
    parser.add_argument("--samples", type=int, default=5)
    parser.add_argument("--context-budget", type=int, help="passage budget in tokens (default: the setting's)")
    parser.add_argument("--skip-qa", action="store_true")
    parser.add_argument("--calibrate-only", action="store_true")
    parser.add_argument("--qa-only", action="store_true",
                        help="only the qa section, on every corpus (engine.ask with the offline SmolLM2)")
    parser.add_argument("--compare", action="store_true",
                        help="today's packing vs sentence selection, on every corpus (engine.ask, SmolLM2)")
    parser.add_argument("--corpus", action="append", type=parse_corpus,
                        help="with --calibrate-only, --qa-only or --compare: NAME=FOLDER:QAFILE (repeatable; "
                             "default: the sample company, developer-overheid and kadaster-aktemodellen)")
    parser.add_argument("--selection-weights", help="comma-separated weights of the embedding similarity in "
                        "sentence selection: measure each (prepare only) on every corpus")
    parser.add_argument("--quote-shares", help="comma-separated shares of the first document's score the next "
                        "document needs to be quoted beside it: measure each (prepare only) on every corpus")
    parser.add_argument("--embedding-model", default=OFFLINE_EMBEDDING,
                        help="a packaged model's name or a folder (default: the offline default)")
    args = parser.parse_args()

    from knowledge.embeddings import open_embedder
    from knowledge.retrieval import Retriever
    from knowledge.index.store import ChunkStore

    settings = load_settings(environ={}, config_path=None, context_budget_tokens=args.context_budget,
                             embedding_model=args.embedding_model)
    embedder = open_embedder(resolve_embedding_model(settings))
    if args.calibrate_only:
        report = calibrate_corpora(embedder, dict(args.corpus) if args.corpus else CALIBRATION_CORPORA,
                                   settings.retrieval.top_k, args.index)
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    if args.selection_weights:
        weights = [float(w) for w in args.selection_weights.split(",") if w.strip()]
        report = selection_sweep(embedder, dict(args.corpus) if args.corpus else CALIBRATION_CORPORA, settings,
                                 weights, args.index)
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    if args.quote_shares:
        shares = [float(w) for w in args.quote_shares.split(",") if w.strip()]
        report = quote_sweep(embedder, dict(args.corpus) if args.corpus else CALIBRATION_CORPORA, settings, shares,
                             args.index)
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    if args.compare:
        report = compare_corpora(embedder, dict(args.corpus) if args.corpus else CALIBRATION_CORPORA, settings,
                                 args.max_tokens, args.index)
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    if args.qa_only:
        report = qa_corpora(embedder, dict(args.corpus) if args.corpus else CALIBRATION_CORPORA, settings,
                            args.max_tokens, args.index)
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    if args.index and ChunkStore(str(args.index / "index")).exists():
        store, index_s = ChunkStore(str(args.index / "index")), 0.0
    else:
        store, index_s = build_index(embedder, args.index)
    rows = load_questions()
    retriever = Retriever(embedder, store)
    report: dict = {"embedding_model": embedder.name, "index_s": round(index_s, 1),
                    "context_budget_tokens": settings.answering.context_budget_tokens,
                    "top_k": settings.retrieval.top_k}
    probe = AnswerEngine(retriever, _NoGenerator(), embedder=embedder, top_k=settings.retrieval.top_k)
    report["calibration"] = calibrate({"sample": calibration_samples(probe, rows)})
    report["policy_in_use"] = {"min_relevance": probe.policy.min_relevance, "min_support": probe.policy.min_support,
                               "min_coverage_alone": probe.policy.min_coverage_alone}

    def load(prefix_states: int) -> tuple[LlamaGenerator, AnswerEngine]:
        generator = LlamaGenerator(packaged_llm_path(), n_ctx=settings.llm.n_ctx, n_threads=settings.llm.threads,
                                   n_threads_batch=settings.llm.threads, prefix_states=prefix_states)
        return generator, AnswerEngine(retriever, generator, embedder=embedder, top_k=settings.retrieval.top_k,
                                       context_budget_tokens=settings.answering.context_budget_tokens,
                                       max_tokens=args.max_tokens, temperature=0.0, cache_size=0)

    generator, engine = load(0)  # cold must mean cold: no snapshot to restore
    report["llm"] = generator.model_name
    report["threads"] = settings.llm.threads
    report["max_tokens"] = args.max_tokens
    report["first_token"] = first_token(engine, generator, rows, args.samples)
    generator.close()
    report["after_switch"] = after_switch(load, rows, args.samples, settings.llm.prefix_states)
    generator, engine = load(settings.llm.prefix_states)
    report["end_to_end"] = end_to_end(engine, generator, rows, args.samples, args.max_tokens)
    if not args.skip_qa:
        report["qa"] = qa(engine, rows)
        report["prompt_tokens"] = {"mean": report["qa"]["mean_prompt_tokens"], "max": report["qa"]["max_prompt_tokens"],
                                   "n_ctx": settings.llm.n_ctx,
                                   "within_budget":
                                       report["qa"]["max_prompt_tokens"] + args.max_tokens <= settings.llm.n_ctx}
    generator.close()
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


def calibrate_corpora(embedder, corpora: dict[str, tuple[Path, Path]], top_k: int,
                      index_root: Path | None = None) -> dict:
    """Indexes each corpus into a temporary folder (or reuses INDEX/NAME) and calibrates on all
    their questions together."""
    from knowledge.retrieval import Retriever

    samples: dict[str, list[Sample]] = {}
    rules: dict[str, dict] = {}
    probe = None
    for name, (folder, qa_file) in corpora.items():
        store = _corpus_index(embedder, name, folder, index_root)
        probe = AnswerEngine(Retriever(embedder, store), _NoGenerator(), embedder=embedder, top_k=top_k)
        samples[name] = calibration_samples(probe, load_questions(qa_file), rules.setdefault(name, {}))
    return {"embedding_model": embedder.name, "top_k": top_k, "corpora": list(corpora), "load": _load(),
            "declined_by_rules": rules,
            "calibration": calibrate(samples),
            "calibration_for_the_targets": calibrate(samples, "targets"),
            "policy_in_use": {"min_relevance": probe.policy.min_relevance,
                              "min_support": probe.policy.min_support,
                              "min_coverage_alone": probe.policy.min_coverage_alone,
                              "per_corpus": {name: _outcome(v, probe.policy.min_relevance, probe.policy.min_support,
                                                            probe.policy.min_coverage_alone)
                                             for name, v in samples.items()}} if probe else None}


def _corpus_index(embedder, name: str, folder: Path, index_root: Path | None):
    """The corpus's index in INDEX/NAME when it is there, else built (there, or in a temporary folder)."""
    from knowledge.index.store import ChunkStore

    root = index_root / name if index_root else None
    if root and ChunkStore(str(root / "index")).exists():
        return ChunkStore(str(root / "index"))
    return build_index(embedder, root, folder, name)[0]


def _corpus_generator(settings) -> LlamaGenerator:
    """One SmolLM2 for all corpora, with the settings' threads and prefix snapshots."""
    return LlamaGenerator(packaged_llm_path(), n_ctx=settings.llm.n_ctx, n_threads=settings.llm.threads,
                          n_threads_batch=settings.llm.threads, prefix_states=settings.llm.prefix_states)


def _report_head(embedder, generator, settings, max_tokens: int) -> dict:
    return {"embedding_model": embedder.name, "llm": generator.model_name, "max_tokens": max_tokens,
            "top_k": settings.retrieval.top_k}


def qa_corpora(embedder, corpora: dict[str, tuple[Path, Path]], settings, max_tokens: int,
               index_root: Path | None) -> dict:
    """The qa section on each corpus, with one SmolLM2 for all: every question through engine.ask,
    a question in the other language than the documents with its words translated, as served."""
    from knowledge.crosslingual import TranslatingQuery
    from knowledge.retrieval import Retriever
    from language.translation import load_dictionaries

    generator = _corpus_generator(settings)
    report: dict = {**_report_head(embedder, generator, settings, max_tokens),
                    "context_budget_tokens": settings.answering.context_budget_tokens, "load_before": _load(),
                    "corpora": {}}
    translating = TranslatingQuery(load_dictionaries(settings.folders.dictionaries_dir))
    try:
        for name, (folder, qa_file) in corpora.items():
            store = _corpus_index(embedder, name, folder, index_root)
            engine = AnswerEngine(Retriever(embedder, store, query_terms=translating), generator, embedder=embedder,
                                  top_k=settings.retrieval.top_k,
                                  context_budget_tokens=settings.answering.context_budget_tokens,
                                  max_tokens=max_tokens, temperature=0.0, cache_size=0)
            started = time.perf_counter()
            report["corpora"][name] = {**qa(engine, load_questions(qa_file)),
                                       "seconds": round(time.perf_counter() - started, 1)}
    finally:
        generator.close()
    report["load_after"] = _load()
    return report


TODAY_BUDGET = 1000  # the passage budget of whole-passage packing before sentence selection


def selection_sweep(embedder, corpora: dict[str, tuple[Path, Path]], settings, weights: list[float],
                    index_root: Path | None) -> dict:
    """What sentence selection puts in the prompt with each weight of the embedding similarity: the
    same hits (no relevance cut, so the refusal thresholds do not interfere), SmolLM2's tokens."""
    from bot.answering.selection import SentenceSelector
    from knowledge.retrieval import Retriever

    generator = _corpus_generator(settings)
    report: dict = {"embedding_model": embedder.name, "budget": settings.answering.context_budget_tokens,
                    "load_before": _load(), "corpora": {}}
    try:
        for name, (folder, qa_file) in corpora.items():
            engine = AnswerEngine(Retriever(embedder, _corpus_index(embedder, name, folder, index_root)), generator,
                                  top_k=settings.retrieval.top_k,
                                  context_budget_tokens=settings.answering.context_budget_tokens,
                                  min_relevance=0.0, cache_size=0)
            rows = [r for r in load_questions(qa_file) if r["answerable"]]
            per_weight = {}
            for weight in weights:
                engine.selector = SentenceSelector(embedder, semantic_weight=weight)
                tokens, gold, held = [], [], []
                for row in rows:
                    passages = engine.prepare(row["question"], history=row["history"]).passages
                    total = sum(p.tokens for p in passages)
                    tokens.append(total)
                    gold.append(sum(p.tokens for p in passages if p.hit.chunk.doc_id in row["sources"]) / max(total, 1))
                    if row.get("answer"):
                        held.append(_answer_words_held(row["answer"], "\n".join(p.text for p in passages)))
                per_weight[str(weight)] = {"passage_tokens": round(statistics.mean(tokens), 1),
                                           "gold_share": round(statistics.mean(gold), 3),
                                           "answer_words": round(statistics.mean(held), 3) if held else None}
            report["corpora"][name] = per_weight
    finally:
        generator.close()
    report["leave_one_corpus_out"] = {measure: _choose_leaving_one_out(report["corpora"], measure)
                                      for measure in ("gold_share", "answer_words")}
    report["load_after"] = _load()
    return report


def quote_sweep(embedder, corpora: dict[str, tuple[Path, Path]], settings, shares: list[float],
                index_root: Path | None) -> dict:
    """Whom the quote of each answerable question would cite with each share: the preview's document,
    and the next document when its best hit scores at least that share of the first's."""
    from bot.answering.quoting import closer_to_question, document_score
    from knowledge.retrieval import Retriever

    generator = _corpus_generator(settings)
    report: dict = {"embedding_model": embedder.name, "load_before": _load(), "corpora": {}}
    try:
        for name, (folder, qa_file) in corpora.items():
            engine = AnswerEngine(Retriever(embedder, _corpus_index(embedder, name, folder, index_root)), generator,
                                  embedder=embedder, top_k=settings.retrieval.top_k,
                                  context_budget_tokens=settings.answering.context_budget_tokens, cache_size=0,
                                  quote_second_document=0.0)  # every next document: its share is measured here
            quotes = []  # (first gold, next gold or None, the next's share of the first's score, closer)
            for row in (r for r in load_questions(qa_file) if r["answerable"]):
                prepared = engine.prepare(row["question"], history=row["history"])
                if prepared.preview is None:
                    continue
                gold = set(row["sources"])
                candidates = [h for h in prepared.hits if h.relevance >= engine.policy.threshold(prepared.language)]
                preview, following = prepared.preview, prepared.runner_up
                share = (document_score(candidates, following.source) / max(document_score(candidates, preview.source),
                                                                            1e-9)) if following is not None else 0.0
                closer = following is not None and closer_to_question(candidates, following.source, preview.source)
                quotes.append((bool({preview.source.path, *preview.source.copies} & gold),
                               bool({following.source.path, *following.source.copies} & gold)
                               if following is not None else None, share, closer))
            report["corpora"][name] = {str(share): _quoted_with(quotes, share) for share in shares}
    finally:
        generator.close()
    report["leave_one_corpus_out"] = {}
    for held_out, own in report["corpora"].items():
        others = [scores for corpus, scores in report["corpora"].items() if corpus != held_out]
        if not others:
            continue
        chosen = max(own, key=lambda w: (sum(o[w]["gold_quoted"] for o in others),
                                         -sum(o[w]["second_documents"] for o in others)))
        best = max(own[w]["gold_quoted"] for w in own)
        report["leave_one_corpus_out"][held_out] = {"chosen_on_the_others": float(chosen), **own[chosen],
                                                    "best_gold_quoted_here": best}
    report["load_after"] = _load()
    return report


def _quoted_with(quotes: list[tuple[bool, bool | None, float, bool]], share: float) -> dict:
    """What the quotes cite with this share: (first gold, next gold or None, the next's share, whether
    the next's best passage is at least as close to the question as the first's: quoted whatever the
    share)."""
    taken = [(first, following, following is not None and (score >= share or closer))
             for first, following, score, closer in quotes]
    second = [(first, following) for first, following, take in taken if take]
    return {"gold_quoted": sum(first or bool(following and take) for first, following, take in taken),
            "second_documents": len(second),
            "wrong_beside_right": sum(first and not following for first, following in second)}


def _choose_leaving_one_out(per_corpus: dict[str, dict[str, dict]], measure: str) -> dict:
    """Per corpus: the weight best on the mean of the other corpora (that have the measure), what it
    gives here, and the best weight here."""
    have = {name: scores for name, scores in per_corpus.items()
            if all(s[measure] is not None for s in scores.values())}
    result = {}
    for held_out, own in have.items():
        others = [scores for name, scores in have.items() if name != held_out]
        if not others:
            continue
        chosen = max(own, key=lambda w: (statistics.mean(o[w][measure] for o in others), -float(w)))
        best = max(own, key=lambda w: (own[w][measure], -float(w)))
        result[held_out] = {"chosen_on_the_others": float(chosen), measure: own[chosen][measure],
                            "best_weight_here": float(best), f"best_{measure}_here": own[best][measure]}
    return result


def compare_corpora(embedder, corpora: dict[str, tuple[Path, Path]], settings, max_tokens: int,
                    index_root: Path | None) -> dict:
    """Today's packing vs sentence selection on each corpus, one SmolLM2 for both (see `compare`)."""
    from knowledge.retrieval import Retriever

    generator = _corpus_generator(settings)
    report: dict = {**_report_head(embedder, generator, settings, max_tokens), "threads": settings.llm.threads,
                    "budgets": {"today": TODAY_BUDGET, "selected": settings.answering.context_budget_tokens},
                    "load_before": _load(), "corpora": {}}
    try:
        for name, (folder, qa_file) in corpora.items():
            retriever = Retriever(embedder, _corpus_index(embedder, name, folder, index_root))
            engines = {mode: AnswerEngine(retriever, generator, embedder=embedder, top_k=settings.retrieval.top_k,
                                          context_budget_tokens=budget,
                                          sentence_selection=mode == "selected", max_tokens=max_tokens,
                                          temperature=0.0, cache_size=0)
                       for mode, budget in report["budgets"].items()}
            report["corpora"][name] = compare(engines, load_questions(qa_file))
    finally:
        generator.close()
    report["load_after"] = _load()
    return report


def compare(engines: dict[str, AnswerEngine], rows: list[dict]) -> dict:
    """Every question through each engine in turn (the order swapped every question)."""
    answers: dict[str, list] = {mode: [] for mode in engines}
    previews: dict[str, list] = {mode: [] for mode in engines}
    recall: dict[str, list[float]] = {mode: [] for mode in engines}
    for n, row in enumerate(rows):
        for mode in (list(engines) if n % 2 == 0 else list(engines)[::-1]):
            stream = engines[mode].ask(row["question"], history=row["history"])
            previews[mode].append(stream.preview)
            answers[mode].append(stream.result())
    for mode, engine in engines.items():  # what the prompts hold (untimed: prepare only)
        for row, answer in zip(rows, answers[mode]):
            if row.get("answer") and not answer.abstained and row["answerable"]:
                prepared = engine.prepare(row["question"], history=row["history"])
                recall[mode].append(_answer_words_held(row["answer"], "\n".join(p.text for p in prepared.passages)))
    result: dict = {}
    for mode in engines:
        summary = _qa_summary(rows, answers[mode])
        asked = [a for a in answers[mode] if a.timings.get("prompt_tokens")]
        shown = [(row, p) for row, p, a in zip(rows, previews[mode], answers[mode]) if p is not None]
        result[mode] = {
            "unanswerable_declined": summary["unanswerable_declined"],
            "answerable_answered_with_gold_source": summary["answerable_answered_with_gold_source"],
            "of_which_quoted": summary["of_which_quoted"],
            "mean_prompt_tokens": summary["mean_prompt_tokens"], "max_prompt_tokens": summary["max_prompt_tokens"],
            "first_token_s": _spread_s([a.timings["first_token_s"] for a in asked]),
            "total_s": _spread_s([a.timings["total_s"] for a in asked]),
            "prepare_s": _spread_s([a.timings["retrieve_s"] for a in asked]),
            "previews_shown": len(shown),
            "preview_from_gold_document": sum(bool({p.source.path, *p.source.copies} & set(row["sources"]))
                                              for row, p in shown),
            "previews_for_refusals": sum(p is not None and a.abstained for p, a in zip(previews[mode], answers[mode])),
            "answer_words_in_prompt": round(statistics.mean(recall[mode]), 3) if recall[mode] else None,
            "misses": summary["misses"]}
    today, selected = result["today"], result["selected"]
    result["ratios_selected_vs_today"] = {
        "mean_prompt_tokens": round(selected["mean_prompt_tokens"] / today["mean_prompt_tokens"], 3),
        **{f"{figure}_{stat}": round(selected[figure][stat] / today[figure][stat], 3)
           for figure in ("first_token_s", "total_s") for stat in ("mean", "median")}}
    return result


def _answer_words_held(answer: str, prompt: str) -> float:
    """Share of the reference answer's content words that the prompt's passages hold (any form)."""
    from language.matching import Matching, same_word
    from language.questions import question_terms
    from language.tokens import words_of

    terms = question_terms(answer)
    words = set(words_of(prompt))
    if not terms:
        return 1.0
    return sum(term in words or any(same_word(term, w, mode=Matching.SEARCH) for w in words)
               for term in terms) / len(terms)


def _spread_s(values: list[float]) -> dict:
    if not values:
        return {"mean": 0.0, "median": 0.0, "max": 0.0}
    return {"mean": round(statistics.mean(values), 3), "median": round(statistics.median(values), 3),
            "max": round(max(values), 3)}


def _load() -> list[float]:
    import os

    return [round(v, 2) for v in os.getloadavg()]


class _NoGenerator:
    """Counts tokens roughly; calibration never generates."""

    model_name = "none"
    n_ctx = 4096

    def count_tokens(self, text: str) -> int:
        return len(text.split())

    def submit(self, request):
        raise RuntimeError("calibration does not generate")

    def queue_length(self) -> int:
        return 0

    def close(self) -> None:
        pass


if __name__ == "__main__":
    sys.exit(main())
