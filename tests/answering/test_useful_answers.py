"""An answer says something of its passages, or it is no answer: a model that only echoes the
question, a heading or our instructions gives way to the best passages, quoted with their sources and
labelled as a quote, and the echo is never shown. Through the real AnswerEngine with the scripted
generator; the last test with the real SmolLM2 on the sample company's index."""

from __future__ import annotations

import re

import pytest

from bot.answering.engine import QUOTED, AnswerEngine
from bot.answering.guards import Grounding
from bot.answering.prompts import INSTRUCTIONS
from bot.answering.types import Answer
from knowledge.chunking import Chunker
from knowledge.index.store import ChunkStore
from knowledge.indexing import Indexer
from knowledge.models import Hit
from knowledge.retrieval import Retriever
from tests.answering.builders import FoundHits, make_hit
from tests.conftest import SAMPLE
from tests.generators import RecordingGenerator, ScriptedGenerator

QUESTION = "Hoeveel vakantiedagen heb ik per jaar?"
HEADINGS = ("Vakantie en vakantiedagen", "Hoeveel vakantiedagen heb je?")
LEEFTIJD = ("Naast de 25 dagen krijg je extra bovenwettelijke vakantiedagen als je ouder bent: vanaf het "
            "kalenderjaar waarin je 50 jaar wordt 1 extra dag. Ze worden daarom automatisch bijgeschreven.")
VOLTIJD = "Bij een volledige werkweek van 40 uur heb je recht op 25 vakantiedagen per kalenderjaar."
PASSAGES = [LEEFTIJD, VOLTIJD]


class VakantieRetriever(FoundHits):
    """What the sample company's index finds for the demo question: the age bonus first, under the
    heading that is itself the question, then the passage that answers it."""

    def search(self, question: str, *, k: int = 5, mode: str = "hybrid",
               collections: list[str] | None = None) -> list[Hit]:
        return [make_hit(LEEFTIJD, doc_id="hr/vakantie.md", title=HEADINGS[0],
                         headings=(*HEADINGS, "Extra dagen op basis van leeftijd")),
                make_hit(VOLTIJD, doc_id="hr/vakantie.md", title=HEADINGS[0], headings=HEADINGS, rank=2,
                         relevance=0.79, ordinal=1)]


def engine_with(reply: str) -> AnswerEngine:
    scripted = ScriptedGenerator(reply, piece_delay_s=0.001)
    return AnswerEngine(VakantieRetriever(), scripted, min_relevance=0.0, cache_size=0)


def shown_and_answer(reply: str) -> tuple[str, Answer]:
    """What a reader of the stream saw when the model wrote `reply`, and the finished answer."""
    stream = engine_with(reply).ask(QUESTION)
    shown = "".join(stream)
    return shown, stream.result()


def quoted_lines(text: str) -> list[str]:
    """The quoted lines of an answer, without their citation marker or the mark of a cut."""
    return [re.sub(r"( \[\d+\])+$", "", line[2:]).removesuffix(" …") for line in text.splitlines()
            if line.startswith("> ")]


ECHOES = {
    "the demo's answer": 'Je bent vraag van de vraag "Hoeveel vakantiedagen heb je?"',
    "the demo's answer, going on": ('Je bent vraag van de vraag "Hoeveel vakantiedagen heb je?"\n\nDeze vraag is '
                                    "een klokken opheven, dat ik in de documenten kan daarom behandelingen."),
    "the question, cited": "Hoeveel vakantiedagen heb je per jaar? [1]",
    "the heading path": "Vakantie en vakantiedagen > Hoeveel vakantiedagen heb je?",
    "who we said it is": "Ik ben Vraagbaak, de assistent. Ik beantwoord vragen van medewerkers [1].",
    "the rules, in short": "Ik antwoord met informatie uit de passages [1] [2].",
}


@pytest.mark.parametrize("reply", ECHOES.values(), ids=ECHOES.keys())
def test_an_answer_that_says_nothing_of_the_passages_gives_them_quoted_with_their_sources(reply):
    shown, answer = shown_and_answer(reply)
    assert answer.quoted and not answer.abstained and answer.text.startswith(QUOTED["nl"])
    lines = quoted_lines(answer.text)
    assert lines and all(any(line in passage for passage in PASSAGES) for line in lines), \
        "word for word from the passages"
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", answer.text)}
    assert cited == set(range(1, len(answer.sources) + 1)) and answer.sources[0].path == "hr/vakantie.md"
    assert shown.strip() == answer.text, "the echo never reached the reader"


ANSWERS = {
    "the fact": "Je hebt recht op 25 vakantiedagen per jaar [2].",
    "a number only": "Dat zijn er 25 [2].",
    "without citing": "Bij een volledige werkweek zijn het er 25.",
    "the age bonus": "Vanaf het jaar waarin je vijftig wordt krijg je een bovenwettelijke dag extra [1].",
}


@pytest.mark.parametrize("reply", ANSWERS.values(), ids=ANSWERS.keys())
def test_an_answer_that_says_what_a_passage_says_is_shown_as_written(reply):
    shown, answer = shown_and_answer(reply)
    assert not answer.quoted and not answer.abstained and answer.stopped == ""
    assert shown.strip() == answer.text


def test_nothing_is_shown_before_the_answer_has_said_something():
    engine = engine_with("Je vraagt hoeveel vakantiedagen je per jaar hebt: dat zijn er 25 [2].")
    stream = engine.ask(QUESTION)
    pieces = list(stream)
    assert pieces[0].startswith("Je vraagt hoeveel vakantiedagen je per jaar hebt: dat zijn er 25"), \
        "held until the first word of a passage, then shown at once"
    assert not stream.result().quoted


def test_the_question_and_our_prompt_say_nothing_in_any_form():
    grounding = Grounding.for_question(QUESTION, "nl", PASSAGES)
    assert not grounding.holds("Vakantiedag per jaar? Hoeveel dagen?")  # the question's words, inflected
    assert not grounding.holds(INSTRUCTIONS["nl"]) and not grounding.holds(INSTRUCTIONS["en"])
    assert not grounding.holds("Medewerker: Vraagbaak: [1] [2]")  # role names; markers are no numbers
    assert grounding.holds("Het is vijfentwintig, bij een werkweek van 40 uur.")
    assert grounding.holds("Je krijgt een extra dag als je ouder wordt.")  # "ouder": a passage's word


def test_an_answer_in_another_language_than_the_passages_needs_only_say_more_than_the_question():
    grounding = Grounding.for_question("How many vacation days do I get per year?", "en", PASSAGES,
                                       same_language=False)
    assert grounding.holds("Full-time employees get twenty-five days [2].")
    assert not grounding.holds("How many vacation days do you get per year? [1]")
    assert not grounding.holds(INSTRUCTIONS["en"])


@pytest.fixture(scope="module")
def e5_sample_index(tmp_path_factory, e5_small_embedder):
    """The sample company indexed with the offline default embedder, as `make demo` indexes it."""
    root = tmp_path_factory.mktemp("e5-sample")
    store = ChunkStore(str(root / "index"))
    Indexer(store, e5_small_embedder, Chunker(e5_small_embedder.count_tokens), lock_dir=root / "state").reindex(
        SAMPLE, collection="bedrijf")
    return store


@pytest.mark.slow
def test_the_demo_question_gets_the_fact_or_the_quoted_passage_holding_it(e5_sample_index, e5_small_embedder,
                                                                          generator):
    """`make demo` with the real SmolLM2 (greedy) on the sample company: whatever the model writes, the
    reader gets the passage's fact ("25"), in its own words or quoted; never the question back."""
    engine = AnswerEngine(Retriever(e5_small_embedder, e5_sample_index), RecordingGenerator(generator),
                          embedder=e5_small_embedder, max_tokens=120, temperature=0.0, cache_size=0)
    stream = engine.ask(QUESTION)
    shown = "".join(stream)
    answer = stream.result()

    assert not answer.abstained and answer.sources
    assert "25" in answer.text
    if answer.quoted:
        assert answer.text.startswith(QUOTED["nl"]) and any("25" in line for line in quoted_lines(answer.text))
    said = re.sub(r"[^\w ]", "", answer.text.lower())
    assert not said.startswith(re.sub(r"[^\w ]", "", QUESTION.lower())), "the question is no answer"
    assert shown.strip() == answer.text or answer.text in shown
