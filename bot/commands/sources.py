"""`vraagbaak sources [--json] [--permissions]`: the sources of the sources file, each with its last
sync, cursor age, counts, errors and the documents it could not read; --permissions first runs one
permission-only sync."""

from __future__ import annotations

import argparse
import json

from bot.services import Services


def register(sub: argparse._SubParsersAction) -> None:
    sources = sub.add_parser("sources", help="bronnen (SharePoint, Nextcloud, WebDAV): laatste synchronisatie, "
                                             "aantallen, fouten")
    sources.add_argument("--json", action="store_true", help="als JSON")
    sources.add_argument("--permissions", action="store_true",
                         help="eerst de leesrechten van alle bronnen opnieuw ophalen (zonder inhoud)")
    sources.set_defaults(func=run_sources)


def run_sources(args: argparse.Namespace, services: Services) -> int:
    from bot.indexing.source_runs import render_overview

    runs = services.source_runs
    if args.permissions and runs is not None:
        services.sync_permissions()
    rows = runs.overview() if runs is not None else []
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        print(render_overview(rows))
    return 1 if any(row["last_sync_error"] or row["last_permission_error"] for row in rows) else 0
