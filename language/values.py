"""The kind of value a question asks for, and whether a text holds one: "hoeveel maanden" wants a
number of months ("drie maanden", "6 maanden"), "welk percentage" a percentage, "wat kost" a price
(or "gratis"), "het telefoonnummer" a phone number, "naar welk mailadres" an e-mail address, "sinds wanneer" a
date, "hoe laat" a time of day, "hoe lang duurt" a duration ("drie werkdagen"), "welke versie" a version
number, "requests per minuut" a rate (a number per minute), "welke kleurcode" a colour code ("#FF0000");
"hoeveel geld", "welk bedrag" and "hoeveel krijgt hij betaald" a price, "hoeveel tijd" a duration,
"hoeveel mensen" any number, "een maximum aantal pagina's" a count of pages, "op welk nummer kan ik
bellen" a phone number, "wat is ons kvk-nummer" a registration number (six digits or more, or an IBAN). A
passage about the right subject that holds no such value cannot answer the question, however
similar it looks.

Only kinds whose values can be recognised in any text without knowing its subject; a question that
asks for none of them (most do not) asks nothing of the passages here.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from language.matching import Matching, one_typo_apart, same_word
from language.questions import question_terms
from language.tokens import words_of
from language.words import (DUTCH_MONTHS, ENGLISH_MONTHS, LIGHT_WORDS, NUMBER_WORDS, PERSON_WORDS,
                            REGISTRATION_NUMBERS, SUBJECT_PRONOUNS, WEEKDAYS)

# Verbs and adverbs that follow "hoeveel" without naming a unit ("hoeveel kost", "hoeveel mag ik").
_NOT_UNITS = frozenset("""
    kost kosten kostte krijg krijgt krijgen mag mogen moet moeten heb hebt heeft hebben is zijn was waren
    wordt worden werd kan kun kunnen betaal betaalt betalen verdien verdient duurt bedraagt declareer
    declareert vergoed vergoedt vergoeden ongeveer precies nog meer minder extra
""".split())
# The word after "hoeveel" (or "een maximum aantal"), and the two after that: a subject pronoun there
# makes the first the verb ("hoeveel ging het"), a noun after an inflected adjective is what is
# counted ("hoeveel vrije dagen"), unless a subject follows it ("hoeveel ruimte biedt de zaal").
_COUNT = re.compile(r"\b(?:hoeveel|how\s+many|(?:maximum|minimum|maximale|minimale)\s+(?:aan\s+het\s+)?aantal)"
                    r"\s+(\w+)(?:\s+(\w+))?(?:\s+(\w+))?")
# What may stand before "hoeveel" where it opens its clause ("en om hoeveel ging het").
_CLAUSE_OPENERS = LIGHT_WORDS | frozenset("en maar of dus ook".split())
_ARTICLES = frozenset("de het een er".split())  # "er" too: "hoeveel grote zalen zijn er"
_PERCENTAGE = re.compile(r"\b(?:hoeveel\s+procent|\w*percentage|what\s+percentage)\b")
_PHONE = re.compile(r"\b(?:telefoonnummer|belnummer|telefoon\s+nummer|phone\s+number)|\bwelk\s+nummer\b.*\bbellen\b")
_PRICE = re.compile(r"\b(?:wat|hoeveel)\s+(?:kost|kosten|kostte)\b|\bwat\s+is\s+de\s+prijs\b|\bhow\s+much\s+does\b"
                    r"|\bhoeveel\b[^,.;:?!]*\b(?:betaald|uitbetaald|verdient|verdien)\b|\bwelk\s+bedrag\b|\bhoeveel\s+(?:\w+\s+)?geld\b|\bhow\s+much\s+(?:\w+\s+)?money\b")
_EMAIL = re.compile(r"\b(?:e-?mail-?adres|mailadres|e-?mail\s+address)")
# Not a bare "wanneer", which as often asks under what condition ("wanneer heb je die nodig").
_DATE = re.compile(r"\b(?:sinds|vanaf|tot|per|uiterlijk)\s+wanneer\b|\bwelke\s+datum\b|\bin\s+welk\s+jaar\b"
                   r"|\bop\s+welke\s+dag\b|\bsince\s+when\b|\b(?:what|which)\s+date\b|\bin\s+what\s+year\b"
                   r"|\bwanneer\s+is\s+de\s+volgende\b|\bwhen\s+is\s+the\s+next\b")  # the next one: a date
_TIME = re.compile(r"\bhoe\s+laat\b|\bwhat\s+time\b")
# "hoe lang" alone may ask a length ("hoe lang moet mijn wachtwoord zijn"): only with a verb of time.
_DURATION = re.compile(r"\bhoe\s+lang\s+(?:duurt|duren|blijft|blijven|bewaren|bewaart|bewaard|wacht|wachten)\b"
                       r"|\bwelke\s+termijn\b|\bhoeveel\s+tijd\b|\bhow\s+much\s+time\b"
                       r"|\bhow\s+long\s+(?:does|do|will|did)\b.*\b(?:take|last|keep|stay)\b")
# A rate: so many per second, minute or hour ("requests per minuut"); not per day or longer, which
# as often only frames the question ("hoeveel vakantiedagen per jaar").
_RATE = re.compile(r"\bper\s+(?:seconde|minuut|uur|second|minute|hour)\b")
_COLOUR = re.compile(r"\b(?:rgb|kleurcode|kleur\s*code|hex\s*code|hexcode|colou?r\s+code)")
# A registration or account number asked for ("wat is ons kvk-nummer", "op welk rekeningnummer").
_IDENTIFIER = re.compile(r"\b(?:wat\s+is\s+(?:het|ons|onze|de|jullie|hun)|welk|welke)\s+(?:"
                         + "|".join(sorted(REGISTRATION_NUMBERS)) + r")[\s-]?nummer\b|\biban\b")
_VERSION = re.compile(r"\b(?:welke|which|what)\s+(?:\w+\s+)?(?:versie|version)\b|\bversienummer\b")

# A duration: a number of one of these ("drie werkdagen", "6 weken"), or no time at all ("direct").
_TIME_UNITS = frozenset("""seconde seconden minuut minuten uur uren dag dagen week weken maand maanden jaar jaren
    kwartaal kwartalen second seconds minute minutes hour hours day days week weeks month months year years""".split())
_TIME_UNIT_ENDINGS = ("dagen", "weken", "maanden", "jaren", "uren", "minuten")  # "werkdagen", "kalendermaanden"
_AT_ONCE = frozenset("direct meteen onmiddellijk dezelfde".split())
_VERSION_WORDS = ("versie", "release", "version")
MIN_PHONE_DIGITS = 9  # "088 183 2200", "+31 88 …"; a short service number ("0800-1234") has 8
UNIT_WINDOW = 3  # words between a number and its unit ("3 werkdagen", "12 tekens", "tien losse principes")


@dataclass(frozen=True)
class AskedValue:
    """What the question wants: a ``count`` of ``unit`` (any number: no unit), a ``percentage``, a
    ``price``, a ``phone`` number, an ``email`` address, a ``date``, a ``time`` of day, a ``duration``,
    a ``version`` number, a ``rate`` (a number per second, minute or hour), a ``colour`` code or an
    ``identifier`` (a registration or account number)."""

    kind: str
    unit: str = ""


# In this order: the first kind whose asking matches is the one asked (an e-mail address before a
# date in "naar welk mailadres en tot wanneer").
_ASKING = (("email", _EMAIL), ("phone", _PHONE), ("percentage", _PERCENTAGE), ("price", _PRICE), ("date", _DATE),
           ("time", _TIME), ("duration", _DURATION), ("version", _VERSION), ("rate", _RATE), ("colour", _COLOUR),
           ("identifier", _IDENTIFIER))


def asked_value(question: str) -> AskedValue | None:
    """The kind of value the question asks for; None: none that a text can be checked for."""
    text = question.lower()
    for kind, asking in _ASKING:
        if asking.search(text):
            return AskedValue(kind)
    for match in _COUNT.finditer(text):
        # Only where "hoeveel" opens its clause is the word after it a verb before its subject
        # ("en om hoeveel ging het"); after "weet iemand hoeveel" the clause keeps its verb last.
        opening = words_of(re.split(r"[,.;:?!]", text[:match.start()])[-1])
        inverted = all(word in _CLAUSE_OPENERS for word in opening)
        if (counted := _counted_asked(*(w or "" for w in match.groups()), inverted)) is not None:
            # An English unit ("how many vacation days") is not the word of Dutch passages
            # ("25 vakantiedagen"): such a question asks for a number, whatever it counts.
            return AskedValue("count") if match.group(0).startswith("how") else counted
    return None


def _counted_asked(word: str, following: str, then: str, inverted: bool) -> AskedValue | None:
    """What "hoeveel `word` `following` `then`" asks for: a count of the noun, of any number for people,
    whom a text names by what they are; None where `word` is a verb ("hoeveel kost", "hoeveel ging
    het": `inverted`, the subject follows its verb) or names nothing. An amount of money named by
    its kind ("hoeveel subsidie") is a count too: the amount must stand beside the word, as it does
    ("€ 75.000 subsidie", "de subsidie bedraagt € 750"); "hoeveel geld" asks for a price (_PRICE)."""
    if word in _NOT_UNITS or (inverted and following in SUBJECT_PRONOUNS) or not question_terms(word):
        return None
    if word in PERSON_WORDS:
        return AskedValue("count")  # people, whoever they are: visitors, members, participants
    # An inflected adjective before its noun ("luidruchtige activiteiten"): the noun is counted; not a
    # noun in -e before its verb and subject ("hoeveel ruimte biedt de zaal").
    verb = inverted and (then in SUBJECT_PRONOUNS or then in _ARTICLES)
    noun = (following if word.endswith("e") and not verb and following not in _NOT_UNITS
            and question_terms(following) else word)
    return AskedValue("count", noun)


_CLAUSE_END = re.compile(r"[,.;:?!]+(?:\s+|$)")


def asking_part(question: str) -> str:
    """The clauses of the question (between commas and full stops) that ask for the value: in "sinds
    wanneer is dat verplicht, en met welke max-age begin ik zodat het niet misgaat?" the first."""
    return " ".join(clause for clause in _CLAUSE_END.split(question) if clause and asked_value(clause))


def asked_about(question: str) -> list[str]:
    """The terms of what the value is asked of: the asking clauses without the words that ask
    ("hoeveel procent", "welke kleurcode"): "korting" and "inschrijvingstarief" in "hoeveel procent
    korting op het inschrijvingstarief krijg je". None for a count: what it counts is its unit, and
    holds_value looks for that beside the number already ("hoeveel vakantiedagen heeft een collega"
    is answered by "25 vakantiedagen", whoever the sentence names)."""
    asked = asked_value(question)
    if asked is None or asked.kind == "count":
        return []
    text = asking_part(question).lower()
    for pattern in (asking for _, asking in _ASKING):
        text = pattern.sub(" ", text)
    return question_terms(text)


def asked_of(question: str) -> str:
    """The asking clauses without the words that name the kind of value ("welke kleurcodes heeft
    ons schild" -> "welke heeft ons schild"), where the refusal looks for a subject the index never
    names. The kind's name says nothing of the subject: an index may hold colour codes without ever
    writing "kleurcode". (`asked_about` also leaves out the asking words, "hoe laat", "welke
    versie", which are no subject either but are not looked for in the index.)"""
    return _KIND_NAMES.sub(" ", asking_part(question).lower())


# The words that name a kind of value, with their plural: only these leave the asking clause in
# `asked_of` (the asking patterns also take a neighbour, "welke Kubernetes versie", or a whole
# compound, "winstdelingspercentage", whose other words are the subject).
_KIND_NAMES = re.compile(r"\b(?:kleur\s*code|hex\s*code|colou?r\s+code|rgb|percentage|procent|versie(?:nummer)?|"
                         r"version|telefoon\s*nummer|belnummer|phone\s+number|e-?mail-?adres|mailadres|"
                         r"e-?mail\s+address)(?:s|en)?\b")


def holds_value(asked: AskedValue, text: str) -> bool:
    """Whether the text holds a value of the asked kind (for a count: a number within a few words
    of the unit, in any of its forms or as a part of a compound: "25 vakantiedagen" for "dagen"; a
    year is no count: "sinds 2021" does not say how many years)."""
    if asked.kind in _KINDS:
        return next(_found(asked.kind, text), None) is not None or (
            asked.kind == "version" and _counted(words_of(text), lambda word: word in _VERSION_WORDS, years=True))
    words = words_of(text)
    if asked.kind == "duration":
        return bool(_AT_ONCE & set(words)) or _counted(words, _is_time_unit)
    if not asked.unit:
        return _counted(words, lambda word: True)
    return _counted(words, lambda word: _is_unit(asked.unit, word))


def in_other_words(asked: AskedValue, texts: Sequence[str]) -> AskedValue:
    """The count asked of texts that never name its unit in any form: of any number. The question
    then names what it counts in words of its own ("hoeveel plekken" of "60 plaatsen"), whose
    absence says nothing of whether the texts count it."""
    if asked.kind != "count" or not asked.unit:
        return asked
    named = any(_is_unit(asked.unit, word) for text in texts for word in set(words_of(text)))
    return asked if named else AskedValue("count")


def _counted(words: list[str], is_unit, *, years: bool = False) -> bool:
    """Whether a number (a year only with `years`) stands within a few words of a unit."""
    numbers = [n for n, word in enumerate(words)
               if (word.isdigit() and (years or not _YEAR.fullmatch(word))) or word in NUMBER_WORDS]
    return any(is_unit(word) for n in numbers for word in words[max(0, n - UNIT_WINDOW):n + UNIT_WINDOW + 1])


def _is_time_unit(word: str) -> bool:
    return word in _TIME_UNITS or (word.endswith(_TIME_UNIT_ENDINGS) and word not in _TIME_UNIT_ENDINGS)


def _is_unit(unit: str, word: str) -> bool:
    return same_word(unit, word, mode=Matching.SEARCH) or one_typo_apart(unit, word)


# --- the values of each kind ------------------------------------------------------------------
# One definition per kind whose values have a shape of their own: where a text gives one, and what
# it is, as a key that compares (a day as (year, month, day), 0 where not said; an amount as a
# number). holds_value asks whether there is one (the refusal policy), values_in which ones (the line
# where documents disagree): both read the same values. A form that answers the question without
# saying which value ("'s ochtends", "op vrijdag", a "€" without its amount, a colour's "rgb(") has
# the key UNCOMPARED: a value for the one, nothing to compare for the other.

UNCOMPARED = ()

_NUMBER_VALUES = {"twee": 2, "drie": 3, "vier": 4, "vijf": 5, "zes": 6, "zeven": 7, "acht": 8, "negen": 9,
                  "tien": 10, "elf": 11, "twaalf": 12, "twintig": 20, "dertig": 30, "honderd": 100,
                  "duizend": 1000, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
                  "nine": 9, "ten": 10, "hundred": 100, "thousand": 1000}
_MONTH_NUMBER = {name: n for months in (DUTCH_MONTHS, ENGLISH_MONTHS) for n, name in enumerate(months, start=1)}
_MONTH_NAMES = "|".join(sorted(_MONTH_NUMBER, key=len, reverse=True))
# A month or weekday named alone dates a text ("in maart", "op vrijdag"); not the English "may", which
# as often is the verb ("you may ...").
_ALONE_MONTHS = "|".join(sorted(set(_MONTH_NUMBER) - {"may"}, key=len, reverse=True))
_WEEKDAY_NAMES = "|".join(sorted(WEEKDAYS, key=len, reverse=True))
_YEAR_FORM = r"(?:19|20)\d\d"
_DATE_VALUES = re.compile(
    rf"\b(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH_NAMES})\b(?:\s+(?P<year>{_YEAR_FORM})\b)?"  # 1 maart 2025
    rf"|\b(?P<nday>\d{{1,2}})[-/.](?P<nmonth>\d{{1,2}})[-/.](?P<nyear>{_YEAR_FORM})\b"  # 01-03-2025
    rf"|\b(?P<iyear>{_YEAR_FORM})-(?P<imonth>\d{{2}})-(?P<iday>\d{{2}})\b"  # 2025-03-01
    r"|\b\d{1,2}[-/.]\d{1,2}\b|\b\d{1,2}(?:e|ste|de)\b"  # "1-3", "de 1e": of no year, or a version "2.6"
    rf"|\b(?P<named>{_ALONE_MONTHS})\b(?:\s+(?P<myear>{_YEAR_FORM})\b)?"  # "maart 2025", "in maart"
    rf"|\b(?:{_WEEKDAY_NAMES})\b"
    rf"|\b(?P<alone>{_YEAR_FORM})\b")  # "2025" dates something
_TIME_VALUES = re.compile(r"\b(?P<hour>\d{1,2})[:.](?P<minute>\d\d)\b(?:\s*(?:uur\b|(?P<half>am|pm)\b))?"
                          r"|\b(?P<whole>\d{1,2})\s*(?:uur|u|(?P<whole_half>am|pm))\b"
                          r"|\buur\b|'s\s+(?:ochtends|middags|avonds)")
_PERCENTAGE_VALUES = re.compile(r"(?P<amount>\d+(?:[.,]\d+)?)\s*(?:%|procent\b|percent\b)")
_PRICE_VALUES = re.compile(r"€\s*(?P<euros>\d[\d.]*(?:,\d+)?)(?:,-)?|(?P<amount>\d[\d.]*(?:,\d+)?)\s*(?:euro|eur)\b"
                           r"|\b(?P<free>gratis|kosteloos|kost niets|free of charge)\b|€")
_EMAIL_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE_NUMBER = re.compile(r"\+?\d[\d \-()]{6,}\d")
# Not from inside a longer name or number ("IMEV3.0.2_schema" gives no "0.2"); such a number still says
# that the text names a version.
_VERSION_NUMBER = re.compile(r"(?<![\w.])v?(?P<numbers>\d+(?:\.\d+)+)|\bv(?P<number>\d+)\b|\b\d+\.\d+|\bv\d")
_RATE_VALUES = re.compile(r"\d\s*(?:[^\W\d]+\s*?){0,3}(?:\bper\s+|/)\s*"
                          r"(?:seconde|sec|s|minuut|min|uur|u|h|second|minute|hour)\b")
# Six digits or more in one run (spaces and full stops between groups), or an IBAN.
_IDENTIFIER_VALUES = re.compile(r"\b\d(?:[ .]?\d){5,}\b|\b[a-z]{2}\d{2}\s?[a-z]{4}(?:\s?\d){10}\b")
_COLOUR_VALUES = re.compile(r"#[0-9a-f]{6}\b|\brgb\s*\(|\b\d{1,3}\s*[,;]\s*\d{1,3}\s*[,;]\s*\d{1,3}\b")
_YEAR = re.compile(rf"\b{_YEAR_FORM}\b")  # "2025" dates something; it counts nothing
_AMOUNT = re.compile(r"\b(\d+(?:[.,]\d+)?|" + "|".join(_NUMBER_VALUES) + r")\b")
_UNIT_STEMS = (("werkdag", "werkdag"), ("kalenderdag", "dag"), ("dag", "dag"), ("day", "dag"), ("week", "week"),
               ("weken", "week"), ("maand", "maand"), ("month", "maand"), ("jaar", "jaar"), ("jaren", "jaar"),
               ("year", "jaar"), ("uur", "uur"), ("uren", "uur"), ("hour", "uur"), ("minu", "minuut"))


def _day_key(m: re.Match) -> tuple:
    if m.group("month"):
        return int(m.group("year") or 0), _MONTH_NUMBER[m.group("month")], int(m.group("day"))
    year, month, day = ((m.group("nyear"), m.group("nmonth"), m.group("nday")) if m.group("nyear")
                        else (m.group("iyear"), m.group("imonth"), m.group("iday")))
    if year:
        return (int(year), int(month), int(day)) if 1 <= int(month) <= 12 and 1 <= int(day) <= 31 else UNCOMPARED
    if m.group("named"):
        return int(m.group("myear") or 0), _MONTH_NUMBER[m.group("named")], 0
    return (int(m.group("alone")), 0, 0) if m.group("alone") else UNCOMPARED


def _clock_key(m: re.Match) -> tuple:
    hour, half = m.group("hour") or m.group("whole"), m.group("half") or m.group("whole_half")
    if hour is None:
        return UNCOMPARED
    hour = int(hour) % 12 + (12 if half == "pm" else 0) if half else int(hour)
    return hour, int(m.group("minute") or 0)


def _price_key(m: re.Match) -> tuple:
    if m.group("free"):
        return (0.0,)
    amount = m.group("euros") or m.group("amount")
    return (_number(amount),) if amount else UNCOMPARED


def _phone_key(m: re.Match) -> tuple | None:
    digits = "".join(c for c in m.group(0) if c.isdigit())
    return (digits,) if len(digits) >= MIN_PHONE_DIGITS else None  # a short number is no phone number


# Per kind: its forms, and the key of one found (None: not a value of the kind after all).
_KINDS: dict[str, tuple[re.Pattern, Callable[[re.Match], tuple | None]]] = {
    "date": (_DATE_VALUES, _day_key),
    "time": (_TIME_VALUES, _clock_key),
    "percentage": (_PERCENTAGE_VALUES, lambda m: (_number(m.group("amount")),)),
    "price": (_PRICE_VALUES, _price_key),
    "email": (_EMAIL_ADDRESS, lambda m: (m.group(0),)),
    "phone": (_PHONE_NUMBER, _phone_key),
    "version": (_VERSION_NUMBER, lambda m: _trimmed(version) if (version := m.group("numbers") or m.group("number"))
                else UNCOMPARED),
    "rate": (_RATE_VALUES, lambda m: UNCOMPARED),  # "60 per minuut" and "1 per seconde": units not evened out
    "colour": (_COLOUR_VALUES, lambda m: UNCOMPARED),
    "identifier": (_IDENTIFIER_VALUES, lambda m: ("".join(c for c in m.group(0) if c.isalnum()),)),
}


def _found(kind: str, text: str) -> Iterator[tuple[re.Match, tuple]]:
    """The values of a kind of _KINDS in the text: each as found, and its key."""
    pattern, key_of = _KINDS[kind]
    for match in pattern.finditer(text.lower()):
        key = key_of(match)
        if key is not None:
            yield match, key


@dataclass(frozen=True)
class Value:
    """One value a text gives: `key` compares, `written` is how the text puts it."""

    key: tuple
    written: str


def values_in(asked: AskedValue, text: str) -> list[Value]:
    """The values of the asked kind the text gives, in order, each as it is written; of a date a year
    alone only where the text gives no day or month ("in 2025" says which year; "1 maart, sinds 2021"
    says which day). Empty for a kind whose values are not told apart here (a count without its unit:
    any number would do)."""
    if asked.kind in _KINDS:
        values = [Value(key, match.group(0).strip()) for match, key in _found(asked.kind, text) if key]
        if asked.kind == "date" and any(value.key[1] for value in values):
            values = [value for value in values if value.key[1]]
        return values
    lowered = text.lower()
    if asked.kind == "duration":
        return _amounts(lowered, _duration_unit)
    if asked.kind == "count" and asked.unit:
        return _amounts(lowered, lambda word: "" if not _is_unit(asked.unit, word) else asked.unit)
    return []


def same_value(a: Value, b: Value) -> bool:
    """Whether two values agree: equal keys, and a day without its year agrees with the same day of
    any year ("1 maart" and "1 maart 2025"), a year alone with any day in it."""
    if len(a.key) == 3 and len(b.key) == 3:
        return all(x == y or 0 in (x, y) for x, y in zip(a.key, b.key))
    return a.key == b.key


def _amounts(text: str, unit_of) -> list[Value]:
    """Numbers followed within a few words by their unit (`unit_of(word)`: the unit it names, or "")."""
    words = list(re.finditer(r"[\w.,]+", text))
    found = []
    for n, word in enumerate(words):
        if not _AMOUNT.fullmatch(word.group(0)) or _YEAR.fullmatch(word.group(0)):
            continue
        for following in words[n + 1:n + 1 + UNIT_WINDOW]:
            if unit := unit_of(following.group(0).strip(".,")):
                value = _NUMBER_VALUES.get(word.group(0)) or _number(word.group(0))
                found.append(Value((value, unit), text[word.start():following.end()].strip(".,")))
                break
    return found


def _duration_unit(word: str) -> str:
    if not _is_time_unit(word) and word not in _TIME_UNITS:
        return ""
    return next((unit for stem, unit in _UNIT_STEMS if word.startswith(stem) or word.endswith(stem + "en")), word)


def _number(written: str) -> float:
    """"1.250,50" -> 1250.5 (Dutch), "2.5" -> 2.5, "1,5" -> 1.5."""
    if "," in written:
        written = written.replace(".", "").replace(",", ".")
    elif written.count(".") == 1 and len(written.split(".")[1]) != 3:
        pass  # a decimal point
    else:
        written = written.replace(".", "")
    try:
        return float(written.rstrip("."))
    except ValueError:
        return float("nan")


def _trimmed(version: str) -> tuple[int, ...]:
    numbers = [int(n) for n in version.split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:
        numbers.pop()
    return tuple(numbers)
