"""Full-text query terms: chat filler and English function words go, the subject stays."""

from __future__ import annotations

from knowledge.query import Vocabulary, full_text_query, text_query


def test_chat_filler_is_dropped_and_subject_words_kept():
    terms = full_text_query("hoe zit het eigenlijk met de vakantiedagen, weet iemand dat even?").split()
    assert "vakantiedagen" in terms
    assert not {"hoe", "zit", "eigenlijk", "weet", "iemand", "even"} & set(terms)


def test_english_function_words_are_dropped():
    assert full_text_query("How do I request parental leave?") == "request parental leave"


def test_a_question_of_filler_only_keeps_its_words():
    assert full_text_query("hoe zit dat?") == "hoe zit dat"


# --- the index's vocabulary (what the refusal policy asks: does the index know this word?) ---

CHUNKS = ["Parkeren bij kantoor Utrecht: vraag een parkeervergunning aan bij de receptie.",
          "De thuiswerkvergoeding wordt elke maand uitbetaald.",
          "Een nieuwe developer krijgt een laptop; de teamlead keurt de aanvraag goed."]


def test_inflections_compounds_and_one_typo_count_as_the_same_word():
    vocabulary = Vocabulary(CHUNKS)
    assert "parkeervergunning" in vocabulary.forms("vergunning")  # end of a compound
    assert "thuiswerkvergoeding" in vocabulary.forms("thuiswerk")  # start of a compound
    assert vocabulary.forms("devloper") == {"developer"}  # one typo from a word of the index
    assert vocabulary.forms("developers") == {"developer"}  # inflection
    assert "uitbetaald" in vocabulary.forms("uitbetaalt")  # inflection
    assert vocabulary.forms("leaseauto") == frozenset()  # never seen, not even nearly
    assert vocabulary.forms("laptops") == {"laptop"}


def test_rare_words_weigh_more_than_common_ones():
    vocabulary = Vocabulary(CHUNKS)
    assert vocabulary.chunk_frequency("de") == 3 and vocabulary.chunk_frequency("laptop") == 1
    assert vocabulary.idf("laptop") > vocabulary.idf("de")
    assert vocabulary.idf("leaseauto") > vocabulary.idf("laptop")  # unseen weighs most


def test_the_store_vocabulary_follows_writes(tmp_path):
    import numpy as np

    from knowledge.models import Chunk
    from knowledge.index.schema import ModelInfo, chunk_rows
    from knowledge.index.store import ChunkStore

    model = ModelInfo("fake", 4)

    def rows(*texts: str):
        chunks = [Chunk(id=f"c:d{i}.md#0", doc_id=f"d{i}.md", collection="c", title=f"D{i}", headings=(),
                        text=t, ordinal=0, content_hash=str(i)) for i, t in enumerate(texts)]
        return chunk_rows(chunks, np.ones((len(chunks), 4), dtype=np.float32) / 2, model)

    store = ChunkStore(str(tmp_path / "index"))
    store.replace_documents("c", rows("Over de VPN."), ["d0.md"], model=model)
    assert store.vocabulary().forms("vpn") and not store.vocabulary().forms("fietsplan")
    store.replace_documents("c", rows("Over de VPN.", "Het fietsplan van de zaak."), ["d0.md", "d1.md"],
                            model=model)
    assert store.vocabulary().forms("fietsplan")


# --- compounds in the full-text query ---

def test_a_compound_brings_its_parts_when_the_index_knows_them():
    vocabulary = Vocabulary(["Je vakantie aanvragen: twintig dagen per jaar.", "Regels voor de veiligheid."])
    query = text_query("hoeveel vakantiedagen heb ik?", vocabulary)
    assert "vakantiedagen" in query.terms.split()
    assert query.parts.split() == ["vakantie", "dagen"]
    assert text_query("welke veiligheidsregels gelden er?", vocabulary).parts.split() == ["veiligheid", "regels"]
    assert 0 < query.parts_weight < 1  # the question's own word counts more than its parts


def test_no_parts_without_a_vocabulary_or_when_a_part_is_unknown():
    assert text_query("hoeveel vakantiedagen heb ik?", None).parts == ""
    assert text_query("hoeveel vakantiegeld krijg ik?", Vocabulary(["De vakantie duurt twintig dagen."])).parts == ""


def test_full_text_search_finds_the_parts_and_puts_the_compound_first(tmp_path):
    import numpy as np

    from knowledge.index.schema import ModelInfo, chunk_rows
    from knowledge.index.store import ChunkStore
    from knowledge.models import Chunk

    model = ModelInfo("fake", 4)
    texts = {"parts.md": "Voor je vakantie krijg je twintig dagen per jaar.",
             "whole.md": "Het aantal vakantiedagen staat in de cao.",
             "other.md": "De parkeerplaats ligt achter het kantoor."}
    chunks = [Chunk(id=f"c:{doc}#0", doc_id=doc, collection="c", title=doc, headings=(), text=text, ordinal=0,
                    content_hash=doc) for doc, text in texts.items()]
    store = ChunkStore(str(tmp_path / "index"))
    store.replace_documents("c", chunk_rows(chunks, np.ones((3, 4), dtype=np.float32) / 2, model), list(texts),
                            model=model)
    vector = np.ones(4, dtype=np.float32) / 2

    def found(query):
        return [hit.chunk.doc_id for hit in store.search(vector, query, mode="fts", k=3)]

    assert found("vakantiedagen") == ["whole.md"]  # the word alone does not find the parts
    assert found(text_query("vakantiedagen", store.vocabulary())) == ["whole.md", "parts.md"]


# --- a typo in the question ---

VOLUNTEERS = ["Wat verwachten we van nieuwe vrijwilligers? Twee uur per week.",
              "Word vrijwilliger bij de vereniging.", "De penningmeester beheert de financiën."]


def test_a_word_the_index_never_takes_is_also_searched_as_the_words_one_typo_away():
    vocabulary = Vocabulary(VOLUNTEERS)
    assert vocabulary.corrections("vrijwillger") == ("vrijwilliger",)
    assert text_query("wat wordt er verwacht als je vrijwillger wordt?", vocabulary).corrected == "vrijwilliger"
    assert 0 < text_query("vrijwillger", vocabulary).corrected_weight <= 1  # the question's own words decide


def test_a_word_the_index_takes_in_another_form_is_no_typo():
    vocabulary = Vocabulary(VOLUNTEERS)
    assert vocabulary.corrections("vrijwilliger") == ()  # held as written
    assert vocabulary.corrections("vrijwilligerz") == ("vrijwilliger", "vrijwilligers")
    assert vocabulary.corrections("verwachte") == ()  # "verwachten": the same stem for the index
    assert vocabulary.corrections("financien") == ()  # "financiën" without its diaeresis
    assert vocabulary.corrections("uren") == ()  # too short to tell a typo from another word
    assert vocabulary.corrections("2027") == ()
    assert text_query("hoeveel vrijwilligers zijn er?", vocabulary).corrected == ""


def test_full_text_search_finds_the_passage_despite_the_typo(tmp_path):
    import numpy as np

    from knowledge.index.schema import ModelInfo, chunk_rows
    from knowledge.index.store import ChunkStore
    from knowledge.models import Chunk

    model = ModelInfo("fake", 4)
    texts = {"vrijwilligers.md": VOLUNTEERS[0], "worden.md": VOLUNTEERS[1], "geld.md": VOLUNTEERS[2]}
    chunks = [Chunk(id=f"c:{doc}#0", doc_id=doc, collection="c", title="Vereniging", headings=(), text=text,
                    ordinal=0, content_hash=doc) for doc, text in texts.items()]
    store = ChunkStore(str(tmp_path / "index"))
    store.replace_documents("c", chunk_rows(chunks, np.ones((3, 4), dtype=np.float32) / 2, model), list(texts),
                            model=model)

    def found(query):
        return {hit.chunk.doc_id for hit in store.search(np.ones(4, dtype=np.float32) / 2, query, mode="fts", k=3)}

    assert found("vrijwillger") == set()
    assert found(text_query("vrijwillger", store.vocabulary())) == {"vrijwilligers.md", "worden.md"}
