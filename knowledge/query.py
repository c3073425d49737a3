"""A chat message -> the terms the full-text index should match.

Employees write the way they talk: "hoe zit het eigenlijk met ...", "weet iemand even ...". The
index's Dutch analyser drops the Snowball stop words (de, het, hoe, ...), but not chat filler,
question words or verbs of asking, and not English function words; in a BM25 sum every such word
that happens to occur in a passage pulls it up. These lists are Dutch and English usage, not
words taken from any evaluation set.
"""

from __future__ import annotations

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
