"""`vraagbaak privacy …`: access and erasure requests (AVG/GDPR art. 15 and 17) and the retention
clean-up, over every store that holds data about people (the registry, bot/storage/personal.py).
See deploy/PRIVACY.md."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.services import Services


def register(sub: argparse._SubParsersAction) -> None:
    """Adds this area's sub-commands."""
    privacy = sub.add_parser("privacy", help="inzage- en verwijderverzoeken (AVG) en de bewaartermijn")
    actions = privacy.add_subparsers(dest="privacy_command", metavar="ACTIE", required=True)
    export = actions.add_parser("export", help="alles wat over één persoon is opgeslagen, als JSON (inzageverzoek)")
    export.add_argument("--user", required=True, metavar="SLACK_ID", help="de Slack-gebruikers-ID (U…)")
    export.add_argument("--output", "-o", type=Path, help="bestand (standaard: stdout)")
    export.set_defaults(func=run_privacy_export)
    forget = actions.add_parser("forget", help="wis alles wat over één persoon is opgeslagen (verwijderverzoek)")
    forget.add_argument("--user", required=True, metavar="SLACK_ID", help="de Slack-gebruikers-ID (U…)")
    forget.set_defaults(func=run_privacy_forget)
    purge = actions.add_parser("purge", help="verwijder nu wat ouder is dan de bewaartermijn (retention_days)")
    purge.set_defaults(func=run_privacy_purge)


def run_privacy_export(args: argparse.Namespace, services: Services) -> int:
    person = services.pseudonymizer.person(args.user)
    stores = services.personal_data.export(person)
    document = {"user": args.user, "stored_as": list(person.forms),
                "retention_days": services.settings.privacy.retention_days, **stores}
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    count = sum(_records(found) for found in stores.values())
    print(f"{count} gegeven(s) over {args.user} gevonden" + (f", geschreven naar {args.output}" if args.output else ""),
          file=sys.stderr)
    return 0


def run_privacy_forget(args: argparse.Namespace, services: Services) -> int:
    registry = services.personal_data
    counts = registry.forget(services.pseudonymizer.person(args.user))
    print(f"{sum(counts.values())} gegeven(s) over {args.user} gewist ({registry.titled(counts)})")
    return 0


def run_privacy_purge(args: argparse.Namespace, services: Services) -> int:
    registry = services.personal_data
    counts = registry.purge()
    days = services.settings.privacy.retention_days
    failed = [name for name, count in counts.items() if count < 0]
    done = {name: count for name, count in counts.items() if count >= 0}
    retention = (f"Bewaartermijn {days} dagen" if days > 0
                 else "Geen bewaartermijn voor vragen en stemmen ingesteld (retention_days = 0)")
    print(f"{retention}: {sum(done.values())} gegeven(s) verwijderd ({registry.titled(done)}).")
    if failed:
        print(f"Opschonen is niet gelukt in: {', '.join(failed)} (zie het logboek).", file=sys.stderr)
        return 1
    return 0


def _records(found: object) -> int:
    """How many records one store's export holds: a list's items, a dict's parts, a yes."""
    if isinstance(found, list):
        return len(found)
    if isinstance(found, dict):
        return sum(_records(value) for value in found.values())
    return int(found is True)
