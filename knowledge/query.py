"""A chat message -> the terms the full-text index should match.

Employees write the way they talk: "hoe zit het eigenlijk met ...", "weet iemand even ...". The
index's Dutch analyser drops the Snowball stop words (de, het, hoe, ...), but not chat filler,
question words or verbs of asking, and not English function words; in a BM25 sum every such word
that happens to occur in a passage pulls it up. These lists are Dutch and English usage, not
words taken from any evaluation set.
"""

from __future__ import annotations

import math
import os.path
import re
import unicodedata

DUTCH_FILLER = frozenset("""
eigenlijk nou even ff effe gewoon precies echt toch wel nog eens ergens iemand iets misschien
ongeveer zeg zeggen gezegd hoi hallo hey hee hé hoihoi dag goedemorgen goedemiddag bedankt dank
alvast vraag vraagje vragen vroeg weet weten wist iemand jullie jij je jou we wij ons onze mijn
ik me mij mn m'n zn z'n hun die dat deze dit het een de en of wat welke welk wie waar waarom
wanneer hoe hoeveel hoelang hoezo waarvoor waarmee waarover zit zitten staat staan gaat gaan
doe doen doet deed kan kun kunt kunnen mag mogen moet moeten moest wil wilt willen zou zouden
zal zullen heb hebt heeft hebben had ben bent is zijn was waren wordt worden word werd er
daar hier dan ook al maar zo heel erg best beetje graag snel eventjes ofzo enzo zoiets
iedereen elke elk alle allemaal precies nou ja nee oke oké ok okay kort zeg snap snappen
bedoel bedoelen bedoelt bedoeld klopt kloppen iemand weet
""".split())

ENGLISH_FUNCTION_WORDS = frozenset("""
the a an and of i you your my we our they them he she his her it its not no what how who where
when which why many much may might must can could would should will want is are am was were be
been do does did have has had get gets got there this that these those also for with at to from
about into as than or please hi hello hey thanks anyone someone actually just really exactly
tell know any some me us
""".split())

QUERY_STOP_WORDS = DUTCH_FILLER | ENGLISH_FUNCTION_WORDS
_WORD = re.compile(r"\w+")


def normalise_question(question: str) -> str:
    """Unicode-normalised, single-spaced question text."""
    text = unicodedata.normalize("NFKC", question)
    return re.sub(r"\s+", " ", text).strip()


def full_text_query(question: str, stop_words: frozenset[str] = QUERY_STOP_WORDS) -> str:
    """The question's words without chat filler; all of them when nothing else is left."""
    words = _WORD.findall(question.lower())
    kept = [w for w in words if w not in stop_words]
    return " ".join(kept or words)


def index_words(text: str) -> list[str]:
    """The words of a text as the vocabulary counts them: lower case, letters and digits."""
    return _WORD.findall(unicodedata.normalize("NFKC", text).lower())


_MIN_STEM = 4  # shorter words match only themselves
_MAX_ENDING = 3  # letters an inflection may add or change at the end
_MIN_COMPOUND_PART = 5  # a question word this long also counts inside a compound ("vergunning")
_MIN_TYPO_LETTERS = 5  # shorter words are too often one letter away from another real word


class Vocabulary:
    """The words of an index and in how many chunks each occurs. A question word counts as a word
    of the index when they differ only by Dutch inflection (the same beginning, at most a few
    letters more or less: "goedkeurt"/"goedkeuren"), when it is the beginning or end of a compound
    ("vergoeding" in "thuiswerkvergoeding"), or, if neither, when it is one typo (one letter
    inserted, dropped, changed or two swapped) away from a word of the index ("devloper")."""

    def __init__(self, texts: list[str]) -> None:
        self.chunks = len(texts)
        postings: dict[str, set[int]] = {}
        for n, text in enumerate(texts):
            for word in set(index_words(text)):
                postings.setdefault(word, set()).add(n)
        self._postings = postings
        self._words = sorted(postings)
        self._forms: dict[str, frozenset[str]] = {}

    def forms(self, word: str) -> frozenset[str]:
        """The index's words that count as `word` (empty: the index has never seen it)."""
        word = word.lower()
        if word not in self._forms:
            self._forms[word] = frozenset(self._find_forms(word))
        return self._forms[word]

    def chunk_frequency(self, word: str) -> int:
        """In how many chunks the word occurs, in any of its forms."""
        return len(set().union(*(self._postings[f] for f in self.forms(word))))

    def idf(self, word: str) -> float:
        """How specific the word is for this index: rare words weigh more, unseen ones most."""
        return math.log((self.chunks + 1) / (self.chunk_frequency(word) + 0.5))

    def _find_forms(self, word: str) -> set[str]:
        if len(word) < _MIN_STEM:
            return {word} & self._postings.keys()
        forms = {w for w in self._words if same_word(word, w)}
        if not forms and len(word) >= _MIN_TYPO_LETTERS:
            for typo in (w for w in self._words if one_typo_apart(word, w)):
                forms |= {w for w in self._words if same_word(typo, w)}
        return forms


def same_word(word: str, other: str) -> bool:
    """Inflection (one is the other plus a short ending, or they share all but their last few
    letters: "parkeren"/"parkeer") or a compound part ("vergunning" in "parkeervergunning")."""
    if word == other:
        return True
    if len(word) < _MIN_STEM or len(other) < _MIN_STEM:
        return False
    shared = len(os.path.commonprefix([word, other]))
    if shared == min(len(word), len(other)) and abs(len(word) - len(other)) <= _MAX_ENDING:
        return True
    if shared >= max(_MIN_COMPOUND_PART, len(word) - _MAX_ENDING) and len(other) - shared <= _MAX_ENDING + 1:
        return True
    return len(word) >= _MIN_COMPOUND_PART and (other.startswith(word) or other.endswith(word))


def one_typo_apart(a: str, b: str) -> bool:
    """One letter inserted, dropped or changed, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]
