"""`/vraagbaak reindex | status | help`: the admin commands.

Re-indexing is for admins only (the configured user ids plus the workspace's admins and owners);
it runs on a thread that features/reindex_jobs.py starts and tracks, and reports progress and the
result through the command's response_url. Other modules add sub-commands to the same registry
(commands/vraagbaak_templates.py does).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from typing import Any, Callable

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from bot.errors import ReindexBusyError, VraagbaakError
from bot.indexing.reindexer import BUSY_ELSEWHERE_MESSAGE, CLOSED_MESSAGE
from bot.slack.features.admins import NOT_ADMIN, AdminCheck
from bot.slack.features.reindex_jobs import ReindexJobs, Start
from bot.slack.features.subcommands import CommandCall, Subcommand, Subcommands
from bot.slack.ui.index_reports import describe_progress, reindex_and_describe
from bot.slack.ui.safe_text import neutralise, neutralise_blocks

log = logging.getLogger(__name__)

COMMAND = "/vraagbaak"
UNKNOWN = "Dat commando ken ik niet. Dit kan ik:"
FAILED = "Sorry, dat lukte niet. De beheerder kan de details in het logboek vinden."
PROGRESS_INTERVAL_S = 5.0
PROGRESS_MESSAGES = 3  # a response_url takes five messages: start, three updates, result
FULL_WORDS = {"volledig", "full", "--full"}


def register(app: App, *, subcommands: Subcommands, admins: AdminCheck, status: Callable[[], dict[str, Any]],
             reindex_jobs: ReindexJobs, collections: Collection[str]) -> None:
    """`status` reads the status when asked; `collections`: the configured collections' names."""
    subcommands.add(Subcommand("help", "help", "dit overzicht", lambda call: show_help(subcommands, call)))
    subcommands.add(Subcommand("status", "status", "documenten, chunks, laatste herindexering, model en wachtrij",
                               lambda call: show_status(status, call)))
    subcommands.add(Subcommand("reindex", "reindex [volledig] [collectie…]",
                               "de documenten opnieuw indexeren (alleen beheerders)",
                               lambda call: start_reindex(reindex_jobs, collections, call), admin_only=True))

    @app.command(COMMAND)
    def run_admin_command(ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond,
                          context: BoltContext) -> None:
        ack()
        respond = safe(respond)  # replies quote file names, collection names and errors
        words = str(command.get("text", "")).split()
        name = words[0].lower() if words else "help"
        call = CommandCall(args=words[1:], user=command["user_id"], channel=command["channel_id"],
                           client=client, respond=respond, trigger_id=command.get("trigger_id", ""),
                           body=command)
        subcommand = subcommands.get(name)
        try:
            if subcommand is None:
                respond(text=f"{UNKNOWN}\n{help_text(subcommands)}", response_type="ephemeral")
            elif subcommand.admin_only and not admins.is_admin(call.user, client):
                log.info("refused /vraagbaak %s for %s (not an admin)", name, call.user)
                respond(text=NOT_ADMIN, response_type="ephemeral")
            else:
                subcommand.run(call)
        except VraagbaakError as exc:
            respond(text=f"Sorry, dat lukte niet: {exc}", response_type="ephemeral")
        except Exception:
            log.exception("/vraagbaak %s failed", name)
            respond(text=FAILED, response_type="ephemeral")


def help_text(subcommands: Subcommands) -> str:
    lines = [f"• `{COMMAND} {s.usage}`: {s.help}" for s in subcommands.all()]
    return "\n".join(["*Vraagbaak-commando's*", *lines,
                      "Een vraag stellen: noem @Vraagbaak in een kanaal, stuur een privébericht, "
                      "of gebruik `/vraag <je vraag>`."])


def safe(respond: Respond) -> Callable[..., Any]:
    """`respond` whose text and blocks can notify nobody and link nowhere (bot.slack.ui.safe_text)."""
    def send(*args: Any, **kwargs: Any) -> Any:
        if isinstance(kwargs.get("text"), str):
            kwargs["text"] = neutralise(kwargs["text"])
        if kwargs.get("blocks") is not None:
            kwargs["blocks"] = neutralise_blocks(kwargs["blocks"])
        return respond(*args, **kwargs)
    return send


def show_help(subcommands: Subcommands, call: CommandCall) -> None:
    call.respond(text=help_text(subcommands), response_type="ephemeral")


def show_status(status: Callable[[], dict[str, Any]], call: CommandCall) -> None:
    from bot.operations.status import render_status  # the same status as `vraagbaak status`

    call.respond(text=render_status(status()), response_type="ephemeral")


def start_reindex(jobs: ReindexJobs, known: Collection[str], call: CommandCall) -> None:
    full = any(a.lower() in FULL_WORDS for a in call.args)
    names = [a for a in call.args if a.lower() not in FULL_WORDS]
    unknown = [n for n in names if n not in known]
    if unknown:
        call.respond(text=f"Onbekende collectie(s): {', '.join(unknown)}. Bekend: {', '.join(known) or '(geen)'}.",
                     response_type="ephemeral")
        return
    what = "volledige herindexering" if full else "herindexering"
    scope = ", ".join(names) if names else "alle collecties"

    def announce(state: Start) -> None:
        start = (f"Er loopt al een herindexering; de jouwe ({what}, {scope}) start zodra die klaar is."
                 if state == "queued"
                 else f"De {what} van {scope} is gestart. Ik meld hier de voortgang en het resultaat.")
        call.respond(text=start, response_type="ephemeral")

    state = jobs.start(lambda wait: run_reindex(jobs, call, names or None, full, wait), announce=announce)
    if state == "busy":
        raise ReindexBusyError("er loopt al een herindexering; probeer het straks opnieuw.")
    if state == "elsewhere":
        raise ReindexBusyError(BUSY_ELSEWHERE_MESSAGE)
    if state == "stopping":
        raise ReindexBusyError(CLOSED_MESSAGE)


class ProgressReporter:
    """Progress through the response_url, at most every few seconds and a few times in all."""

    def __init__(self, call: CommandCall) -> None:
        self.call = call
        self.sent = 0
        self.last = time.monotonic()

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        now = time.monotonic()
        if self.sent >= PROGRESS_MESSAGES or now - self.last < PROGRESS_INTERVAL_S:
            return
        self.sent += 1
        self.last = now
        try:
            self.call.respond(text=f"Bezig met herindexeren… {describe_progress(*args, **kwargs)}",
                              response_type="ephemeral", replace_original=True)
        except Exception:  # progress is a courtesy; the re-index goes on
            log.warning("could not report re-index progress", exc_info=True)


def run_reindex(jobs: ReindexJobs, call: CommandCall, collections: list[str] | None, full: bool,
                wait: bool) -> None:
    log.info("re-index asked by %s (collections=%s, full=%s)", call.user, collections, full)
    text = reindex_and_describe(jobs.reindexer, collections, full=full, wait=wait, trigger=f"slack:{call.user}",
                                progress=ProgressReporter(call))
    try:
        call.respond(text=text, response_type="ephemeral", replace_original=True)
    except Exception:
        log.exception("could not report the re-index result")
