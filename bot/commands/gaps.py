"""`vraagbaak gaps [--since 7d] [--json]`: what the documents are missing — the declined and 👎
questions, grouped by what they ask, with counts and example wordings (bot/insights/gaps.py). Pseudonymous:
no user ids, only how many people asked."""

from __future__ import annotations

import argparse
import json
import sys

from bot.insights.gaps import parse_since, render_gaps
from bot.services import Services


def register(sub: argparse._SubParsersAction) -> None:
    """Adds this area's sub-commands."""
    gaps = sub.add_parser("gaps", help="wat de documenten missen: vragen zonder antwoord of met 👎, gegroepeerd")
    gaps.add_argument("--since", default="7d", metavar="PERIODE",
                      help="sinds wanneer: 7d, 2w, 12h, 3m (maanden) of een datum (2026-11-01); standaard 7d")
    gaps.add_argument("--json", action="store_true", help="als JSON")
    gaps.set_defaults(func=run_gaps)


def run_gaps(args: argparse.Namespace, services: Services) -> int:
    try:
        since = parse_since(args.since)
    except ValueError as exc:
        print(f"Fout: {exc}", file=sys.stderr)
        return 2
    groups = services.gaps.groups(since=since)
    if args.json:
        print(json.dumps({"since": since.isoformat(timespec="seconds"),
                          "questions": sum(g.count for g in groups),
                          "groups": [g.to_dict() for g in groups]}, ensure_ascii=False, indent=2))
    else:
        print(render_gaps(groups, since=since))
    return 0
