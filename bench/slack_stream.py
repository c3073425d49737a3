"""What a Slack user sees, and when: prints one JSON object.

    .venv/bin/python bench/slack_stream.py [--index DIR] [--questions 6] [--max-tokens 48]
        [--corpus NAME=FOLDER:QAFILE ...]   # default: the sample company and developer-overheid

The real app (Bolt, Socket Mode) against the fake Slack over real sockets, with the real retrieval on
each corpus and the offline SmolLM2 on the CPU. Channel mentions are asked one at a time (questions of
the corpus's qa file, answerable and not); per question, from the moment the event is pushed:
- `sources_s`: until chat.startStream arrives naming the documents found (task/plan chunks);
- `first_word_s`: until the first markdown_text of the answer itself arrives;
- `final_s`: until the finished message (chat.stopStream with the sources and feedback buttons, or
  the chat.update that replaced the stream).
Targets (issue 15): sources within 1 s of the event, before the first word. The figures depend on the
machine's load; the load average is printed with them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.settings import offline_environment  # noqa: E402

offline_environment()

from bench.answer import _corpus_index, load_questions  # noqa: E402
from bench.corpora import DEFAULT_CORPORA, parse_corpus  # noqa: E402


def measure(slack, questions: list[str]) -> list[dict]:
    rows = []
    for question in questions:
        event = slack.user_posts(question, user="U0ALICE", channel="C0ALGEMEEN")
        pushed = time.monotonic()
        slack.push_event(event)
        thread = event["ts"]

        def finished():
            return next((c for c in slack.calls if c.params.get("blocks")
                         and c.method in ("chat.stopStream", "chat.update")
                         and (c.params.get("ts") in streams(thread))), None)

        def streams(ts):
            return {c.response.get("ts") for c in slack.calls if c.method == "chat.startStream"
                    and c.params.get("thread_ts") == ts}

        final = slack.wait_until(finished, 600, f"the answer to {question!r}")
        calls = [c for c in slack.calls if c.at >= pushed and c.method.startswith("chat.")
                 and (c.params.get("thread_ts") == thread or c.params.get("ts") in streams(thread))]
        start = next((c for c in calls if c.method == "chat.startStream"), None)
        named = start is not None and any(ch.get("type") in ("task_update", "plan_update")
                                          for ch in start.params.get("chunks") or [])
        first_word = next((c for c in calls if c.method in ("chat.appendStream", "chat.stopStream")
                           and any(ch.get("type") == "markdown_text" for ch in c.params.get("chunks") or [])), None)
        rows.append({"question": question,
                     "sources_s": round(start.at - pushed, 3) if named else None,
                     "first_word_s": round(first_word.at - pushed, 3) if first_word else None,
                     "final_s": round(final.at - pushed, 3),
                     "sources_before_first_word": bool(named and (first_word is None or start.at <= first_word.at))})
    return rows


def summary(rows: list[dict], key: str) -> dict:
    values = [r[key] for r in rows if r[key] is not None]
    return {"median": round(statistics.median(values), 3), "max": round(max(values), 3), "n": len(values)} \
        if values else {"n": 0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="reuse (or create) each corpus's index in DIR/NAME")
    parser.add_argument("--questions", type=int, default=6, help="per corpus (answerable and not, alternating)")
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--corpus", action="append", type=parse_corpus)
    args = parser.parse_args()

    from bot.answering.engine import AnswerEngine
    from bot.answering.llm import LlamaGenerator
    from bot.insights.feedback import FeedbackStore
    from bot.model_files.resolving import packaged_embedding_path, packaged_llm_path
    from bot.services import Services
    from bot.storage.database import Storage
    from knowledge.embeddings import open_embedder
    from knowledge.retrieval import Retriever
    from tests.fakes.slack import FakeSlack
    from tests.slack.conftest import bot_settings, running_bot

    embedder = open_embedder(str(packaged_embedding_path()))
    corpora = dict(args.corpus) if args.corpus else DEFAULT_CORPORA
    report: dict = {"load_average_before": os.getloadavg(), "max_tokens": args.max_tokens, "corpora": {}}
    work = Path(tempfile.mkdtemp(prefix="bench-slack-"))
    for name, (folder, qa_file) in corpora.items():
        store = _corpus_index(embedder, name, folder, args.index)
        rows = load_questions(qa_file)
        answerable = [r["question"] for r in rows if r["answerable"] and not r["history"]]
        other = [r["question"] for r in rows if not r["answerable"]]
        questions = [q for pair in zip(answerable, other + answerable[len(other):]) for q in pair][:args.questions]
        with FakeSlack() as slack:
            slack.workspace.add_user("U0ALICE", "alice")
            settings = bot_settings(work / name, slack)
            generator = LlamaGenerator(packaged_llm_path(), n_ctx=settings.llm.n_ctx, n_threads=settings.llm.threads,
                                       n_threads_batch=settings.llm.threads, prefix_states=settings.llm.prefix_states)
            engine = AnswerEngine(Retriever(embedder, store), generator, embedder=embedder,
                          top_k=settings.retrieval.top_k,
                                  context_budget_tokens=settings.answering.context_budget_tokens,
                                  max_tokens=args.max_tokens, cache_size=0)
            services = Services(settings, engine=engine, generator=generator,
                                feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
            try:
                with running_bot(slack, services, update_interval_s=1.0):
                    engine.warm_up().text()  # as `serve` does at start-up
                    measured = measure(slack, questions)
            finally:
                generator.close()
        report["corpora"][name] = {"sources_s": summary(measured, "sources_s"),
                                   "first_word_s": summary(measured, "first_word_s"),
                                   "final_s": summary(measured, "final_s"),
                                   "sources_before_first_word": sum(r["sources_before_first_word"] for r in measured),
                                   "questions": measured}
    report["load_average_after"] = os.getloadavg()
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
