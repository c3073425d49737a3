"""Sub-commands of `vraagbaak`, one module per command or command group, named after it. Each module has
`register(subparsers)` and sets `func(args, services) -> int` on its parsers; the logic lives in the
packages, not here. The order below is the order of `vraagbaak --help`."""

from bot.commands import (answers, ask, config, doctor, feedback, gaps, index, models, privacy, schedule, search,
                          serve, sources, status, templates)

COMMAND_MODULES = (index, search, ask, models, answers, gaps, serve, feedback, templates, config, doctor, schedule,
                   status, sources, privacy)
