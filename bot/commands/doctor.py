"""`vraagbaak doctor` (is this installation ready to answer questions?) and `vraagbaak healthcheck` (is the
running bot healthy? for Docker and systemd)."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request

from bot.services import Services


def register(sub: argparse._SubParsersAction) -> None:
    doctor = sub.add_parser("doctor", help="controleer tokens, Slack, modellen, mappen, bronnen en index")
    doctor.add_argument("--json", action="store_true", help="rapport als JSON")
    doctor.add_argument("--quick", action="store_true", help="modellen niet echt laden (alleen bestanden)")
    doctor.add_argument("--no-slack", action="store_true", help="Slack auth.test overslaan")
    doctor.set_defaults(func=run_doctor)

    health = sub.add_parser("healthcheck", help="vraag /health van een draaiende Vraagbaak (voor Docker/systemd)")
    health.add_argument("--url", help="standaard: http://127.0.0.1:<metrics_port of http_port>/health")
    health.add_argument("--timeout", type=float, default=5.0)
    health.set_defaults(func=run_healthcheck)


def run_doctor(args: argparse.Namespace, services: Services) -> int:
    from bot.operations.doctor import Doctor

    report = Doctor(services.settings, load_models=not args.quick, check_slack=not args.no_slack,
                    source_runs=lambda: services.source_runs).run()
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(report.render_text(), end="")
    return 0 if report.ok else 1


def run_healthcheck(args: argparse.Namespace, services: Services) -> int:
    settings = services.settings
    port = settings.operations.metrics_port or settings.slack.http_port
    url = args.url or f"http://127.0.0.1:{port}/health"
    try:
        with urllib.request.urlopen(url, timeout=args.timeout) as response:
            print(f"gezond (healthy): {url} -> {response.status}")
            return 0
    except urllib.error.HTTPError as exc:
        print(f"ongezond (unhealthy): {url} -> {exc.code}", file=sys.stderr)
    except (urllib.error.URLError, OSError) as exc:
        print(f"niet bereikbaar (unreachable): {url}: {exc}", file=sys.stderr)
    return 1
