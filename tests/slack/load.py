"""Many people asking at once, through the fake Slack over real sockets: the scenario that
tests/slack/test_load.py checks and bench/slack_load.py measures.

`ask_all()` pushes one question per user, mentions in channels and direct messages mixed (and
`/vraag` where asked), as fast as one thread can push them; `Asked` knows where each answer and
each queue notice lands, so the checks read the fake Slack's workspace, not the bot's insides.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from tests.fakes.slack import FakeSlack, payloads

CHANNELS = ("C0ALGEMEEN", "C0HR", "C0IT")


def answer_for(question: str) -> str:
    """The scripted model's answer to `question` (tests/slack/fakes.question_of finds it)."""
    return f"Je hebt **25 vakantiedagen** per jaar, {answer_mark(question)} [1]."


def answer_mark(question: str) -> str:
    """What only the answer to this question says (the passages do not)."""
    found = re.search(r"Vraag (\d+)", question)
    return f"beste collega nummer {found.group(1) if found else '?'}"


@dataclass
class Asked:
    """One question as pushed, and where its answer will be."""

    number: int  # arrival position, 0-based
    user: str
    text: str
    kind: str  # mention, dm, slash
    channel: str
    event_id: str | None = None
    envelope_id: str = ""
    thread_ts: str | None = None  # the thread the answer goes in (a DM's message starts one too)
    response_url: str | None = None  # slash: where the private answer goes
    extra: dict[str, Any] = field(default_factory=dict)

    def bot_messages(self, slack: FakeSlack) -> list[dict[str, Any]]:
        """The bot's messages where this question's answer belongs (its thread, or its DM)."""
        messages = slack.workspace.messages.get(self.channel, [])
        mine = [m for m in messages if m.get("bot_id") or m.get("user") == slack.workspace.bot_user_id]
        return [m for m in mine if m.get("thread_ts") == self.thread_ts]

    def answers(self, slack: FakeSlack, *, marked: bool = True) -> list[str]:
        """Answers to this question that Slack shows (one, when all is well); `marked=False`: any
        finished answer there, also one the scripted model did not write."""
        mark = answer_mark(self.text) if marked else ""
        if self.kind == "slash":
            return [r.body.get("text", "") for r in slack.responses
                    if r.url == self.response_url and mark in r.body.get("text", "") and r.body.get("blocks")]
        return [m.get("text", "") for m in self.bot_messages(slack) if mark in m.get("text", "") and m.get("blocks")]

    def queue_notices(self, slack: FakeSlack) -> list[str]:
        """Every text shown for this question that tells its place in the line."""
        if self.kind == "slash":
            texts = [r.body.get("text", "") for r in slack.responses if r.url == self.response_url]
        else:
            def where(c) -> bool:
                return c.params.get("channel") == self.channel and c.params.get("thread_ts") in (None, self.thread_ts)

            texts = [str(c.params.get("text", "")) for c in slack.calls
                     if c.method in ("chat.postMessage", "chat.update") and where(c)]
            # …and inside the answer's stream: the writing task waits, with the place as its details
            with slack.workspace.lock:
                texts += [json.dumps(e["chunk"], ensure_ascii=False) for m in self.bot_messages(slack)
                          for e in m.get("stream") or []]
        return [t for t in texts if "in de rij" in t]


def user_id(number: int) -> str:
    return f"U{number:04d}LOAD"


def ask_all(slack: FakeSlack, count: int, *, slash_every: int = 0, first_number: int = 0,
            push: bool = True) -> list[Asked]:
    """`count` questions from `count` different users, pushed one right after the other: even
    numbers mention the bot in a channel, odd numbers send a direct message, and every
    `slash_every`-th one (0: none) asks with `/vraag` instead. `push=False`: posted, not pushed
    (the test delivers the event itself)."""
    asked: list[Asked] = []
    for number in range(first_number, first_number + count):
        user = user_id(number)
        slack.workspace.add_user(user, f"collega{number}")
        text = f"Vraag {number}: hoeveel vakantiedagen heeft collega {number}?"
        if slash_every and number % slash_every == slash_every - 1:
            channel = CHANNELS[number % len(CHANNELS)]
            envelope_id, url = slack.push_command("/vraag", text, user=user, channel=channel)
            asked.append(Asked(number, user, text, "slash", channel, envelope_id=envelope_id, response_url=url))
            continue
        if number % 2 == 0:
            channel = CHANNELS[number % len(CHANNELS)]
            event = slack.user_posts(text, user=user, channel=channel)
            entry = Asked(number, user, text, "mention", channel, thread_ts=event["ts"])
        else:
            channel = f"D{number:04d}LOAD"
            event = slack.user_posts(text, user=user, channel=channel)
            entry = Asked(number, user, text, "dm", channel, thread_ts=event["ts"])
        entry.event_id = payloads.new_event_id()
        entry.extra["event"] = event
        if push:
            entry.envelope_id = slack.push_event(event, event_id=entry.event_id)
        asked.append(entry)
    return asked


def redeliver(slack: FakeSlack, asked: Asked) -> str:
    """Slack delivers this question's event once more, as after a missed deadline."""
    assert asked.event_id is not None
    return slack.push_event(asked.extra["event"], event_id=asked.event_id, retry_attempt=1, retry_reason="timeout")


def home_opened(slack: FakeSlack, user: str) -> str:
    """`app_home_opened` for the Home tab; returns its envelope id."""
    return slack.push_event({"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home",
                             "event_ts": payloads.new_ts()})


def vote_click(slack: FakeSlack, user: str, channel: str) -> tuple[str, str]:
    """A 👍 on an answer; returns (envelope id, response_url)."""
    from bot.slack.ui.blocks import ACTION_VOTE_UP, FEEDBACK_BLOCK_ID

    url = slack.new_response_url()
    click = payloads.block_actions({"action_id": ACTION_VOTE_UP, "value": "onbekend", "block_id": FEEDBACK_BLOCK_ID},
                                   user=user, channel=channel, response_url=url)
    return slack.push_interactive(click), url
