"""The App Home tab, per person (`views.publish`).

For everyone: what Vraagbaak knows (the collections this person may search, bot/access.py, with
their document counts and the last re-index), how to ask, the AI notice and example questions.
For admins as well: the status (as `/vraagbaak status`, failing files of the last run included), a
re-index button, the 👍/👎 of this week with the latest 👎 (question and answer) and the questions
it could not answer this week. Every text goes through bot/slack/safe_text.neutralise: questions,
answers, file names and reasons are data, never mentions or links.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.operations.status import LISTED_FILES, local_time, render_status
from bot.slack.blocks import HEADER_LIMIT, SECTION_LIMIT, escape, split_text, to_mrkdwn
from bot.slack.safe_text import neutralise

if TYPE_CHECKING:
    from bot.access import Access
    from bot.feedback import FeedbackStore, StoredAnswer
    from bot.slack.admins import AdminCheck

log = logging.getLogger(__name__)

ACTION_REINDEX = "vraagbaak_home_reindex"
MAX_BLOCKS = 100  # Slack's limit for a Home tab view
WEEK = timedelta(days=7)
LISTED_QUESTIONS = 10
MORE_FILES = 20  # failing files listed beyond the status' first LISTED_FILES
QUOTED_ANSWER = 1200  # characters of the latest 👎 answer shown
DOWN_VOTES_LOOKED_AT = 50  # the latest 👎 an admin may see: among this many most recent ones
HIDDEN_DOWN = ("Nieuwere 👎 gingen over antwoorden uit een afgeschermde collectie die jij niet mag "
               "doorzoeken; die staan hier niet.")

INTRO = ("Ik beantwoord je vragen uit de eigen documenten van het bedrijf, met de bronnen erbij. "
         "Alles draait op de eigen servers: je vragen en de documenten verlaten het bedrijf niet.")
HOW_TO_ASK = ("• *In een kanaal*: noem @Vraagbaak met je vraag; ik antwoord in de thread, en vervolgvragen "
              "in die thread kennen het gesprek.\n"
              "• *Privé*: stuur me een bericht in het tabblad *Berichten*; elke vraag krijgt een eigen thread.\n"
              "• *Overal*: `/vraag je vraag`; het antwoord ziet alleen jij, met een knop om het te delen.")
AI_NOTICE = ("Vraagbaak is een AI-assistent: een taalmodel schrijft de antwoorden op basis van de "
             "documenten van het bedrijf. Een antwoord kan fout zijn; de genoemde bronnen zijn leidend. "
             "Met 👍/👎 onder een antwoord help je het te verbeteren.")
NOTHING_TO_SEARCH = "Er zijn nog geen documenten die jij kunt doorzoeken."


def home_view(*, collections: Sequence[tuple[str, int]], last_reindex: str, examples: Sequence[str],
              admin: list[dict[str, Any]] | None = None, notice: str | None = None) -> dict[str, Any]:
    """The Home tab: `collections` as (name, documents); `admin`: the admins' blocks, if any;
    `notice`: what just happened (a re-index started, refused, finished), on top."""
    known = "\n".join(f"• *{escape(name)}*: {_documents(count)}" for name, count in collections)
    blocks = [header("Vraagbaak")]
    if notice:
        blocks += [section(piece) for piece in split_text(notice)] + [{"type": "divider"}]
    blocks += [section(INTRO),
              header("Wat ik weet"), section(f"{known or NOTHING_TO_SEARCH}\nLaatst bijgewerkt: {last_reindex}"),
              header("Zo stel je een vraag"), section(HOW_TO_ASK),
              section("*Bijvoorbeeld:*\n" + "\n".join(f"• {escape(text)}" for text in examples)),
              {"type": "context", "elements": [{"type": "mrkdwn", "text": AI_NOTICE}]}]
    if admin:
        blocks += [{"type": "divider"}, *admin]
    return neutralised({"type": "home", "blocks": blocks[:MAX_BLOCKS]})


def admin_blocks(*, status: dict[str, Any], votes: dict[str, int], latest_down: "StoredAnswer | None",
                 unanswered: Sequence["StoredAnswer"], hidden_down: bool = False) -> list[dict[str, Any]]:
    """Status, failing files, the re-index button, this week's feedback and unanswered questions;
    `hidden_down`: more recent 👎 were left out (answers from collections this admin may not see)."""
    zone = status.get("schedule", {}).get("timezone")
    blocks = [header("Beheer")]
    blocks += [section(piece) for piece in split_text(render_status(status))]
    failed = ((status.get("reindex") or {}).get("last_run") or {}).get("failed") or []
    if len(failed) > LISTED_FILES:
        rest = failed[LISTED_FILES:]
        lines = [f"• `{escape(f['path'])}`: {escape(f['reason'])}" for f in rest[:MORE_FILES]]
        more = f"\n… en nog {len(rest) - MORE_FILES}; zie `vraagbaak status --json`." if len(rest) > MORE_FILES else ""
        blocks.append(section("*Verder mislukt in de laatste herindexering:*\n" + "\n".join(lines) + more))
    running = bool((status.get("reindex") or {}).get("running"))
    blocks.append(reindex_button(running))
    blocks += [header("Feedback deze week"),
               section(f"👍 {votes.get('up', 0)}   👎 {votes.get('down', 0)}"),
               section(_latest_down(latest_down, zone) + (f"\n_{HIDDEN_DOWN}_" if hidden_down else ""))]
    blocks += [header("Niet beantwoord deze week"), section(_unanswered(unanswered, zone))]
    return blocks


def reindex_button(running: bool) -> dict[str, Any]:
    label = "Herindexering loopt…" if running else "Nu herindexeren"
    return {"type": "actions", "block_id": "vraagbaak_home_admin", "elements": [{
        "type": "button", "action_id": ACTION_REINDEX, "value": "all", "style": "primary",
        "text": {"type": "plain_text", "text": label, "emoji": True},
        "confirm": {"title": {"type": "plain_text", "text": "Herindexeren?"},
                    "text": {"type": "plain_text", "text": "Alle collecties worden bijgewerkt; vragen worden "
                                                           "intussen gewoon beantwoord."},
                    "confirm": {"type": "plain_text", "text": "Herindexeren"},
                    "deny": {"type": "plain_text", "text": "Annuleren"}}}]}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text[:HEADER_LIMIT], "emoji": True}}


def section(text: str) -> dict[str, Any]:
    if len(text) > SECTION_LIMIT:
        text = text[: SECTION_LIMIT - 1] + "…"
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def neutralised(value: Any) -> Any:
    """Every text of a view (mrkdwn and plain_text) through `neutralise`: no mention, broadcast or link."""
    if isinstance(value, list):
        return [neutralised(v) for v in value]
    if not isinstance(value, dict):
        return value
    if value.get("type") in {"mrkdwn", "plain_text"} and isinstance(value.get("text"), str):
        return {**value, "text": neutralise(value["text"])}
    return {k: neutralised(v) for k, v in value.items()}


def _documents(count: int) -> str:
    return "1 document" if count == 1 else f"{count} documenten"


def _latest_down(answer: "StoredAnswer | None", zone: str | None) -> str:
    if answer is None:
        return "Nog geen 👎 gegeven."
    text = to_mrkdwn(answer.answer.strip())
    if len(text) > QUOTED_ANSWER:
        text = text[:QUOTED_ANSWER].rstrip() + "…"
    return (f"*Laatste 👎* (gevraagd {local_time(answer.created_at, zone)}):\n"
            f"*Vraag:* {escape(answer.question)}\n*Antwoord:* {text}")


def _unanswered(questions: Sequence["StoredAnswer"], zone: str | None) -> str:
    if not questions:
        return "Geen: elke vraag vond een antwoord in de documenten."
    newest = list(reversed(questions))
    lines = [f"• {escape(q.question)} _({local_time(q.created_at, zone)})_" for q in newest[:LISTED_QUESTIONS]]
    more = f"\n… en nog {len(questions) - LISTED_QUESTIONS}; zie `vraagbaak feedback export --all`." \
        if len(questions) > LISTED_QUESTIONS else ""
    count = "1 vraag" if len(questions) == 1 else f"{len(questions)} vragen"
    return f"{count} zonder antwoord uit de documenten:\n" + "\n".join(lines) + more


class HomeTab:
    """Builds and publishes each person's Home tab; remembers which admins opened it, so that the
    result of a re-index (theirs, the schedule's, anyone's) reaches their tab when it finishes."""

    def __init__(self, *, status: Callable[[], dict[str, Any]], feedback: "FeedbackStore", access: "Access",
                 admins: "AdminCheck", examples: Sequence[str]) -> None:
        self.status, self.feedback, self.access, self.admins = status, feedback, access, admins
        self.examples = list(examples)
        self._admins_who_opened: set[str] = set()
        self._lock = threading.Lock()

    def publish(self, user: str, client: WebClient, *, notice: str | None = None) -> bool:
        """Publishes `user`'s Home tab (with `notice` on top); False if Slack refused."""
        is_admin = self.admins.is_admin(user, client)
        try:
            view = self.view_for(user, is_admin=is_admin, notice=notice)
            client.views_publish(user_id=user, view=view)
        except SlackApiError as exc:
            log.warning("views.publish for %s failed: %s", user, exc.response.get("error"))
            return False
        if is_admin:
            with self._lock:
                self._admins_who_opened.add(user)
        return True

    def refresh_admins(self, client: WebClient) -> None:
        """After a re-index: the admins who opened their Home tab see the new status."""
        with self._lock:
            admins = sorted(self._admins_who_opened)
        for user in admins:
            self.publish(user, client)

    def view_for(self, user: str, *, is_admin: bool, notice: str | None = None) -> dict[str, Any]:
        status = self.status()
        index = status.get("index") or {}
        zone = (status.get("schedule") or {}).get("timezone")
        admin = self._admin_blocks(user, status) if is_admin else None
        return home_view(collections=self._collections(user, status),
                         last_reindex=local_time(index.get("last_reindex"), zone) if index.get("last_reindex")
                         else "nog niet", examples=self.examples, admin=admin, notice=notice)

    def _collections(self, user: str, status: dict[str, Any]) -> list[tuple[str, int]]:
        known = status.get("collections") or {}
        names = self.access.collections_for(None, is_dm=True, user=user)
        if names is None:
            names = [name for name, info in known.items() if info.get("configured")]
        return [(name, int((known.get(name) or {}).get("documents", 0))) for name in names]

    def _admin_blocks(self, user: str, status: dict[str, Any]) -> list[dict[str, Any]]:
        since = datetime.now(timezone.utc) - WEEK
        try:
            votes = self.feedback.vote_counts(since)
            recent_down = self.feedback.latest_down(DOWN_VOTES_LOOKED_AT)
            unanswered = self.feedback.unanswered(since)
        except Exception:  # an unreadable feedback store must not cost the admins their status
            log.exception("the Home tab could not read the feedback store")
            votes, recent_down, unanswered = {}, [], []
        # Being an admin grants no restricted collection: an answer drawn from one stays out.
        allowed = self.access.collections_for(None, is_dm=True, user=user)
        visible = [a for a in recent_down if allowed is None or all(
            s.collection in allowed for s in a.sources if s.collection)]
        latest = visible[0] if visible else None
        hidden = bool(recent_down) and (latest is None or recent_down.index(latest) > 0)
        return admin_blocks(status=status, votes=votes, latest_down=latest, unanswered=unanswered,
                            hidden_down=hidden)
