"""Curated answers ("vaste antwoorden", bot/curation/) in Slack: the modal that turns Vraagbaak's
answer into one, who may do that, and the DM to an answer's owner when a re-index suspends it (with
buttons to put it back or remove it). The mark on an answer that is one: bot/slack/ui/curated_mark.py.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.answering.types import Source
from bot.slack.ui.blocks import escape, parse_vote, source_label
from bot.slack.ui.safe_text import neutralise

if TYPE_CHECKING:
    from bot.curation.types import CuratedAnswer
    from bot.insights.feedback import StoredAnswer

log = logging.getLogger(__name__)

MODAL_CALLBACK = "vast_antwoord_opslaan"
QUESTION_BLOCK, ANSWER_BLOCK, VALUE = "vraag", "antwoord", "waarde"
ACTION_REACTIVATE = "vast_antwoord_terugzetten"
ACTION_REMOVE = "vast_antwoord_verwijderen"
QUESTION_CHARS = 300
ANSWER_CHARS = 3000  # a plain_text_input takes at most this much
GROUP_PREFIX = "S"
OFF = "Vaste antwoorden staan uit op deze Vraagbaak (VRAAGBAAK_CURATED_ANSWERS)."
ANSWER_GONE = ("Dit antwoord kan ik niet meer terugvinden (ouder dan de bewaartermijn?); stel de vraag opnieuw en "
               "maak daarvan een vast antwoord.")
REACTIVATED = ":white_check_mark: Het vaste antwoord op _{question}_ is weer in gebruik."
REMOVED = ":wastebasket: Het vaste antwoord op _{question}_ is verwijderd; Vraagbaak beantwoordt die vraag weer zelf."
GONE = "Dit vaste antwoord bestaat niet meer."


def answer_id_of(message: Mapping[str, Any]) -> str | None:
    """The stored answer's id, read from the feedback buttons of one of Vraagbaak's answer messages."""
    def values(node: Any) -> Iterable[tuple[str, str]]:
        if isinstance(node, dict):
            if isinstance(node.get("value"), str):
                yield str(node.get("action_id") or ""), node["value"]
            for child in node.values():
                yield from values(child)
        elif isinstance(node, list):
            for child in node:
                yield from values(child)

    for action_id, value in values(message.get("blocks") or []):
        vote = parse_vote(value)
        if vote is not None:
            return vote[1]
        if action_id in {"feedback_up", "feedback_down"} and value:  # answers posted before feedback_buttons
            return value
    return None


class CurationRights:
    """Who may make a curated answer of an answer: an admin, or the owner of every collection it cites."""

    def __init__(self, owners: Mapping[str, Collection[str]], *, is_admin: Callable[[str], bool],
                 members_of: Callable[[str], Collection[str]]) -> None:
        self.owners = {name: frozenset(who) for name, who in owners.items()}
        self.is_admin = is_admin
        self.members_of = members_of

    def may_curate(self, user: str, sources: Sequence[Source]) -> bool:
        if self.is_admin(user):
            return True
        collections = {s.collection for s in sources if s.collection}
        return bool(collections) and all(self.owns(user, name) for name in collections)

    def owns(self, user: str, collection: str) -> bool:
        who = self.owners.get(collection, frozenset())
        if user in who:
            return True
        for group in (g for g in who if g.startswith(GROUP_PREFIX)):
            try:
                if user in self.members_of(group):
                    return True
            except Exception:  # fail closed: a group that cannot be read grants nothing
                log.warning("could not read the members of user group %s", group, exc_info=True)
        return False

    def refusal(self, sources: Sequence[Source]) -> str:
        names = sorted({s.collection for s in sources if s.collection})
        owned = ", ".join(f"*{n}*" for n in names)
        if not names:
            return "Alleen beheerders van Vraagbaak kunnen van dit antwoord een vast antwoord maken."
        return (f"Alleen beheerders van Vraagbaak en de eigenaren van {owned} kunnen van dit antwoord een vast "
                "antwoord maken. Vraag het een van hen, of gebruik 👎 als het antwoord niet klopt.")


def curation_modal(stored: "StoredAnswer", *, channel: str) -> dict[str, Any]:
    """The modal: the question and the answer, both editable, and the sources it keeps."""
    listed = "\n".join(f"[{n}] {source_label(s)}" for n, s in enumerate(stored.sources[:10], 1)) or "_(geen bronnen)_"
    return {
        "type": "modal", "callback_id": MODAL_CALLBACK,
        "private_metadata": json.dumps({"answer": stored.id, "channel": channel}),
        "title": {"type": "plain_text", "text": "Vast antwoord"},
        "submit": {"type": "plain_text", "text": "Opslaan"},
        "close": {"type": "plain_text", "text": "Annuleren"},
        "blocks": [
            {"type": "context", "elements": [{"type": "mrkdwn", "text": (
                "Vraagbaak geeft dit antwoord voortaan zoals het hier staat, zonder taalmodel, op vragen die "
                "hier dichtbij liggen, met jouw naam en de datum erbij. Verandert een bron, dan wordt het "
                "gepauzeerd en krijg jij een bericht.")}]},
            {"type": "input", "block_id": QUESTION_BLOCK, "label": {"type": "plain_text", "text": "Vraag"},
             "hint": {"type": "plain_text", "text": "Zoals een collega hem stelt."},
             "element": {"type": "plain_text_input", "action_id": VALUE, "max_length": QUESTION_CHARS,
                         "initial_value": stored.question[:QUESTION_CHARS]}},
            {"type": "input", "block_id": ANSWER_BLOCK, "label": {"type": "plain_text", "text": "Antwoord"},
             "element": {"type": "plain_text_input", "action_id": VALUE, "multiline": True,
                         "max_length": ANSWER_CHARS, "initial_value": stored.answer[:ANSWER_CHARS]}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": f"*Bronnen:*\n{listed}"[:2000]}]},
        ],
    }


def submitted(view: Mapping[str, Any]) -> tuple[str, str]:
    values = (view.get("state") or {}).get("values") or {}
    question = ((values.get(QUESTION_BLOCK) or {}).get(VALUE) or {}).get("value") or ""
    answer = ((values.get(ANSWER_BLOCK) or {}).get(VALUE) or {}).get("value") or ""
    return question.strip(), answer.strip()


def saved_modal(curated: "CuratedAnswer") -> dict[str, Any]:
    text = (f"Opgeslagen. Een vraag als _{neutralise(escape(curated.question))}_ krijgt voortaan dit antwoord, "
            f"met de vermelding dat jij het hebt vastgesteld. Beheren: `vraagbaak answers show {curated.id}`.")
    return {"type": "modal", "title": {"type": "plain_text", "text": "Vast antwoord"},
            "close": {"type": "plain_text", "text": "Sluiten"},
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}]}


class SuspensionNotice:
    """CuratedAnswers observer: the owner of each answer a re-index suspended gets one DM about it."""

    def __init__(self, client: WebClient) -> None:
        self.client = client

    def __call__(self, answers: list["CuratedAnswer"]) -> None:
        by_owner: dict[str, list[CuratedAnswer]] = defaultdict(list)
        for answer in answers:
            by_owner[answer.owner].append(answer)
        failed = []
        for owner, theirs in by_owner.items():
            if not owner:  # the owner asked to be forgotten: `vraagbaak answers list` shows them to admins
                log.info("%d suspended curated answer(s) without an owner to tell", len(theirs))
                continue
            for answer in theirs:
                try:
                    self.client.chat_postMessage(channel=owner, text=suspended_text(answer),
                                                 blocks=suspended_blocks(answer), unfurl_links=False)
                except SlackApiError as exc:
                    log.warning("could not tell %s that curated answer %s was suspended: %s", owner, answer.id,
                                exc.response.get("error"))
                    failed.append(answer.id)
        if failed:  # CuratedAnswers tries again after the next re-index
            raise RuntimeError(f"owners not told about curated answers {', '.join(failed)}")


def suspended_text(answer: "CuratedAnswer") -> str:
    return f"Je vaste antwoord op '{neutralise(escape(answer.question))}' is gepauzeerd: een bron is veranderd."


def suspended_blocks(answer: "CuratedAnswer") -> list[dict[str, Any]]:
    question = neutralise(escape(answer.question))
    reason = neutralise(escape(answer.suspended_reason or "een bron is veranderd of verwijderd"))
    text = (f":pause_button: *Je vaste antwoord is gepauzeerd*\n*Vraag:* {question}\n*Waarom:* {reason}\n"
            "Tot je het bekeken hebt, beantwoordt Vraagbaak deze vraag weer zelf uit de documenten.")
    body = neutralise(escape(answer.answer))[:2500]
    return [
        {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}},
        {"type": "section", "text": {"type": "mrkdwn", "text": f"*Het vaste antwoord:*\n{body}"}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": (
            f"Klopt het nog? Zet het terug. Klopt het niet meer? Verwijder het, en maak zo nodig een nieuw via "
            f"⋮ → *Maak vast antwoord* onder een antwoord van Vraagbaak. (`vraagbaak answers show {answer.id}`)")}]},
        {"type": "actions", "elements": [
            {"type": "button", "action_id": ACTION_REACTIVATE, "value": answer.id, "style": "primary",
             "text": {"type": "plain_text", "text": "Klopt nog: terugzetten"}},
            {"type": "button", "action_id": ACTION_REMOVE, "value": answer.id, "style": "danger",
             "text": {"type": "plain_text", "text": "Verwijderen"},
             "confirm": {"title": {"type": "plain_text", "text": "Vast antwoord verwijderen?"},
                         "text": {"type": "plain_text", "text": "Vraagbaak beantwoordt deze vraag dan weer zelf."},
                         "confirm": {"type": "plain_text", "text": "Verwijderen"},
                         "deny": {"type": "plain_text", "text": "Annuleren"}}}]},
    ]
