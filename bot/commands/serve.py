"""`vraagbaak serve`: the Slack bot (Socket Mode or HTTP mode), with the schedule beside it."""

from __future__ import annotations

import argparse
import signal
import threading

from bot.services import Services


def register(sub: argparse._SubParsersAction) -> None:
    serve = sub.add_parser("serve", help="start de Slack-bot (Socket Mode of HTTP-modus)")
    serve.add_argument("--mode", choices=("socket", "http"),
                       help="socket: via SLACK_APP_TOKEN, geen publieke URL nodig; http: Slack post naar "
                            "/slack/events (standaard: VRAAGBAAK_SLACK_MODE, auto = socket als er een app-token is)")
    serve.add_argument("--port", type=int, help="poort voor de HTTP-modus (standaard: VRAAGBAAK_HTTP_PORT)")
    serve.add_argument("--no-scheduler", action="store_true", help="start de geplande herindexering niet mee")
    serve.set_defaults(func=run_serve)


def run_serve(args: argparse.Namespace, services: Services) -> int:
    from bot.operations.selftest import run_selftest
    from bot.slack.transport.serving import serve

    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    serve(services, mode=args.mode, port=args.port, stop=stop, scheduler=not args.no_scheduler,
          selftest=lambda: run_selftest(services.settings))
    return 0
