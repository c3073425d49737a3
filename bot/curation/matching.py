"""Does a question get a curated answer? Matching is built for precision: serving a fixed answer to a
question it does not answer is worse than letting the model answer it. A question gets a curated
answer only when

1. **the words agree** (:func:`lexical_match`): every content word of the question occurs in the
   curated question (the same word, an inflection, or one typo away), at most one content word of
   the curated question is missing from the question, and when both ask a specific kind of thing
   (how many, when, where, who, why) it is the same kind. "Hoeveel vakantiedagen krijg ik?" agrees
   with "Hoeveel vakantiedagen heb ik per jaar?"; "Hoeveel ziektedagen …", "… voor parttimers" and
   "… kan ik meenemen naar volgend jaar?" do not (a word the curated question never covered); a
   question for an amount, a time, a place, a person or a reason is not answered by a curated
   answer to a yes/no question ("Hoeveel … meenemen?" against "Mag ik … meenemen?");
2. **the meaning agrees**: the cosine similarity of the two questions' embeddings is at least the
   threshold calibrated for the embedding model (:data:`CALIBRATED_MIN_SIMILARITY`,
   bench/curated.py on the sample company and the developer-overheid question sets).

Known limit: both checks read words, not their order: "van Utrecht naar Groningen" agrees with
"van Groningen naar Utrecht". Keep curated questions about one thing each.
"""

from __future__ import annotations

import os
import re

from knowledge.query import QUERY_STOP_WORDS, index_words, normalise_question, one_typo_apart

# The least cosine similarity of the two questions (after their words agreed), per embedding model
# (a fragment of its name; the first that fits). bench/curated.py on tests/data/curated_pairs.jsonl:
# 46 curated questions of the sample company and of developer-overheid, 94 paraphrases and 46
# chat-style questions from the two qa sets, 97 near-misses, and every curated question against
# every other's wordings. all-MiniLM-L6-v2: no wrong pair gets past the words in either corpus
# (0 of 97 near-misses served, 0 wrong answers); the right pairs whose words agree have cosines
# from 0.705 (sample) and 0.747 (developer-overheid) up, so 0.70 keeps all of them; above 0.75
# recall drops in both (0.85: 81 of 94) without any precision to win. The cosine is the second
# check, for what word lists cannot see; on Dutch the small model cannot tell a near-miss from a
# paraphrase (near-misses score up to 0.99), which is why the words decide first.
CALIBRATED_MIN_SIMILARITY: tuple[tuple[str, float], ...] = (
    ("minilm", 0.70),
    # Not measured here (the model cannot be fetched on the development machine): e5 similarities
    # sit higher overall, so its threshold is set above MiniLM's; bench/curated.py measures it.
    ("e5", 0.85),
)
FALLBACK_MIN_SIMILARITY = 0.85
MAX_MISSING_WORDS = 1  # content words of the curated question the asked one may leave out

# Words that carry no subject on top of QUERY_STOP_WORDS: prepositions, pronouns, "get" verbs.
# They stay: negations (niet, geen), "zonder", and the verb particles that turn a verb around
# ("zet ik MFA aan" / "uit", "af"). Permission and duty (mag, moet) are compared on their own
# (:func:`modality`), so "wat moet ik doen" still reads as "wat doe ik".
_LIGHT = frozenset("""
bij door in met naar om op over per tot van voor te tegen na onder boven tussen sinds vanaf
als vd krijg krijgt krijgen kreeg kregen gekregen kun kunt kan kunnen ze zij hij haar hem men uw jouw zich
can get gets got in at for of to by with about mag mogen moet moeten may must
""".split())
_CONTENT_STOP = QUERY_STOP_WORDS | _LIGHT
_SPECIFIC_ASKING = {  # what a question asks for, when it says so
    "hoeveel": "amount", "hoelang": "duration", "wanneer": "time", "waar": "place", "waarheen": "place",
    "wie": "person", "waarom": "reason", "hoe": "how", "wat": "what", "welke": "what", "welk": "what",
    "when": "time", "where": "place", "who": "person", "why": "reason", "how": "how", "what": "what",
    "which": "what",
}
# "hoe lang", "how many": a question word of two words; the second is no subject word.
_ASKING_PHRASES = ((re.compile(r"\b(?:hoe|how)\s+(lang|long)\b"), "duration"),
                   (re.compile(r"\bhoe\s+(laat)\b"), "time"),
                   (re.compile(r"\b(?:hoe|how)\s+(vaak|often)\b"), "frequency"),
                   (re.compile(r"\bhow\s+(many|much)\b"), "amount"))
_SPECIFIC_KINDS = frozenset({"amount", "duration", "time", "place", "person", "reason", "frequency"})
_MODALITY = {"mag": "permission", "mogen": "permission", "may": "permission", "allowed": "permission",
             "moet": "duty", "moeten": "duty", "must": "duty"}
# Separable verb prefixes: "uitbetaald" is "betaald", "meenemen" is "nemen" with "mee".
_VERB_PREFIXES = ("terug", "mee", "uit", "op", "af", "aan", "in", "door", "over", "toe", "weg", "na", "bij", "ge")
_MIN_INFLECTION_STEM = 4
_MAX_ENDING = 3


def _words(question: str) -> tuple[list[str], frozenset[str]]:
    """(content words, kinds asked for) of a question."""
    text = normalise_question(question).lower()
    kinds: set[str] = set()
    for pattern, kind in _ASKING_PHRASES:
        if pattern.search(text):
            kinds.add(kind)
            text = pattern.sub(lambda m: m.group(0)[:m.start(1) - m.start(0)], text)
    words = index_words(text)
    if not kinds:
        kinds = {_SPECIFIC_ASKING[w] for w in words if w in _SPECIFIC_ASKING}
    content = [w for w in words if w not in _CONTENT_STOP and (len(w) > 1 or w.isdigit())]
    return list(dict.fromkeys(content)), frozenset(kinds)


def content_words(question: str) -> list[str]:
    """The words of a question that carry its subject (no chat filler, question words or prepositions)."""
    return _words(question)[0]


def asks_for(question: str) -> frozenset[str]:
    """The kinds of thing the question asks for: amount, duration, time, place, person, reason,
    frequency, or plainly how or what."""
    return _words(question)[1]


def modality(question: str) -> frozenset[str]:
    """Whether the question asks for permission (mag) or a duty (moet)."""
    return frozenset(_MODALITY[w] for w in index_words(question.lower()) if w in _MODALITY)


def same_word(a: str, b: str) -> bool:
    """The same word, an inflection ("ziekmelden"/"ziekmelding"), a separable verb prefix
    ("uitbetaald"/"betaald"), or one typo away ("vakantiedagn"). Stricter than the retrieval's
    notion: a compound part ("dagen" in "vakantiedagen") is not the same word here, because the
    compound asks something narrower."""
    if a == b:
        return True
    if a.isdigit() or b.isdigit() or min(len(a), len(b)) < _MIN_INFLECTION_STEM:
        return False
    if _inflected(a, b):
        return True
    for prefix in _VERB_PREFIXES:
        for longer, shorter in ((a, b), (b, a)):
            if longer.startswith(prefix) and len(longer) - len(prefix) >= 5 and _inflected(longer[len(prefix):], shorter):
                return True
    return min(len(a), len(b)) >= 5 and one_typo_apart(a, b)


def _inflected(a: str, b: str) -> bool:
    shared = len(os.path.commonprefix([a, b]))
    longest = max(len(a), len(b))
    if shared == min(len(a), len(b)) and longest - shared <= _MAX_ENDING:
        return True
    return shared >= max(5, longest - _MAX_ENDING - 1) and longest - shared <= _MAX_ENDING + 1


def _covered(words: list[str], others: list[str]) -> tuple[list[str], set[str]]:
    """The words not covered by `others` (the same word, or a compound of two of them: "ziekmelden"
    by "meld" and "ziek", "debuglogging" by "debug" and "logging"), and the others that cover one."""
    uncovered, used = [], set()
    for word in words:
        hits = {o for o in others if same_word(word, o)}
        if not hits:  # a compound of two of the others
            hits = next(({x, y} for x in others for y in others
                         if x != y and len(x) >= 3 and len(y) >= 3 and _compound(x, y, word)), set())
        if not hits:  # a part of a compound the others have, the rest of which this side has too
            hits = next(({o} for o in others for w in words if w != word and len(w) >= 3 and len(word) >= 3
                         and not same_word(w, o) and (_compound(word, w, o) or _compound(w, word, o))), set())
        if hits:
            used |= hits
        else:
            uncovered.append(word)
    return uncovered, used


def _compound(first: str, second: str, whole: str) -> bool:
    """`whole` is `first` + `second` written as one word (with at most a short ending more or less)."""
    joined = first + second
    shared = len(os.path.commonprefix([joined, whole]))
    return shared == min(len(joined), len(whole)) and abs(len(joined) - len(whole)) <= _MAX_ENDING


def lexical_match(asked: str, curated: str, *, max_missing: int = MAX_MISSING_WORDS) -> bool:
    """Whether the words of `asked` agree with those of the curated question `curated`."""
    (asked_words, kinds), (curated_words, curated_kinds) = _words(asked), _words(curated)
    if not asked_words or not curated_words:
        return False
    extra, used = _covered(asked_words, curated_words)
    if extra:
        return False  # the question says something the curated question does not cover
    missing, _ = _covered([c for c in curated_words if c not in used], asked_words)
    if len(missing) > max_missing or len(missing) * 2 > len(curated_words):
        return False  # the curated answer is about something narrower
    if kinds and curated_kinds and kinds != curated_kinds:
        return False  # "hoeveel" against "wanneer"
    if (kinds & _SPECIFIC_KINDS) - curated_kinds:
        return False  # "hoeveel …?" is not answered by the answer to "mag ik …?"
    asked_modality, curated_modality = modality(asked), modality(curated)
    return not (asked_modality and curated_modality and asked_modality != curated_modality)


def default_min_similarity(embedder_name: str) -> float:
    name = embedder_name.lower()
    for fragment, threshold in CALIBRATED_MIN_SIMILARITY:
        if fragment in name:
            return threshold
    return FALLBACK_MIN_SIMILARITY
