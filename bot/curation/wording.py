"""What curated answers say about themselves, in Dutch (and English where the asker wrote English):
who decided an answer and when, and why a re-index suspended it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.curation.types import CuratedAnswer
from language.words import ENGLISH_MONTHS

if TYPE_CHECKING:
    from bot.answering.types import Source


def curated_note(curated: CuratedAnswer, language: str = "nl") -> str:
    """The line that marks a curated answer: who decided it, and when."""
    try:
        moment = datetime.fromisoformat(curated.created_at)
    except ValueError:
        moment = None
    if language == "en":
        when = (f"{moment.day} {ENGLISH_MONTHS[moment.month - 1].capitalize()} {moment.year}"
                if moment else curated.created_at)
        return f"Curated answer, decided by {curated.decided_by or curated.owner or 'an administrator'} on {when}."
    who = curated.decided_by or curated.owner or "een beheerder"  # no one: the owner asked to be forgotten
    return f"Vast antwoord, vastgesteld door {who} op {curated.decided_on()}."


def stale_reason(changed: list[Source], removed: list[Source]) -> str:
    """Why an answer was suspended, in Dutch."""
    parts = []
    if changed:
        parts.append(f"{_names(changed)} {'is' if len(changed) == 1 else 'zijn'} gewijzigd")
    if removed:
        parts.append(f"{_names(removed)} {'is' if len(removed) == 1 else 'zijn'} verwijderd")
    return f"Bron {' en '.join(parts)} sinds dit antwoord is vastgesteld; controleer het antwoord en " \
           "zet het weer aan (`vraagbaak answers reactivate`) of pas het aan."


def _names(sources: list[Source]) -> str:
    names = [f"'{s.title or s.path}' ({s.path})" for s in sources]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
