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
from knowledge.chunking import Chunker
from knowledge.indexing import Indexer
from knowledge.index.store import ChunkStore
from knowledge.retrieval import Retriever
from tests.generators import ScriptedGenerator

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

OTHER_TOPICS = ["vakantiedagen aanvragen bij je leidinggevende", "de printer op de tweede verdieping",
                "declaraties van reiskosten met de trein", "thuiswerken en de vergoeding voor internet",
                "het wachtwoord van je laptop wijzigen", "een vergaderruimte reserveren in Outlook",
                "de bedrijfsarts en het preventief spreekuur", "parkeren bij het kantoor in Utrecht",
                "geld voor de kerstborrel"]


@pytest.fixture(scope="module")
def engine(tmp_path_factory, e5_small_embedder) -> AnswerEngine:
    root = tmp_path_factory.mktemp("refusal-in-other-words")
    store = ChunkStore(str(root / "index"))
    indexer = Indexer(store, e5_small_embedder, Chunker(e5_small_embedder.count_tokens), lock_dir=root / "state")
    others = [("overig", f"onderwerp-{n}.md", f"# Over {topic}\n\nHier lees je alles over {topic}.\n")
              for n, topic in enumerate(OTHER_TOPICS)]
    for collection, name, text in (("plaatsen", "toelating.md", PLACES),
                                   ("plekken", "toelating.md", PLACES_UNCOUNTED),
                                   ("gift", "besluiten.md", GIFT), ("gift-zonder", "besluiten.md", GIFT_UNSTATED),
                                   *others):
        folder = root / collection
        folder.mkdir(exist_ok=True)
        (folder / name).write_text(text, encoding="utf-8")
    for folder in root.iterdir():
        if folder.name not in ("index", "state"):
            indexer.reindex(folder, collection=folder.name)
    return AnswerEngine(Retriever(e5_small_embedder, store), ScriptedGenerator(), embedder=e5_small_embedder,
                        top_k=6)


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
