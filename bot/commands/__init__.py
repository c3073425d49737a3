"""Sub-commands of `vraagbaak`, one module per area. Each module has `register(subparsers)` and
sets `func(args, services) -> int` on its parsers; the logic lives in the packages, not here."""

from bot.commands import answers, ask, doctor, gaps, index, privacy, schedule, serve, templates

COMMAND_MODULES = (index, ask, answers, gaps, serve, templates, doctor, schedule, privacy)
