"""`vraagbaak` command line: global flags, then one sub-command module per area (bot/commands/)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from bot.commands import COMMAND_MODULES
from bot.errors import VraagbaakError
from bot.operations.logs import configure_logging
from bot.services import Services
from bot.settings import SettingsError, load_settings, offline_environment

log = logging.getLogger(__name__)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="vraagbaak",
        description="Vraagbaak: vragen over de eigen documenten van het bedrijf, lokaal beantwoord.",
    )
    parser.add_argument("--data-dir", type=Path, help="data folder (default: VRAAGBAAK_DATA_DIR or ./data)")
    parser.add_argument("--config", type=Path, help="TOML config file (default: VRAAGBAAK_CONFIG or ./vraagbaak.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in COMMAND_MODULES:
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    offline_environment()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings(config_path=args.config, data_dir=args.data_dir)
    except SettingsError as exc:
        print(f"Fout in de instellingen: {exc}", file=sys.stderr)
        return 2
    services = Services(settings)
    configure_logging(settings, verbose=args.verbose, pseudonymizer=lambda: services.pseudonymizer)
    try:
        return int(args.func(args, services) or 0)
    except VraagbaakError as exc:
        log.debug("command failed", exc_info=True)
        print(f"Fout: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Afgebroken.", file=sys.stderr)
        return 130
    finally:
        services.close()


if __name__ == "__main__":
    sys.exit(main())
