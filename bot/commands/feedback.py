"""`vraagbaak feedback export`: the 👍/👎 votes from Slack, with question, answer and sources, as JSONL."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.services import Services


def register(sub: argparse._SubParsersAction) -> None:
    feedback = sub.add_parser("feedback", help="de 👍/👎-feedback uit Slack")
    actions = feedback.add_subparsers(dest="feedback_command", metavar="ACTIE", required=True)
    export = actions.add_parser("export", help="schrijf de feedback als JSONL (één stem per regel)")
    export.add_argument("--output", "-o", type=Path, help="bestand (standaard: stdout)")
    export.add_argument("--all", action="store_true", help="ook antwoorden zonder stem")
    export.set_defaults(func=run_feedback_export)


def run_feedback_export(args: argparse.Namespace, services: Services) -> int:
    if args.output is None:
        count = services.feedback.export_jsonl(sys.stdout, include_unvoted=args.all)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        with args.output.open("w", encoding="utf-8") as out:
            count = services.feedback.export_jsonl(out, include_unvoted=args.all)
    print(f"{count} regel(s) geëxporteerd" + (f" naar {args.output}" if args.output else ""), file=sys.stderr)
    return 0
