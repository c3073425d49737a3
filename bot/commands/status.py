"""`vraagbaak status [--json]`: the index, the last and next re-index, the collections, the model and the queue."""

from __future__ import annotations

import argparse
import json

from bot.services import Services


def register(sub: argparse._SubParsersAction) -> None:
    status = sub.add_parser("status", help="index, laatste en volgende herindexering, collecties, model en wachtrij")
    status.add_argument("--json", action="store_true", help="als JSON")
    status.set_defaults(func=run_status)


def run_status(args: argparse.Namespace, services: Services) -> int:
    from bot.operations.status import gather_status, render_status

    status = gather_status(services.settings, services.store, services.reindexer)
    if args.json:
        print(json.dumps(status, ensure_ascii=False, indent=2))
    else:
        print(render_status(status).replace("*", ""))
    return 0
