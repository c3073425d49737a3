"""Days as a reader writes them: "1 januari 2025" in Dutch, "1 January 2025" in English."""

from __future__ import annotations

from datetime import date

from language.words import DUTCH_MONTHS, ENGLISH_MONTHS


def spoken_date(day: date | str, language: str) -> str:
    """`day` (a date or an ISO string) in words, in the answer's language; "" for no day or a string
    that is none."""
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day[:10])
        except ValueError:
            return ""
    if language == "en":
        return f"{day.day} {ENGLISH_MONTHS[day.month - 1].capitalize()} {day.year}"
    return f"{day.day} {DUTCH_MONTHS[day.month - 1]} {day.year}"
