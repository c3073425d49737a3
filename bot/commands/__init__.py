"""Sub-commands of `vraagbaak`, one module per area. Each module has `register(subparsers)` and
sets `func(args, services) -> int` on its parsers; the logic lives in the packages, not here."""

from bot.commands import answers, curated, gaps, knowledge, operations, privacy, schedule, slack, templates

COMMAND_MODULES = (knowledge, answers, curated, gaps, slack, templates, operations, schedule, privacy)
