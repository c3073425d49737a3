"""`vraagbaak` commands for the Slack area: `serve` (the bot) and `feedback export`."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path

from bot.services import Services


def register(sub: argparse._SubParsersAction) -> None:
    """Adds this area's sub-commands."""
    serve = sub.add_parser("serve", help="start de Slack-bot (Socket Mode of HTTP-modus)")
    serve.add_argument("--mode", choices=("socket", "http"),
                       help="socket: via SLACK_APP_TOKEN, geen publieke URL nodig; http: Slack post naar "
                            "/slack/events (standaard: VRAAGBAAK_SLACK_MODE, auto = socket als er een app-token is)")
    serve.add_argument("--port", type=int, help="poort voor de HTTP-modus (standaard: VRAAGBAAK_HTTP_PORT)")
    serve.add_argument("--no-scheduler", action="store_true", help="start de geplande herindexering niet mee")
    serve.set_defaults(func=run_serve)

    feedback = sub.add_parser("feedback", help="de 👍/👎-feedback uit Slack")
    actions = feedback.add_subparsers(dest="feedback_command", metavar="ACTIE", required=True)
    export = actions.add_parser("export", help="schrijf de feedback als JSONL (één stem per regel)")
    export.add_argument("--output", "-o", type=Path, help="bestand (standaard: stdout)")
    export.add_argument("--all", action="store_true", help="ook antwoorden zonder stem")
    export.set_defaults(func=run_feedback_export)


def run_serve(args: argparse.Namespace, services: Services) -> int:
    from bot.operations.selftest import run_selftest
    from bot.slack.serving import serve

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    serve(services, mode=args.mode, port=args.port, stop=stop, scheduler=not args.no_scheduler,
          selftest=lambda: run_selftest(services.settings))
    return 0


def run_feedback_export(args: argparse.Namespace, services: Services) -> int:
    if args.output is None:
        count = services.feedback.export_jsonl(sys.stdout, include_unvoted=args.all)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        with args.output.open("w", encoding="utf-8") as out:
            count = services.feedback.export_jsonl(out, include_unvoted=args.all)
    print(f"{count} regel(s) geëxporteerd" + (f" naar {args.output}" if args.output else ""), file=sys.stderr)
    return 0
