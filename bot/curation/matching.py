"""Does a question get a curated answer? Matching is built for precision: serving a fixed answer to a
question it does not answer is worse than letting the model answer it. A question gets a curated
answer only when

1. **the words agree** (:func:`lexical_match`): every content word of the question occurs in the
   curated question (the same word, an inflection, or one typo away: `Matching.PRECISE` in
   language/matching.py), at most one content word of the curated question is missing from the
   question, and when both ask a specific kind of thing
   (how many, when, where, who, why) it is the same kind. "Hoeveel vakantiedagen krijg ik?" agrees
   with "Hoeveel vakantiedagen heb ik per jaar?"; "Hoeveel ziektedagen …", "… voor parttimers" and
   "… kan ik meenemen naar volgend jaar?" do not (a word the curated question never covered); a
   question for an amount, a time, a place, a person or a reason is not answered by a curated
   answer to a yes/no question ("Hoeveel … meenemen?" against "Mag ik … meenemen?");
2. **the meaning agrees**: the cosine similarity of the two questions' embeddings is at least the
   threshold calibrated for the embedding model (language/calibration.py, `curated_min_similarity`:
   bench/curated.py on the sample company and the developer-overheid question sets).

Known limit: both checks read words, not their order: "van Utrecht naar Groningen" agrees with
"van Groningen naar Utrecht". Keep curated questions about one thing each.
"""

from __future__ import annotations

from language.compounds import joins_into
from language.matching import Matching, same_word
from language.questions import SPECIFIC_KINDS, asks_for, content_words, modality

MAX_MISSING_WORDS = 1  # content words of the curated question the asked one may leave out


def _same(a: str, b: str) -> bool:
    return same_word(a, b, mode=Matching.PRECISE)


def _covered(words: list[str], others: list[str]) -> tuple[list[str], set[str]]:
    """The words not covered by `others` (the same word, or a compound of two of them: "ziekmelden"
    by "meld" and "ziek", "debuglogging" by "debug" and "logging"), and the others that cover one."""
    uncovered, used = [], set()
    for word in words:
        hits = {o for o in others if _same(word, o)}
        if not hits:  # a compound of two of the others
            hits = next(({x, y} for x in others for y in others
                         if x != y and len(x) >= 3 and len(y) >= 3 and joins_into(x, y, word)), set())
        if not hits:  # a part of a compound the others have, the rest of which this side has too
            hits = next(({o} for o in others for w in words if w != word and len(w) >= 3 and len(word) >= 3
                         and not _same(w, o) and (joins_into(word, w, o) or joins_into(w, word, o))), set())
        if hits:
            used |= hits
        else:
            uncovered.append(word)
    return uncovered, used


def lexical_match(asked: str, curated: str, *, max_missing: int = MAX_MISSING_WORDS) -> bool:
    """Whether the words of `asked` agree with those of the curated question `curated`."""
    asked_words, curated_words = content_words(asked), content_words(curated)
    if not asked_words or not curated_words:
        return False
    extra, used = _covered(asked_words, curated_words)
    if extra:
        return False  # the question says something the curated question does not cover
    missing, _ = _covered([c for c in curated_words if c not in used], asked_words)
    if len(missing) > max_missing or len(missing) * 2 > len(curated_words):
        return False  # the curated answer is about something narrower
    kinds, curated_kinds = asks_for(asked), asks_for(curated)
    if kinds and curated_kinds and kinds != curated_kinds:
        return False  # "hoeveel" against "wanneer"
    if (kinds & SPECIFIC_KINDS) - curated_kinds:
        return False  # "hoeveel …?" is not answered by the answer to "mag ik …?"
    asked_modality, curated_modality = modality(asked), modality(curated)
    return not (asked_modality and curated_modality and asked_modality != curated_modality)
