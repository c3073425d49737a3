"""The App Home tab, per person (`views.publish`).

For everyone: what Vraagbaak knows (the collections this person may search, bot/access/policy.py, with
their document counts and the last re-index), how to ask, the AI notice and example questions.
For admins as well: the status (as `/vraagbaak status`, failing files of the last run included), a
re-index button, the 👍/👎 of this week with the latest 👎 (question and answer), what the documents
are missing (this week's declined and 👎 questions in groups, bot/insights/gaps.py; the flat list of declined
questions if grouping fails), the sources of the sources file (their syncs, counts, errors and unreadable
documents; bot/slack/ui/home_sources.py) and the curated answers (suspended first, with buttons to remove or put
back). What an admin may not search (a restricted collection) stays out of all of it. Every text goes
through bot/slack/ui/safe_text.neutralise: questions, answers, file names and reasons are data, never
mentions or links.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.curation.wording import curated_note
from bot.operations.status import LISTED_FILES, local_time, render_status
from bot.slack.ui.blocks import HEADER_LIMIT, SECTION_LIMIT, escape, split_text, to_mrkdwn
from bot.slack.features.gaps_digest import group_text
from bot.slack.ui.home_sources import HIDDEN_SOURCES, LISTED_SOURCES, SOURCES_UNREADABLE, documents, source_text
from bot.slack.ui.safe_text import neutralise

if TYPE_CHECKING:
    from bot.access.policy import Access
    from bot.curation.answers import CuratedAnswers
    from bot.curation.types import CuratedAnswer
    from bot.insights.feedback import FeedbackStore, StoredAnswer
    from bot.insights.gaps import GapGroup, Gaps
    from bot.slack.features.admins import AdminCheck

log = logging.getLogger(__name__)

ACTION_REINDEX = "vraagbaak_home_reindex"
ACTION_CURATED_REMOVE = "vraagbaak_home_vast_antwoord_verwijderen"
ACTION_CURATED_REACTIVATE = "vraagbaak_home_vast_antwoord_terugzetten"
MAX_BLOCKS = 100  # Slack's limit for a Home tab view
WEEK = timedelta(days=7)
LISTED_QUESTIONS = 10
LISTED_GAP_GROUPS = 8  # one section each
LISTED_CURATED = 10  # two blocks each (the answer, its buttons): the tab stays within MAX_BLOCKS
MORE_FILES = 20  # failing files listed beyond the status' first LISTED_FILES
QUOTED_ANSWER = 1200  # characters of the latest 👎 answer shown
DOWN_VOTES_LOOKED_AT = 50  # the latest 👎 an admin may see: among this many most recent ones
HIDDEN_DOWN = ("Nieuwere 👎 gingen over antwoorden uit een afgeschermde collectie die jij niet mag "
               "doorzoeken; die staan hier niet.")
HIDDEN_GAPS = ("Vragen met antwoorden uit een afgeschermde collectie die jij niet mag doorzoeken, "
               "staan hier niet.")
NO_GAPS = "Geen: elke vraag vond een antwoord in de documenten, en geen antwoord kreeg een 👎."
NO_CURATED = ("Nog geen vaste antwoorden. Maak er een via ⋮ → *Maak vast antwoord* onder een antwoord van "
              "Vraagbaak, of met `vraagbaak answers add`.")

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
    known = "\n".join(f"• *{escape(name)}*: {documents(count)}" for name, count in collections)
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
                 unanswered: Sequence["StoredAnswer"], hidden_down: bool = False,
                 gaps: Sequence["GapGroup"] | None = None, hidden_gaps: bool = False,
                 curated: Sequence["CuratedAnswer"] | None = None,
                 hidden_curated: int = 0, sources: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Status, failing files, the re-index button, this week's feedback, what the documents are
    missing and the curated answers. `hidden_down`: more recent 👎 were left out (answers from
    collections this admin may not see); `gaps`: this week's gap groups (None: not grouped, the flat
    list of `unanswered` instead); `hidden_gaps`: questions were left out of them;
    `curated`: the curated answers this admin may see (None: curated answers are off);
    `hidden_curated`: how many others there are; `sources`: the "Bronnen" blocks (None: no sources file)."""
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
    blocks += sources or []
    blocks += [header("Feedback deze week"),
               section(f"👍 {votes.get('up', 0)}   👎 {votes.get('down', 0)}"),
               section(_latest_down(latest_down, zone) + (f"\n_{HIDDEN_DOWN}_" if hidden_down else ""))]
    if gaps is None:
        blocks += [header("Niet beantwoord deze week"), section(_unanswered(unanswered, zone))]
        blocks += [context(HIDDEN_GAPS)] if hidden_gaps else []
    else:
        blocks += gap_blocks(gaps, hidden=hidden_gaps)
    if curated is not None:
        blocks += curated_blocks(curated, hidden=hidden_curated)
    return blocks


def source_blocks(rows: Sequence[dict[str, Any]] | None, *, hidden: int = 0,
                  now: datetime | None = None) -> list[dict[str, Any]]:
    """The "Bronnen" part: a section per source (rows as SourceRuns.overview gives them; None: they could
    not be read). `hidden`: sources left out (restricted collections)."""
    blocks = [header("Bronnen")]
    if rows is None:
        return blocks + [section(SOURCES_UNREADABLE)]
    now = now or datetime.now(timezone.utc)
    blocks += [section(source_text(row, now)) for row in rows[:LISTED_SOURCES]]
    if len(rows) > LISTED_SOURCES:
        blocks.append(context(f"(+{len(rows) - LISTED_SOURCES}) bron(nen) meer: `vraagbaak sources`."))
    if hidden:
        blocks.append(context(f"{hidden} {HIDDEN_SOURCES}."))
    return blocks


def gap_blocks(groups: Sequence["GapGroup"], *, hidden: bool = False) -> list[dict[str, Any]]:
    """This week's declined and 👎 questions in groups (as the weekly digest has them)."""
    blocks = [header("Wat de documenten missen (deze week)")]
    if not groups:
        blocks.append(section(NO_GAPS))
    else:
        total = sum(g.count for g in groups)
        blocks.append(context(f"{total} vra{'ag' if total == 1 else 'gen'} in {len(groups)} "
                              f"groep{'' if len(groups) == 1 else 'en'} zonder (goed) antwoord: niet gevonden "
                              "of een 👎. Een document dat hierop antwoordt, helpt de volgende collega."))
        blocks += [section(group_text(group)) for group in groups[:LISTED_GAP_GROUPS]]
        if len(groups) > LISTED_GAP_GROUPS:
            blocks.append(context(f"(+{len(groups) - LISTED_GAP_GROUPS}) groep(en) meer: `vraagbaak gaps --since 7d`."))
    if hidden:
        blocks.append(context(HIDDEN_GAPS))
    return blocks


def curated_blocks(answers: Sequence["CuratedAnswer"], *, hidden: int = 0) -> list[dict[str, Any]]:
    """The curated answers, suspended first, each with "Verwijderen" (and "Terugzetten" when suspended)."""
    suspended = [a for a in answers if not a.active]
    ordered = suspended + [a for a in answers if a.active]
    counts = f"{len(answers) - len(suspended)} in gebruik, {len(suspended)} gepauzeerd"
    if hidden:
        counts += f"; {hidden} uit afgeschermde collecties die jij niet mag doorzoeken, staan hier niet"
    blocks = [header("Vaste antwoorden"), section(counts + ".")]
    if not answers:
        blocks.append(section(NO_CURATED))
    for answer in ordered[:LISTED_CURATED]:
        blocks += [section(_curated_text(answer)), _curated_buttons(answer)]
    if len(ordered) > LISTED_CURATED:
        blocks.append(context(f"(+{len(ordered) - LISTED_CURATED}) meer: `vraagbaak answers list`."))
    return blocks


def _curated_text(answer: "CuratedAnswer") -> str:
    lines = []
    if not answer.active:
        reason = answer.suspended_reason or "een bron is veranderd of verwijderd"
        lines.append(f":pause_button: *Gepauzeerd:* {escape(reason)}")
    body = to_mrkdwn(answer.answer.strip())
    if len(body) > 300:
        body = body[:300].rstrip() + "…"
    lines += [f"*Vraag:* {escape(answer.question)}", f"*Antwoord:* {body}", f"_{escape(curated_note(answer))}_"]
    return "\n".join(lines)


def _curated_buttons(answer: "CuratedAnswer") -> dict[str, Any]:
    elements = []
    if not answer.active:
        elements.append({"type": "button", "action_id": ACTION_CURATED_REACTIVATE, "value": answer.id,
                         "style": "primary", "text": {"type": "plain_text", "text": "Terugzetten"}})
    elements.append({"type": "button", "action_id": ACTION_CURATED_REMOVE, "value": answer.id, "style": "danger",
                     "text": {"type": "plain_text", "text": "Verwijderen"},
                     "confirm": {"title": {"type": "plain_text", "text": "Vast antwoord verwijderen?"},
                                 "text": {"type": "plain_text", "text": "Vraagbaak beantwoordt deze vraag dan "
                                                                        "weer zelf uit de documenten."},
                                 "confirm": {"type": "plain_text", "text": "Verwijderen"},
                                 "deny": {"type": "plain_text", "text": "Annuleren"}}})
    return {"type": "actions", "block_id": f"vraagbaak_home_vast_{answer.id}"[:255], "elements": elements}


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


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:SECTION_LIMIT]}]}


def neutralised(value: Any) -> Any:
    """Every text of a view (mrkdwn and plain_text) through `neutralise`: no mention, broadcast or link."""
    if isinstance(value, list):
        return [neutralised(v) for v in value]
    if not isinstance(value, dict):
        return value
    if value.get("type") in {"mrkdwn", "plain_text"} and isinstance(value.get("text"), str):
        return {**value, "text": neutralise(value["text"])}
    return {k: neutralised(v) for k, v in value.items()}


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
                 admins: "AdminCheck", examples: Sequence[str], gaps: "Gaps | None" = None,
                 curated: "CuratedAnswers | None" = None,
                 sources: Callable[[], list[dict[str, Any]]] | None = None) -> None:
        self.status, self.feedback, self.access, self.admins = status, feedback, access, admins
        self.sources = sources  # SourceRuns.overview; None: no sources file
        self.gaps, self.curated = gaps, curated  # curated None: curated answers are off
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

        def may_see(answer: "StoredAnswer") -> bool:
            return allowed is None or all(s.collection in allowed for s in answer.sources if s.collection)

        visible = [a for a in recent_down if may_see(a)]
        latest = visible[0] if visible else None
        hidden = bool(recent_down) and (latest is None or recent_down.index(latest) > 0)
        groups, hidden_gaps = self._gap_groups(since, may_see)
        curated, hidden_curated = self._curated(allowed)
        shown = [a for a in unanswered if may_see(a)]
        if groups is None:
            hidden_gaps = len(shown) < len(unanswered)
        return admin_blocks(status=status, votes=votes, latest_down=latest, unanswered=shown, hidden_down=hidden,
                            gaps=groups, hidden_gaps=hidden_gaps, curated=curated, hidden_curated=hidden_curated,
                            sources=self._source_blocks(user))

    def _source_blocks(self, user: str) -> list[dict[str, Any]] | None:
        if self.sources is None:
            return None
        try:
            rows = self.sources()
        except Exception:  # unreadable source state must not cost the admins the rest of the tab
            log.exception("the Home tab could not read the sources' overview")
            return source_blocks(None)
        # Being an admin grants no restricted collection: its source (and the names of its documents) stays out.
        shown = [row for row in rows
                 if row["collection"] not in self.access.restricted or self.access.may_see(user, row["collection"])]
        return source_blocks(shown, hidden=len(rows) - len(shown))

    def _gap_groups(self, since: datetime, may_see: Callable[["StoredAnswer"], bool]
                    ) -> tuple[list["GapGroup"] | None, bool]:
        """This week's gap groups of what this admin may see, and whether questions were left out;
        None when they cannot be grouped (the tab shows the flat list instead)."""
        if self.gaps is None:
            return None, False
        try:
            hidden = any(not may_see(a) for a, _ in self.gaps.questions(since))
            return self.gaps.groups(since, keep=may_see), hidden
        except Exception:  # the embedding model or the store failed: the flat list still helps
            log.exception("the Home tab could not group this week's questions; showing the flat list")
            return None, False

    def _curated(self, allowed: Sequence[str] | None) -> tuple[list["CuratedAnswer"] | None, int]:
        if self.curated is None:
            return None, 0
        try:
            answers = self.curated.list()
        except Exception:  # an unreadable curated store must not cost the admins the rest of the tab
            log.exception("the Home tab could not read the curated answers")
            return None, 0
        visible = [a for a in answers if allowed is None or a.collections <= set(allowed)]
        return visible, len(answers) - len(visible)
