"""After an answer in a channel thread, the thread is followed for the asker (bot/people/followed_threads.py
keeps it): their replies there without an @mention are follow-ups for Vraagbaak."""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:
    from bot.people.followed_threads import FollowedThreads
    from bot.slack.answer_flow.replying import Question


def remember_answered(threads: "FollowedThreads") -> Callable[["Question"], None]:
    """The Replier's after-answer hook: answers in channel threads only (not DMs, not private ones)."""
    def remember(question: "Question") -> None:
        if not question.is_dm and question.thread_ts:
            threads.remember(question.channel, question.thread_ts, question.user)
    return remember
