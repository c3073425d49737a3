"""`vraagbaak config`: every setting with its environment variable, default and meaning (the reference)."""

from __future__ import annotations

import argparse

from bot.services import Services


def register(sub: argparse._SubParsersAction) -> None:
    config = sub.add_parser("config", help="alle instellingen: omgevingsvariabele, standaard, betekenis")
    shape = config.add_mutually_exclusive_group()
    shape.add_argument("--markdown", action="store_true", help="als Markdown-tabellen (docs/configuration.md)")
    shape.add_argument("--env-example", action="store_true", help="als .env-voorbeeldbestand")
    shape.add_argument("--current", action="store_true", help="toon ook de waarden die nu gelden (geheimen gemaskeerd)")
    config.set_defaults(func=run_config)


def run_config(args: argparse.Namespace, services: Services) -> int:
    from bot.operations.config_reference import render_env_example, render_markdown, render_text

    if args.markdown:
        print(render_markdown(), end="")
    elif args.env_example:
        print(render_env_example(), end="")
    else:
        print(render_text(services.settings if args.current else None), end="")
    return 0
