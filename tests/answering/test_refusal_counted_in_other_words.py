"""On a real index (LanceDB in tmp_path, the packaged multilingual E5): a question that asks for a
value in the words colleagues use is not declined where the passage states it in its own.

- "hoeveel plekken" of a passage that gives "60 plaatsen" (it never says "plekken"): answered; of a
  passage that says "plekken" but gives no number of them: declined;
- "hoeveel geld hebben we gegeven" asks for an amount in euros: answered where the decision states
  one, declined where it states none;
- "om hoeveel ging het" does not count "ging".
"""

from __future__ import annotations

import pytest

from bot.answering.engine import AnswerEngine
from tests.answering.builders import OTHER_TOPICS, engine_over_collections

pytestmark = pytest.mark.slow

PLACES = """# Toelating tot de opleiding grimeur

De opleiding grimeur kent een numerus fixus van 60 plaatsen. Studenten worden geplaatst op volgorde
van aanmelden, als zij aan de toelatingseisen voldoen.
"""
PLACES_UNCOUNTED = """# Toelating tot de opleiding grimeur

Bij de opleiding grimeur is het aantal plekken beperkt. Studenten worden geplaatst op volgorde van
aanmelden, als zij aan de toelatingseisen voldoen.
"""
PLACES_QUESTION = "hoeveel plekken zijn er bij de opleiding grimeur, en wie gaat voor?"

GIFT = """# Besluitenlijst van het college

Het college heeft de Stichting Monumentenbezit een bijdrage van € 75.000 gegeven voor het kasteel,
zodat de verzekering van het kasteel niet wordt opgezegd.
"""
GIFT_UNSTATED = GIFT.replace("een bijdrage van € 75.000 gegeven", "een bijdrage gegeven")
GIFT_QUESTION = "hoeveel geld hebben we aan het kasteel gegeven?"
GIFT_FOLLOW_UP = "hoe zit het met de bijdrage aan het kasteel? en om hoeveel ging het?"

@pytest.fixture(scope="module")
def engine(tmp_path_factory, e5_small_embedder) -> AnswerEngine:
    documents = (("plaatsen", "toelating.md", PLACES), ("plekken", "toelating.md", PLACES_UNCOUNTED),
                 ("gift", "besluiten.md", GIFT), ("gift-zonder", "besluiten.md", GIFT_UNSTATED))
    # "geld" in one other page: the question's word is known, as in any real index.
    return engine_over_collections(tmp_path_factory.mktemp("refusal-in-other-words"), e5_small_embedder, documents,
                                   (*OTHER_TOPICS[:8], "geld voor de kerstborrel"))


# (question, the collection that states the value, the one that does not)
CASES = {
    "a count in other words": (PLACES_QUESTION, "plaatsen", "plekken"),
    "money": (GIFT_QUESTION, "gift", "gift-zonder"),
}


@pytest.mark.parametrize("case", CASES)
def test_the_value_stated_in_the_passages_own_words_is_answered(engine, case):
    question, stated, unstated = CASES[case]
    found = engine.prepare(question, collections=[stated, "overig"]).verdict
    assert not found.value_missing and found.answerable
    missing = engine.prepare(question, collections=[unstated, "overig"]).verdict
    assert missing.value_missing and not missing.answerable


def test_a_verb_after_hoeveel_is_not_what_the_passages_must_count(engine):
    # Read as a unit, "ging" would stand beside no number in any passage and decline the question.
    verdict = engine.prepare(GIFT_FOLLOW_UP, collections=["gift", "overig"]).verdict
    assert not verdict.value_missing
