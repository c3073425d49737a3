"""The kind of value a question asks for, and whether a text holds one: "hoeveel maanden" wants a
number of months ("drie maanden", "6 maanden"), "welk percentage" a percentage, "wat kost" a price
(or "gratis"), "het telefoonnummer" a phone number, "naar welk mailadres" an e-mail address. A
passage about the right subject that holds no such value cannot answer the question, however
similar it looks.

Only kinds whose values can be recognised in any text without knowing its subject; a question that
asks for none of them (most do not) asks nothing of the passages here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from language.matching import Matching, one_typo_apart, same_word
from language.questions import question_terms
from language.tokens import words_of
from language.words import NUMBER_WORDS

# Verbs and adverbs that follow "hoeveel" without naming a unit ("hoeveel kost", "hoeveel mag ik").
_NOT_UNITS = frozenset("""
    kost kosten kostte krijg krijgt krijgen mag mogen moet moeten heb hebt heeft hebben is zijn was waren
    wordt worden werd kan kun kunnen betaal betaalt betalen verdien verdient duurt bedraagt declareer
    declareert vergoed vergoedt vergoeden ongeveer precies nog meer minder extra
""".split())
_COUNT = re.compile(r"\b(?:hoeveel|how\s+many)\s+(\w+)")
_PERCENTAGE = re.compile(r"\b(?:hoeveel\s+procent|\w*percentage|what\s+percentage)\b")
_PHONE = re.compile(r"\b(?:telefoonnummer|belnummer|telefoon\s+nummer|phone\s+number)")
_PRICE = re.compile(r"\b(?:wat|hoeveel)\s+(?:kost|kosten|kostte)\b|\bwat\s+is\s+de\s+prijs\b|\bhow\s+much\s+does\b")
_EMAIL = re.compile(r"\b(?:e-?mail-?adres|mailadres|e-?mail\s+address)")

_PERCENTAGE_VALUE = re.compile(r"\d\s*(?:%|procent\b|percent\b)")
_PRICE_VALUE = re.compile(r"€|\d\s*(?:euro|eur)\b|\b(?:gratis|kosteloos|kost niets|free of charge)\b")
_EMAIL_VALUE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_VALUE = re.compile(r"\+?\d[\d \-()]{6,}\d")
_YEAR = re.compile(r"(?:19|20)\d\d")  # "2025" dates something; it counts nothing
MIN_PHONE_DIGITS = 9  # "088 183 2200", "+31 88 …"; a short service number ("0800-1234") has 8
UNIT_WINDOW = 3  # words between a number and its unit ("3 werkdagen", "12 tekens", "tien losse principes")


@dataclass(frozen=True)
class AskedValue:
    """What the question wants: a ``count`` of ``unit`` (any number: no unit), a ``percentage``, a
    ``price``, a ``phone`` number or an ``email`` address."""

    kind: str
    unit: str = ""


def asked_value(question: str) -> AskedValue | None:
    """The kind of value the question asks for; None: none that a text can be checked for."""
    text = question.lower()
    if _EMAIL.search(text):
        return AskedValue("email")
    if _PHONE.search(text):
        return AskedValue("phone")
    if _PERCENTAGE.search(text):
        return AskedValue("percentage")
    if _PRICE.search(text):
        return AskedValue("price")
    for match in _COUNT.finditer(text):
        unit = match.group(1)
        if unit not in _NOT_UNITS and question_terms(unit):
            # An English unit ("how many vacation days") is not the word of Dutch passages
            # ("25 vakantiedagen"): such a question asks for a number, whatever it counts.
            return AskedValue("count", "" if match.group(0).startswith("how") else unit)
    return None


def holds_value(asked: AskedValue, text: str) -> bool:
    """Whether the text holds a value of the asked kind (for a count: a number within a few words
    of the unit, in any of its forms or as a part of a compound: "25 vakantiedagen" for "dagen"; a
    year is no count: "sinds 2021" does not say how many years)."""
    if asked.kind == "email":
        return _EMAIL_VALUE.search(text) is not None
    if asked.kind == "phone":
        return any(sum(c.isdigit() for c in m.group(0)) >= MIN_PHONE_DIGITS for m in _PHONE_VALUE.finditer(text))
    if asked.kind == "percentage":
        return _PERCENTAGE_VALUE.search(text.lower()) is not None
    if asked.kind == "price":
        return _PRICE_VALUE.search(text.lower()) is not None
    words = words_of(text)
    numbers = [n for n, word in enumerate(words)
               if (word.isdigit() and not _YEAR.fullmatch(word)) or word in NUMBER_WORDS]
    if not asked.unit:
        return bool(numbers)
    return any(_is_unit(asked.unit, word)
               for n in numbers for word in words[max(0, n - UNIT_WINDOW):n + UNIT_WINDOW + 1])


def _is_unit(unit: str, word: str) -> bool:
    return same_word(unit, word, mode=Matching.SEARCH) or one_typo_apart(unit, word)
