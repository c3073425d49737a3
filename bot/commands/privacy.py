"""`vraagbaak privacy …`: access and erasure requests (AVG/GDPR art. 15 and 17) and the retention
clean-up, on what the bot stores about people (the feedback store, and whom it greeted in the
Messages tab). See deploy/PRIVACY.md."""

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
    forms = services.pseudonymizer.stored_forms(args.user)
    records = services.feedback.records_about(forms)
    document = {"user": args.user, "stored_as": forms,
                "retention_days": services.settings.privacy.retention_days, **records,
                "greeted_in_messages_tab": services.greeted.knows(forms),
                "ai_notice_shown": services.ai_notice_shown.knows(forms),
                "threads_followed": services.followed_threads.records_about(forms),
                "curated_answers_owned": services.curated.privacy_records(forms)}
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")
    count = len(records["answers_asked"]) + len(records["votes_cast"])
    print(f"{count} gegeven(s) over {args.user} gevonden" + (f", geschreven naar {args.output}" if args.output else ""),
          file=sys.stderr)
    return 0


def run_privacy_forget(args: argparse.Namespace, services: Services) -> int:
    forms = services.pseudonymizer.stored_forms(args.user)
    count = services.feedback.forget(forms) + services.greeted.forget(forms)
    count += services.ai_notice_shown.forget(forms) + services.followed_threads.forget(forms)
    print(f"{count} gegeven(s) over {args.user} gewist (antwoorden met hun stemmen, de stemmen van "
          "deze persoon, dat hij begroet is, dat hij de AI-melding kreeg, en de threads waarin Vraagbaak hem volgde)")
    return 0


def run_privacy_purge(args: argparse.Namespace, services: Services) -> int:
    days = services.settings.privacy.retention_days
    feedback = services.feedback  # opening the store applies the retention period
    count = feedback.expired_at_open + feedback.delete_expired()
    if days <= 0:
        print("Geen bewaartermijn ingesteld (retention_days = 0): niets verwijderd.")
    else:
        print(f"Bewaartermijn {days} dagen: {count} gegeven(s) verwijderd.")
    return 0
