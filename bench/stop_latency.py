"""How fast the stop button stops the model: prints one JSON object.

    .venv/bin/python bench/stop_latency.py [--runs 10] [--after-tokens 20] [--model GGUF]
    .venv/bin/python bench/stop_latency.py --slack [--runs 5]

Default: a real generation on the local GGUF (default the packaged SmolLM2), cancelled after a number
of tokens as `agent_session_stopped` cancels it; per run the time from `cancel()` until the generation
is done (the worker stops at its next token), and the time a request waiting behind it needs to leave
the queue when it is cancelled.

`--slack`: the whole way, with the real app (Bolt, Socket Mode) against the fake Slack over real
sockets, the sample company indexed with the packaged embedding model and SmolLM2: per run an
@mention in a channel whose answer a grammar makes long (tests/generators.py LongAnswers); once its
first words are streamed the asker clicks the thread session's stop button, and from the click:
`model_done_s` until the generation is done, `stream_closed_s` until chat.stopStream closes the
message with the note, `session_active_s` until the session is active again.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.settings import offline_environment  # noqa: E402

offline_environment()

from bot.answering.generation import GenerationRequest  # noqa: E402
from bot.answering.llm import LlamaGenerator  # noqa: E402
from bot.model_files.resolving import packaged_llm_path  # noqa: E402

PROMPT = [{"role": "system", "content": "Je beantwoordt vragen uitgebreid, in het Nederlands."},
          {"role": "user", "content": "Beschrijf stap voor stap hoe ik verlof aanvraag en wat ik moet regelen."}]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--after-tokens", type=int, default=20, help="pieces streamed before the stop")
    parser.add_argument("--model", default=str(packaged_llm_path()))
    parser.add_argument("--slack", action="store_true", help="from the stop button's click, through Slack")
    args = parser.parse_args()
    if args.slack:
        return through_slack(args.runs, args.model)
    threads = os.cpu_count() or 1
    generator = LlamaGenerator(args.model, n_ctx=2048, n_threads=threads, n_threads_batch=threads)
    running_stop, waiting_stop = [], []
    try:
        for _ in range(args.runs):
            running = generator.submit(GenerationRequest(PROMPT, max_tokens=400, temperature=0.0))
            waiting = generator.submit(GenerationRequest(PROMPT, max_tokens=400, temperature=0.0))
            for count, _piece in enumerate(running, start=1):
                if count >= args.after_tokens:
                    break
            started = time.perf_counter()
            waiting.cancel()
            waiting.text()
            waiting_stop.append(time.perf_counter() - started)
            started = time.perf_counter()
            running.cancel()
            running.text()
            running_stop.append(time.perf_counter() - started)
    finally:
        generator.close()
    print(json.dumps({
        "model": Path(args.model).name, "threads": threads, "runs": args.runs, "after_tokens": args.after_tokens,
        "load_average": os.getloadavg(),
        "generating_stop_s": {"median": statistics.median(running_stop), "max": max(running_stop)},
        "waiting_leaves_queue_s": {"median": statistics.median(waiting_stop), "max": max(waiting_stop)},
    }, indent=2))
    return 0


def through_slack(runs: int, model: str) -> int:
    import tempfile

    from bot.answering.engine import AnswerEngine
    from bot.insights.feedback import FeedbackStore
    from bot.model_files.resolving import packaged_embedding_path
    from bot.services import Services
    from bot.storage.database import Storage
    from knowledge.embeddings import open_embedder
    from knowledge.retrieval import Retriever
    from bench.answer import _corpus_index
    from bench.corpora import DEFAULT_CORPORA
    from tests.fakes.slack import FakeSlack
    from tests.generators import LongAnswers
    from tests.slack.conftest import bot_settings, running_bot

    work = Path(tempfile.mkdtemp(prefix="bench-stop-"))
    embedder = open_embedder(str(packaged_embedding_path()))
    store = _corpus_index(embedder, "sample", DEFAULT_CORPORA["sample"][0], None)
    rows: list[dict] = []
    with FakeSlack() as slack:
        slack.workspace.add_user("U0ALICE", "alice")
        settings = bot_settings(work, slack)
        threads = settings.llm.threads
        generator = LongAnswers(LlamaGenerator(model, n_ctx=settings.llm.n_ctx, n_threads=threads,
                                               n_threads_batch=threads), count=None)
        engine = AnswerEngine(Retriever(embedder, store), generator, embedder=embedder, min_relevance=0.0,
                              context_budget_tokens=settings.answering.context_budget_tokens, cache_size=0,
                              guard=False)
        services = Services(settings, engine=engine, generator=generator, embedder=embedder, store=store,
                            feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
        try:
            with running_bot(slack, services, update_interval_s=1.0) as bot:  # as `serve` runs it
                for _ in range(runs):
                    rows.append(stop_one(slack, generator))
                bot.parts.replier.wait_until_idle(30)
        finally:
            for generation in generator.generations:
                generation.cancel()
            generator.generator.close()
    print(json.dumps({
        "model": Path(model).name, "threads": threads, "runs": runs, "load_average": os.getloadavg(),
        **{key: {"median": round(statistics.median(r[key] for r in rows), 3),
                 "max": round(max(r[key] for r in rows), 3)}
           for key in ("model_done_s", "stream_closed_s", "session_active_s")},
        "tokens_before_stop": [r["tokens"] for r in rows], "max_tokens": generator.max_tokens,
    }, indent=2))
    return 0


def stop_one(slack, generator) -> dict:
    """One @mention, stopped once its first words are streamed; times from the click."""
    channel = "C0ALGEMEEN"
    event = slack.user_posts("Hoeveel vakantiedagen heb ik per jaar?", user="U0ALICE", channel=channel)
    slack.push_event(event)
    thread = event["ts"]
    slack.wait_until(lambda: next((m for m in slack.workspace.streamed_messages(channel)
                                   if m.get("thread_ts") == thread and m["text"].strip()), None),
                     300, "the first words of the answer")
    generation = generator.generations[-1]
    clicked = time.monotonic()
    slack.click_stop(channel, thread, user="U0ALICE")
    generation.text()
    model_done = time.monotonic() - clicked
    closed = slack.wait_for_call("chat.stopStream", lambda c: c.at >= clicked and "Gestopt" in str(c.params),
                                 timeout=60)
    active = slack.wait_until(lambda: next((at for at, status, _ in slack.workspace.session(channel, thread).statuses
                                            if at >= clicked and status == "active"), None), 60, "active")
    return {"model_done_s": model_done, "stream_closed_s": closed.at - clicked, "session_active_s": active - clicked,
            "tokens": generation.stats.completion_tokens}


if __name__ == "__main__":
    raise SystemExit(main())
