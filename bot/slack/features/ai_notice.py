"""The AI notice at first contact (EU AI Act art. 50(1)): the first time Vraagbaak answers someone,
through any entry point (a mention, a DM, `/vraag`, a thread follow-up, a message shortcut, a
template), that person is told once that an AI assistant answers from the company's documents, that
answers can be wrong and that the sources are what counts.

Who has been told is remembered across restarts under the person's pseudonym
(bot/people/first_contact.py). The notice goes where the question was asked: privately in a channel
(chat.postEphemeral, in the thread), as a message in a direct message, or through the response URL
of `/vraag` and the message shortcuts. A notice that could not be sent is tried again next time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.people.first_contact import OncePerPerson
from language.detection import detect_language

if TYPE_CHECKING:
    from bot.settings import Settings
    from bot.slack.answer_flow.replying import Question

log = logging.getLogger(__name__)


class AiNotice:
    """`greet(question, client, respond)`: the notice, once per person, before their first answer."""

    def __init__(self, told: OncePerPerson, *, notice_nl: str, notice_en: str) -> None:
        self.told = told
        self.notices = {"nl": notice_nl.strip(), "en": notice_en.strip() or notice_nl.strip()}

    @classmethod
    def from_settings(cls, settings: "Settings", *, told: OncePerPerson) -> "AiNotice":
        return cls(told, notice_nl=settings.colleagues.ai_notice, notice_en=settings.colleagues.ai_notice_en)

    def notice_for(self, question_text: str) -> str:
        return self.notices.get(detect_language(question_text), self.notices["nl"])

    def greet(self, question: "Question", client: WebClient, respond: Callable[..., Any] | None = None) -> bool:
        """Tells the asker, if this is their first contact; True when the notice was sent. Never raises."""
        text = self.notice_for(question.text)
        if not text or not question.user or not self.told.first_time(question.user):
            return False
        try:
            self._send(text, question, client, respond)
        except Exception as exc:  # the notice is tried again with their next question
            self.told.undo(question.user)
            error = exc.response.get("error") if isinstance(exc, SlackApiError) else exc
            log.warning("could not show the AI notice to %s: %s", question.user, error)
            return False
        log.info("AI notice shown to %s", question.user)
        return True

    @staticmethod
    def _send(text: str, question: "Question", client: WebClient, respond: Callable[..., Any] | None) -> None:
        if respond is not None:
            respond(text=text, response_type="ephemeral", replace_original=False)
        elif question.is_dm:
            client.chat_postMessage(channel=question.channel, thread_ts=question.thread_ts, text=text,
                                    unfurl_links=False)
        else:
            client.chat_postEphemeral(channel=question.channel, user=question.user, thread_ts=question.thread_ts,
                                      text=text)
