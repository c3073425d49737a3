"""Citations renumbered to the sources list, follow-up questions, the answer cache's key and LRU."""

from __future__ import annotations

import pytest

from bot.answering.engine import retrieval_query
from bot.answering.types import Answer, Turn
from bot.answering.cache import AnswerCache, cache_key
from bot.answering.citations import CitationRenumbering, resolve_citations


def test_citations_are_renumbered_in_order_of_first_use_and_invalid_ones_dropped():
    text, cited = resolve_citations("Twee dagen [3]. Ook [1, 3] en [7]. Zie [bron 1].", ["a", "b", "c"])
    assert cited == ["c", "a"]
    assert text == "Twee dagen [1]. Ook [2][1] en. Zie [2]."


def test_passages_from_the_same_source_share_one_number():
    text, cited = resolve_citations("X [1]. Y [2]. Z [3].", ["same", "same", "other"])
    assert cited == ["same", "other"]
    assert text == "X [1]. Y [1]. Z [2]."


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_renumbering_a_stream_in_pieces_gives_the_same_text(size):
    raw = "Twee dagen [3]. Ook [bron 1, 3] en [7] [x]. Zie\n[1]. Einde [2"
    whole, cited = resolve_citations(raw, ["a", "b", "c"])
    renumbering = CitationRenumbering(["a", "b", "c"])
    streamed = "".join(renumbering.feed(raw[i:i + size]) for i in range(0, len(raw), size)) + renumbering.finish()
    assert streamed.strip() == whole and renumbering.cited == cited == ["c", "a"]


def test_an_answer_without_markers_cites_nothing():
    assert resolve_citations("Geen bronnen hier.", ["a"]) == ("Geen bronnen hier.", [])


def test_a_short_follow_up_is_folded_with_the_previous_question():
    history = [Turn("user", "Hoeveel vakantiedagen krijg ik?"), Turn("assistant", "25 dagen [1].")]
    assert retrieval_query("en voor parttimers?", history) == "Hoeveel vakantiedagen krijg ik? en voor parttimers?"
    long_new = "Hoe stel ik de VPN-verbinding in op mijn nieuwe laptop thuis?"
    assert retrieval_query(long_new, history) == long_new
    assert retrieval_query("en voor parttimers?", []) == "en voor parttimers?"


def test_cache_key_includes_collections_history_and_index_version():
    base = cache_key("Vraag?", history=(), collections=None, index_version=1)
    assert cache_key("vraag", history=(), collections=None, index_version=1) == base
    assert cache_key("vraag", history=(), collections=["hr"], index_version=1) != base
    assert cache_key("vraag", history=[Turn("user", "eerder")], collections=None, index_version=1) != base
    assert cache_key("vraag", history=(), collections=None, index_version=2) != base
    anna = cache_key("vraag", history=(), collections=None, readers=["everyone", "user:anna@x.nl"], index_version=1)
    assert anna != cache_key("vraag", history=(), collections=None, readers=["everyone"], index_version=1)
    assert anna == cache_key("vraag", history=(), collections=None, readers=["user:anna@x.nl", "everyone"],
                             index_version=1)
    assert cache_key("v", history=(), collections=["b", "a"], index_version=1) == \
        cache_key("v", history=(), collections=["a", "b"], index_version=1)


def answer(text: str) -> Answer:
    return Answer(question=text, text=text, sources=[])


def test_cache_is_an_lru_and_a_new_index_version_empties_it():
    cache = AnswerCache(2)
    keys = [cache_key(q, history=(), collections=None, index_version=1) for q in ("a", "b", "c")]
    cache.put(keys[0], answer("a"))
    cache.put(keys[1], answer("b"))
    assert cache.get(keys[0]).text == "a"  # a is now the most recent
    cache.put(keys[2], answer("c"))
    assert cache.get(keys[1]) is None and cache.get(keys[0]) is not None and len(cache) == 2

    newer = cache_key("d", history=(), collections=None, index_version=2)
    cache.put(newer, answer("d"))
    assert len(cache) == 1 and cache.get(keys[0]) is None


def test_a_cache_of_size_zero_keeps_nothing():
    cache = AnswerCache(0)
    key = cache_key("a", history=(), collections=None, index_version=1)
    cache.put(key, answer("a"))
    assert cache.get(key) is None
