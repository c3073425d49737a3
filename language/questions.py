"""Questions as people type them in a chat: normalised (for searching, and to know the same question
when it comes again), the words that carry their subject, what they ask for, whether they continue
the previous question, and replies that are no question at all.
"""

from __future__ import annotations

import re

from language.tokens import chat_words, normalise, words_of
from language.words import (
    ACKNOWLEDGEMENTS,
    AMOUNT_QUESTIONS,
    FILLER_WORDS,
    FOLLOW_UP_OPENERS,
    FUNCTION_WORDS,
    GENERIC_WORDS,
    LIGHT_WORDS,
    MODAL_VERBS,
    NUMBER_WORDS,
    QUESTION_WORDS,
    REFERRING_WORDS,
    VAGUE_WORDS,
)

MIN_TERM_LETTERS = 3  # shorter words are no question term
FOLLOW_UP_MAX_WORDS = 6  # a question this short may continue the previous one, however it starts

_CLOSING = re.compile(r"[\s?!.,;:]+$")
_NOT_TERMS = FILLER_WORDS | FUNCTION_WORDS | GENERIC_WORDS
_NOT_CONTENT = FILLER_WORDS | LIGHT_WORDS
_NOT_TELLING = _NOT_TERMS | LIGHT_WORDS | REFERRING_WORDS | VAGUE_WORDS
# "hoe lang", "how many": a question word of two words; the second is no subject word.
_ASKING_PHRASES = ((re.compile(r"\b(?:hoe|how)\s+(lang|long)\b"), "duration"),
                   (re.compile(r"\bhoe\s+(laat)\b"), "time"),
                   (re.compile(r"\b(?:hoe|how)\s+(vaak|often)\b"), "frequency"),
                   (re.compile(r"\bhow\s+(many|much)\b"), "amount"))
# The kinds of asking that want one particular thing (not just "how" or "what").
SPECIFIC_KINDS = frozenset({"amount", "duration", "time", "place", "person", "reason", "frequency"})
_ASKS_AMOUNT = re.compile(r"\b(" + "|".join(AMOUNT_QUESTIONS) + r")\b")
# A number: digits starting a token (not "EH3" or "ipv6"), not a year; a price; a number word.
_NUMBER = re.compile(r"(?<![\w.])(?!(?:19|20)\d\d(?!\d))\d+|€|\b(" + "|".join(NUMBER_WORDS) + r")\b")
_EMOJI = re.compile(r":[a-z0-9_+\-]+:")  # ":+1:", ":tada:" (in lower case)
# Text between straight, curly or low-high double quotes, or between single quotes that are no
# apostrophes ("auto's", "'s avonds": an apostrophe touches a letter on the side a quote does not).
_QUOTED = re.compile(r'"([^"]+)"|“([^”"]+)[”"]|„([^”“"]+)[”“"]|(?<!\w)[\'‘]([^\'’]+)[\'’](?!\w)')
MIN_QUOTED_WORDS = 2  # one quoted word is a term like any other ("kies voor "Hypotheek"")


# --- the same question --------------------------------------------------------------------------

def normalise_question(question: str) -> str:
    """The question as it is searched and stored: Unicode-normalised (NFKC), single-spaced."""
    return normalise(question)


def question_key(question: str) -> str:
    """The question as it is recognised when asked again: case, spacing, Unicode forms and closing
    punctuation do not make a different question ("  Hoeveel   Vakantiedagen?? ")."""
    return _CLOSING.sub("", normalise(question).lower())


# --- what it is about ---------------------------------------------------------------------------

def quoted_phrases(question: str) -> list[tuple[str, ...]]:
    """The phrases a question puts between quotes, as their words (words_of), each once: people
    quote what something is called ('in het voorbeeld "rechtspersoon niet juist aangepast"'). Only
    phrases of at least MIN_QUOTED_WORDS words."""
    phrases = (words_of(next(part for part in found.groups() if part)) for found in _QUOTED.finditer(question))
    return list(dict.fromkeys(tuple(words) for words in phrases if len(words) >= MIN_QUOTED_WORDS))


def question_terms(text: str) -> list[str]:
    """The words that carry the question's subject, to look up in an index: no filler, function or
    generic words, no numbers, at least 3 letters; each once, in order."""
    words = [w for w in words_of(text)
             if len(w) >= MIN_TERM_LETTERS and w not in _NOT_TERMS and not w.isdigit()]
    return list(dict.fromkeys(words))


def telling_words(text: str) -> list[str]:
    """The words of any text (an answer, a passage) that tell something: no filler, function, generic
    or light words (prepositions, verbs of getting), no words that refer back ("daarom") or only say
    how much or how often ("niet", "altijd"); at least 3 letters, or a number; each once, in order."""
    words = [w for w in words_of(text)
             if w.isdigit() or (len(w) >= MIN_TERM_LETTERS and w not in _NOT_TELLING)]
    return list(dict.fromkeys(words))


def content_words(question: str) -> list[str]:
    """The words two questions are compared by: no filler, question words, prepositions, pronouns or
    verbs of getting, being able, permission and duty (:func:`modality` compares those), but
    numbers, negations ("niet", "geen", "zonder") and verb particles ("aan", "uit") kept; each once."""
    return _content_and_kinds(question)[0]


def asks_for(question: str) -> frozenset[str]:
    """The kinds of thing the question asks for: amount, duration, time, place, person, reason,
    frequency (:data:`SPECIFIC_KINDS`), or plainly how or what."""
    return _content_and_kinds(question)[1]


def modality(question: str) -> frozenset[str]:
    """Whether the question asks for permission (mag) or a duty (moet)."""
    return frozenset(MODAL_VERBS[w] for w in words_of(question.lower()) if w in MODAL_VERBS)


def _content_and_kinds(question: str) -> tuple[list[str], frozenset[str]]:
    text = normalise_question(question).lower()
    kinds: set[str] = set()
    for pattern, kind in _ASKING_PHRASES:
        if pattern.search(text):
            kinds.add(kind)
            text = pattern.sub(lambda m: m.group(0)[:m.start(1) - m.start(0)], text)
    words = words_of(text)
    if not kinds:
        kinds = {QUESTION_WORDS[w] for w in words if w in QUESTION_WORDS}
    content = [w for w in words if w not in _NOT_CONTENT and (len(w) > 1 or w.isdigit())]
    return list(dict.fromkeys(content)), frozenset(kinds)


# --- amounts ------------------------------------------------------------------------------------

def asks_amount(question: str) -> bool:
    """It asks for a count, a price, a limit or a duration."""
    return _ASKS_AMOUNT.search(question.lower()) is not None


def has_number(text: str) -> bool:
    """The text holds an amount: a number (not a year, not inside a code like "ipv6"), a price or a
    number word."""
    return _NUMBER.search(text.lower()) is not None


# --- in a conversation ---------------------------------------------------------------------------

def reads_as_follow_up(question: str) -> bool:
    """Short, or starting like a continuation ("en voor parttimers?", "and for interns?"): it only
    makes sense after the previous question."""
    words = question.split()
    return bool(words) and (len(words) <= FOLLOW_UP_MAX_WORDS
                            or words[0].lower().strip(",.") in FOLLOW_UP_OPENERS)


def is_acknowledgement(text: str) -> bool:
    """Only thanks, agreement or emoji ("Top, bedankt!", ":+1:"), and no question mark."""
    if "?" in text:
        return False
    return all(word in ACKNOWLEDGEMENTS for word in chat_words(_EMOJI.sub(" ", text.lower())))
