"""Full-text query terms: chat filler and English function words go, the subject stays."""

from __future__ import annotations

from knowledge.query import Vocabulary, full_text_query


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
