"""Many people asking at once through Slack; prints one JSON object.

    .venv/bin/python bench/slack_load.py [--users 50] [--token-delay 0.03] [--words 40]
        [--answer-threads 128] [--quick-threads 16] [--real-model] [--max-tokens 48]

The real Bolt app (bot.slack.transport.app, bot.slack.transport.serving's Socket Mode handler) connected over real
sockets to the fake Slack (tests/fakes/slack), answering with the real AnswerEngine over fixed
passages. The model is the scripted one (tests/generators.ScriptedGenerator: one worker, FIFO,
`--token-delay` seconds per word, `--words` words per answer), or with `--real-model` the
configured GGUF model (the packaged SmolLM2 unless models were pulled).

All `--users` questions (one per user; mentions in three channels and direct messages mixed) are
pushed at once, as fast as one thread can; halfway through the pushes `/vraagbaak status`, a 👍
and `app_home_opened` are pushed too. Reported:
- ack_s: seconds from push to acknowledgement over all envelopes (p50/p95/p99/max), and how many
  missed Slack's 3 s deadline; `side_requests_ack_s`: the status command, the click, the Home tab.
- answers: per arrival position, seconds from the push to the first answer text in Slack
  (`first_token_s`) and to the finished message (`total_s`); duplicates (answered more than once)
  and lost (never answered).
- rss_mib before the pushes, at the peak and after; threads before, at the peak, after.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.insights.feedback import FeedbackStore  # noqa: E402
from bot.services import Services  # noqa: E402
from bot.slack.answer_flow.delivery import THINKING_TEXT  # noqa: E402
from bot.storage.database import Storage  # noqa: E402
from tests.conftest import make_settings  # noqa: E402
from tests.fakes.slack import FakeSlack  # noqa: E402
from tests.generators import RecordingGenerator, ScriptedGenerator  # noqa: E402
from tests.slack.conftest import running_bot  # noqa: E402
from tests.slack.fakes import question_of, scripted_engine  # noqa: E402
from tests.slack.load import Asked, answer_for, ask_all, home_opened, user_id, vote_click  # noqa: E402

ADMIN = "U0ADMIN"


def rss_mib() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return 0.0


def percentiles(values: list[float]) -> dict[str, float | int | None]:
    if not values:
        return {"n": 0, "p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(values)

    def at(q: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(q * len(ordered)))], 4)
    return {"n": len(ordered), "p50": round(statistics.median(ordered), 4), "p95": at(0.95),
            "p99": at(0.99), "max": round(ordered[-1], 4)}


class Peak:
    """Samples RSS and the thread count every 20 ms until stopped."""

    def __init__(self) -> None:
        self.rss, self.threads = 0.0, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> "Peak":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.rss, self.threads = max(self.rss, rss_mib()), max(self.threads, threading.active_count())


def answer_times(slack: FakeSlack, asked: Asked, pushed_at: float) -> tuple[float | None, float | None]:
    """Seconds from push to the first answer text shown (a mention: its stream starts; a DM: its
    placeholder first shows answer text), and to the finished answer (the message with blocks)."""
    first = done = None
    stream_ts: set[str] = set()
    for call in list(slack.calls):
        params = call.params
        if params.get("channel") != asked.channel:
            continue
        if asked.kind == "mention":
            if call.method == "chat.startStream" and params.get("thread_ts") == asked.thread_ts:
                first = first or call.at
                stream_ts.add(str(call.response.get("ts")))
            mine = params.get("thread_ts") == asked.thread_ts or params.get("ts") in stream_ts
        else:
            mine = call.method in ("chat.update", "chat.postMessage")
            text = str(params.get("text", ""))
            if mine and text and THINKING_TEXT not in text and "in de rij" not in text:
                first = first or call.at
        if mine and call.method in ("chat.update", "chat.postMessage") and params.get("blocks"):
            done = done or call.at
    return (round(first - pushed_at, 3) if first else None, round(done - pushed_at, 3) if done else None)


def build_generator(args: argparse.Namespace, settings):
    if args.real_model:
        return RecordingGenerator(Services(settings).generator)  # records the order the model got them
    words = " ".join(["verlof"] * max(args.words - 8, 0))
    generator = ScriptedGenerator(piece_delay_s=args.token_delay)
    generator.reply = lambda messages: answer_for(question_of(messages)).replace(" [1].", f" {words} [1].")
    return generator


def run(args: argparse.Namespace) -> dict:
    with tempfile.TemporaryDirectory() as tmp, FakeSlack() as slack:
        for user in (ADMIN,):
            slack.workspace.add_user(user, "beheer")
        settings = make_settings(Path(tmp) / "data", slack_api_url=slack.api_url,
                                 slack_bot_token=slack.workspace.bot_token, slack_app_token=slack.workspace.app_token,
                                 admin_user_ids=[ADMIN])
        generator = build_generator(args, settings)
        engine = scripted_engine(generator)
        engine.max_tokens = args.max_tokens
        services = Services(settings, engine=engine, generator=generator,
                            feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
        with contextlib.ExitStack() as stack:
            bot = stack.enter_context(running_bot(slack, services, update_interval_s=1.0,
                                                  quick_threads=args.quick_threads, answer_threads=args.answer_threads))
            bot.parts.status()  # opens the index once, as `serve` has before the first question
            engine.warm_up()  # the instructions into the model's cache, as `serve` does
            rss_before, threads_before = rss_mib(), threading.active_count()
            peak = stack.enter_context(Peak())
            started = time.monotonic()
            first_half = ask_all(slack, args.users // 2)
            status, status_url = slack.push_command("/vraagbaak", "status", user=ADMIN, channel="C0ALGEMEEN")
            vote, vote_url = vote_click(slack, user_id(1), "C0ALGEMEEN")
            home = home_opened(slack, user_id(2))
            asked = first_half + ask_all(slack, args.users - args.users // 2, first_number=args.users // 2)
            pushed_s = time.monotonic() - started
            slack.wait_for_response(status_url, timeout=120)
            slack.wait_for_response(vote_url, timeout=120)
            marked = not args.real_model  # the real model does not write the scripted answers' marks
            slack.wait_until(lambda: all(q.answers(slack, marked=marked) for q in asked) or None, args.timeout,
                             "every answer")
            wall_s = time.monotonic() - started
            peak_rss, peak_threads = peak.rss, peak.threads
        rss_after, threads_after = rss_mib(), threading.active_count()
        deliveries = {d.envelope_id: d for d in slack.deliveries}
        acks = [d.ack_s for d in slack.deliveries if d.ack_s is not None]
        per_position = []
        for question in asked:
            first, total = answer_times(slack, question, deliveries[question.envelope_id].sent_at or started)
            per_position.append({"position": question.number + 1, "kind": question.kind,
                                 "first_token_s": first, "total_s": total})
        counts = [len(q.answers(slack, marked=marked)) for q in asked]
        model_order = [question_of(r.messages).removeprefix("Vraag: ") for r in getattr(generator, "requests", [])
                       if not r.background]  # not the warm-up
        return {
            "users": args.users,
            "model": "real:" + getattr(generator, "model_name", "?") if args.real_model else
                     f"scripted ({args.token_delay} s per word, {args.words} words)",
            "threads_config": {"quick": args.quick_threads, "answers": args.answer_threads},
            "pushed_in_s": round(pushed_s, 3),
            "wall_s": round(wall_s, 2),
            "ack_s": percentiles(acks),
            "acks_missing": sum(1 for d in slack.deliveries if d.sent_at is not None and d.ack_s is None),
            "acks_over_3s": sum(1 for a in acks if a > 3.0),
            "redelivered": sum(1 for d in slack.deliveries if d.attempt),
            "side_requests_ack_s": {name: round(deliveries[e].ack_s or -1, 4)
                                    for name, e in (("status", status), ("vote", vote), ("home", home))},
            "answers": {
                "duplicates": sum(1 for c in counts if c > 1),
                "lost": sum(1 for c in counts if c == 0),
                "in_arrival_order": model_order == [q.text for q in asked] if model_order else None,
                "first_token_s": percentiles([p["first_token_s"] for p in per_position if p["first_token_s"]]),
                "total_s": percentiles([p["total_s"] for p in per_position if p["total_s"]]),
                "per_position": per_position,
            },
            "rss_mib": {"before": rss_before, "peak": peak_rss, "after": rss_after},
            "threads": {"before": threads_before, "peak": peak_threads, "after": threads_after},
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--token-delay", type=float, default=0.03, help="scripted model: seconds per word")
    parser.add_argument("--words", type=int, default=40, help="scripted model: words per answer")
    parser.add_argument("--quick-threads", type=int, default=16)
    parser.add_argument("--answer-threads", type=int, default=128)
    parser.add_argument("--real-model", action="store_true", help="the configured GGUF model instead")
    parser.add_argument("--max-tokens", type=int, default=48)
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args(argv)
    print(json.dumps(run(args), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
