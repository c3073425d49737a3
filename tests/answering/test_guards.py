"""The answer guard: a looping answer is cut after its first round, an answer that copies our prompt
falls back to the quoted passage, and the model is stopped; ordinary answers pass untouched. Through
the real AnswerEngine with the scripted generator; the last test with the real SmolLM2."""

from __future__ import annotations

import dataclasses

import pytest

from bot.answering.engine import QUOTED, AnswerEngine
from bot.answering.stream import AnswerStream
from bot.answering.types import Answer, Source, Turn
from bot.answering.generation import GenerationRequest
from bot.answering.guards import LOOP_WORDS, AnswerGuard
from bot.answering.prompts import INSTRUCTIONS, NOT_FOUND
from knowledge.models import Hit
from tests.answering.builders import FoundHits, make_hit
from tests.generators import ScriptedGenerator

QUESTION = "Hoeveel vakantiedagen krijg ik per jaar?"
VAKANTIE = "Bij een volledige werkweek van 40 uur heb je recht op 25 vakantiedagen per jaar."
PARTTIME = "Werk je parttime, dan krijg je je vakantie-uren naar rato van je uren per week."
PARAGRAPH = ("Bij een volledige werkweek heb je recht op 25 vakantiedagen per jaar, en werk je parttime "
             "dan krijg je die naar rato van je uren [2]. ")


class FixedRetriever(FoundHits):
    """The same two passages for every question; the first also holds the question's words, so the
    refusal policy answers (these tests are about what the model writes, not about abstaining)."""

    def search(self, question: str, *, k: int = 5, mode: str = "hybrid",
               collections: list[str] | None = None) -> list[Hit]:
        return [make_hit(f"{VAKANTIE} {question}", doc_id="hr/vakantie.md", title="Vakantie"),
                make_hit(PARTTIME, doc_id="hr/parttime.md", title="Parttime", rank=2, relevance=0.7)]


def engine_with(*replies: str, **options) -> tuple[AnswerEngine, ScriptedGenerator]:
    scripted = ScriptedGenerator(*replies, piece_delay_s=options.pop("piece_delay_s", 0.0))
    # Whole passages: these tests cite passage [2], which sentence selection (test_selection.py)
    # would leave out for a question it does not answer.
    options.setdefault("sentence_selection", False)
    return AnswerEngine(FixedRetriever(), scripted, min_relevance=0.0, cache_size=0, **options), scripted


def streamed_and_answer(engine: AnswerEngine, question: str = QUESTION):
    stream = engine.ask(question)
    shown, seen = "", []
    for delta in stream:
        shown += delta
        seen.append(shown)
    return shown, seen, stream.result()


def test_a_looping_answer_is_cut_after_its_first_round_and_the_model_is_stopped():
    engine, scripted = engine_with("Het zit zo. " + PARAGRAPH * 6, piece_delay_s=0.001)
    shown, seen, answer = streamed_and_answer(engine)

    assert answer.text == "Het zit zo. " + PARAGRAPH.strip().replace("[2]", "[1]")
    assert answer.stopped == "loop" and not answer.quoted and not answer.abstained
    assert [s.path for s in answer.sources] == ["hr/parttime.md"], "the first round's citation is kept"
    assert scripted.generations[-1].cancelled, "the model was told to stop"
    assert shown.strip() == answer.text, "the reader never saw the second round"
    assert all(answer.text.startswith(part.strip()) for part in seen), "nothing shown is taken back"


def test_a_loop_is_stopped_also_when_nobody_reads_the_stream():
    engine, scripted = engine_with(PARAGRAPH * 5)
    answer = engine.ask(QUESTION).result()
    assert answer.stopped == "loop" and answer.text.count("25 vakantiedagen") == 1
    assert scripted.generations[-1].cancelled


def test_an_answer_that_copies_the_instructions_falls_back_to_the_quoted_passage():
    engine, scripted = engine_with(INSTRUCTIONS["nl"], piece_delay_s=0.001)
    shown, _, answer = streamed_and_answer(engine)

    assert answer.quoted and answer.stopped == "echo" and answer.text.startswith(QUOTED["nl"])
    assert VAKANTIE in answer.text and [s.path for s in answer.sources] == ["hr/vakantie.md"]
    assert scripted.generations[-1].cancelled
    assert "Vraagbaak" not in shown and "Regels" not in shown, "the echo never reached the reader"
    assert shown.strip() == answer.text


def test_a_finished_answer_before_an_echo_is_kept_without_the_echo():
    engine, scripted = engine_with("Je hebt 25 vakantiedagen per jaar [1]. " + INSTRUCTIONS["nl"])
    shown, _, answer = streamed_and_answer(engine)
    assert answer.text == "Je hebt 25 vakantiedagen per jaar [1]." and answer.stopped == "echo"
    assert not answer.quoted and [s.path for s in answer.sources] == ["hr/vakantie.md"]
    assert shown.strip() == answer.text and scripted.generations[-1].cancelled


def test_copying_the_question_framing_is_an_echo_too():
    engine, _ = engine_with(f"Vraag: {QUESTION}\n\nAntwoord: 25 dagen.")
    shown, _, answer = streamed_and_answer(engine)
    assert answer.quoted and answer.stopped == "echo" and "Vraag:" not in shown


def test_an_answer_that_repeats_a_short_phrase_is_left_alone():
    reply = ("Bij een volledige werkweek van 40 uur heb je 25 vakantiedagen [1]. Werk je 32 uur, dan heb je "
             "bij een volledige werkweek van 40 uur gerekend 20 dagen [2]. Bij een volledige werkweek van "
             "36 uur zijn het er 22,5 [2].")
    engine, scripted = engine_with(reply)
    shown, _, answer = streamed_and_answer(engine)
    assert answer.text == reply and answer.stopped == "" and not scripted.generations[-1].cancelled
    assert shown == reply


def test_the_not_found_reply_is_not_mistaken_for_an_echo():
    engine, _ = engine_with(NOT_FOUND["nl"])
    answer = engine.ask(QUESTION).result()
    assert answer.abstained and answer.stopped == ""


def test_a_guard_off_engine_lets_the_loop_run():
    engine, scripted = engine_with(PARAGRAPH * 3, guard=False)
    answer = engine.ask(QUESTION).result()
    assert answer.text.count("25 vakantiedagen") == 3 and not scripted.generations[-1].cancelled


@pytest.mark.parametrize("repeated, stops", [(LOOP_WORDS - 1, False), (LOOP_WORDS, True)])
def test_a_repeat_of_twelve_words_is_a_loop_and_of_eleven_is_not(repeated, stops):
    words = [f"woord{i}" for i in range(repeated)]
    text = " ".join(words) + " [1]. En dan " + " ".join(words) + " [2] tot slot."
    guard = AnswerGuard()
    shown = guard.feed(text) + guard.finish()
    assert (guard.stopped is not None) is stops
    assert shown == (text[:text.index(" En dan") + len(" En dan")] if stops else text)


def test_the_guard_holds_back_only_what_still_matches():
    guard = AnswerGuard.for_question(QUESTION, "nl")
    assert guard.feed("Je ") == ""  # "Je bent Vraagbaak" begins like this
    assert guard.feed("hebt ") == "Je hebt "  # … and no longer does


ROUND = "Bij een volledige werkweek van veertig uur heb je recht op vijfentwintig vakantiedagen per jaar [1]."
ROUNDS = 4


@pytest.mark.slow
def test_the_real_model_is_stopped_early_when_it_loops(generator):
    """The real SmolLM2 is made to loop by a grammar (four times the same sentence), so the loop does
    not depend on which llama.cpp kernels (avx2, avx512) this CPU runs: greedy text may differ between
    them, what the grammar allows does not."""
    question = "Hoeveel vakantiedagen krijg ik per jaar?"
    looping = {"type": "array", "items": {"type": "string", "const": ROUND}, "minItems": ROUNDS, "maxItems": ROUNDS}
    request = GenerationRequest([{"role": "user", "content": question}], max_tokens=600, temperature=0.0,
                                repeat_penalty=1.0, json_schema=looping)
    loose = generator.submit(request)
    written = loose.text()
    assert written.count("vijfentwintig vakantiedagen") == ROUNDS, "without the guard the model loops to the end"
    whole = AnswerGuard.for_question(question, "nl")
    whole.feed(written)
    assert whole.stopped is not None and whole.stopped.reason == "loop"

    generation = generator.submit(request)
    vakantie = Source(title="Vakantie", path="hr/vakantie.md")
    stream = AnswerStream(generation=generation, guard=AnswerGuard.for_question(question, "nl"),
                          passage_sources=[vakantie],
                          finish=lambda raw, done, stopped: Answer(question, raw, [vakantie],
                                                                   stopped=stopped.reason if stopped else ""))
    shown = "".join(stream)
    answer = stream.result()
    assert answer.stopped == "loop" and generation.cancelled
    assert answer.text.count("vijfentwintig vakantiedagen") == 1 and answer.text.count("[1]") == 1, \
        "the first round is kept, with its citation"
    assert written.startswith(answer.text) and shown.strip() == answer.text.strip()
    # stopped in the loop's second round, long before the grammar's last
    assert generation.stats.completion_tokens < 2.5 * loose.stats.completion_tokens / ROUNDS


# --- prompts and transcripts, also in follow-ups; the question as the answer ------------------------

EARLIER = [Turn("user", "Hoeveel vakantiedagen krijg ik?"), Turn("assistant", "Je krijgt 25 vakantiedagen [1].")]
FOLLOW_UP = "En hoe zit dat voor parttimers?"
LEAKS = {
    "the system prompt, paraphrased": "Je bent vraagbaak, een hulpje dat vragen beantwoordt. Je hebt 25 dagen.",
    "a Dutch transcript": "Medewerker: Hoeveel vakantiedagen krijg ik?\nVraagbaak: Je krijgt 25 vakantiedagen.",
    "a transcript in bold": "**Vraagbaak:** Je krijgt naar rato minder dagen.",
    "an English transcript": "User: How many days off do I get?\nAssistant: You get 25 days.",
    "English role names in a Dutch answer": "Assistant: parttimers krijgen hun dagen naar rato.",
    "the English system prompt": "You are Vraagbaak, the assistant of the company. Parttimers get less.",
    "a chat template's markup": "<|im_start|>assistant\nParttimers krijgen minder dagen.",
    "the earlier turns, copied": "Eerder in dit gesprek: Medewerker: Hoeveel vakantiedagen krijg ik? Je krijgt er 25.",
}


@pytest.mark.parametrize("reply", LEAKS.values(), ids=LEAKS.keys())
def test_a_follow_up_that_leaks_the_prompt_or_a_transcript_falls_back_to_the_quoted_passage(reply):
    engine, scripted = engine_with(reply, piece_delay_s=0.001)
    stream = engine.ask(FOLLOW_UP, history=EARLIER)
    shown = "".join(stream)
    answer = stream.result()
    prompt = scripted.requests[-1].messages[1]["content"]
    assert "Eerder in dit gesprek:" in prompt and "Medewerker: Hoeveel vakantiedagen" in prompt, "a follow-up"
    assert answer.quoted and answer.stopped == "echo" and answer.text.startswith(QUOTED["nl"])
    for leaked in ("Je bent", "You are", "Medewerker", "Vraagbaak:", "User:", "Assistant:", "<|"):
        assert leaked not in shown, leaked
    assert scripted.generations[-1].cancelled


def test_a_finished_sentence_before_a_transcript_is_kept():
    engine, _ = engine_with("Parttimers krijgen hun dagen naar rato [2].\nMedewerker: en de feestdagen?\n"
                            "Vraagbaak: die ook.")
    answer = engine.ask(FOLLOW_UP, history=EARLIER).result()
    assert answer.text == "Parttimers krijgen hun dagen naar rato [1]." and answer.stopped == "echo"
    assert not answer.quoted


@pytest.mark.parametrize("reply", [
    "Let op: parttimers krijgen hun dagen naar rato [2].",
    "Dat regelt de medewerker: je krijgt je vakantie-uren naar rato [2].",
    "Tip: reken je vakantie-uren naar rato uit [2].\n\n- Vraag het op tijd aan [1].",
    "Parttimers krijgen per jaar naar rato van hun uren vakantiedagen [2].",
], ids=["a note", "a colon after a role word mid-sentence", "a tip and a list", "the question's words"])
def test_ordinary_answers_with_colons_and_the_questions_words_pass(reply):
    engine, scripted = engine_with(reply)
    answer = engine.ask(FOLLOW_UP, history=EARLIER).result()
    assert answer.stopped == "" and not answer.quoted and not scripted.generations[-1].cancelled


DEMO_QUESTION = "Hoeveel vakantiedagen heb ik per jaar?"


@pytest.mark.parametrize("reply", [
    DEMO_QUESTION,
    f"{DEMO_QUESTION}\n{VAKANTIE}",
    "hoeveel vakantiedagen heb ik per jaar",
    "",
], ids=["the question alone", "the question, then a copied sentence", "the question without its mark",
        "nothing"])
def test_an_answer_that_is_the_question_gives_the_quoted_passage_with_its_source(reply):
    engine, _ = engine_with(reply, piece_delay_s=0.001)
    shown, _, answer = streamed_and_answer(engine, DEMO_QUESTION)
    assert answer.quoted and answer.text.startswith(QUOTED["nl"]) and VAKANTIE in answer.text
    assert [s.path for s in answer.sources] == ["hr/vakantie.md"] and "[1]" in answer.text
    assert shown.strip() == answer.text, "the question never reached the reader as the answer"


class ForcedGenerator:
    """The real model, made by a grammar to write `text` whatever it is asked (greedy text differs
    between CPU builds; what a grammar allows does not)."""

    def __init__(self, generator, text: str) -> None:
        self.generator, self.schema = generator, {"type": "string", "const": text}
        self.model_name, self.n_ctx = generator.model_name, generator.n_ctx
        self.generations: list = []

    def submit(self, request: GenerationRequest):
        forced = dataclasses.replace(request, json_schema=self.schema, temperature=0.0, max_tokens=200)
        self.generations.append(self.generator.submit(forced))
        return self.generations[-1]

    def count_tokens(self, text: str) -> int:
        return self.generator.count_tokens(text)

    def queue_length(self) -> int:
        return self.generator.queue_length()

    def close(self) -> None:
        """The wrapped generator belongs to the test session."""


@pytest.mark.slow
def test_the_real_model_writing_a_transcript_in_a_follow_up_is_stopped(generator):
    transcript = ("Medewerker: Hoeveel vakantiedagen krijg ik? Vraagbaak: Je krijgt 25 vakantiedagen. "
                  "Medewerker: En hoe zit dat voor parttimers? Vraagbaak: Naar rato.")
    forced = ForcedGenerator(generator, transcript)
    engine = AnswerEngine(FixedRetriever(), forced, min_relevance=0.0, cache_size=0, sentence_selection=False)
    stream = engine.ask(FOLLOW_UP, history=EARLIER)
    shown = "".join(stream)
    answer = stream.result()
    assert answer.quoted and answer.stopped == "echo" and "Medewerker" not in shown
    assert forced.generations[-1].cancelled
    assert forced.generations[-1].stats.completion_tokens < generator.count_tokens(transcript) / 2, \
        "stopped at the first label, long before the transcript's end"


class LongPassageRetriever(FoundHits):
    """One passage longer than the quote, whose cut would fall after a line announcing a list."""

    TEXT = (f"{VAKANTIE} " + "Bij Polderlicht rekenen we in uren, omdat niet iedereen even lange werkdagen heeft. " * 4
            + "\n\nDie 25 dagen bestaan uit twee delen:\n\n- 20 wettelijke dagen (160 uur) en 5 bovenwettelijke "
            "dagen (40 uur), samen 200 uur per jaar bij een volledige werkweek van 40 uur, en voor parttimers naar "
            "rato van het aantal uren dat in hun contract staat, afgerond op hele uren")

    def search(self, question: str, **options) -> list[Hit]:
        return [make_hit(f"{self.TEXT} {question}", doc_id="hr/vakantie.md", title="Vakantie")]


def test_the_quote_ends_after_a_whole_sentence_not_after_an_announced_list():
    scripted = ScriptedGenerator(DEMO_QUESTION)
    engine = AnswerEngine(LongPassageRetriever(), scripted, min_relevance=0.0, cache_size=0, sentence_selection=False)
    answer = engine.ask(DEMO_QUESTION).result()
    quote = answer.text.removeprefix(QUOTED["nl"]).strip()
    assert answer.quoted and quote.endswith("werkdagen heeft. [1]"), quote[-80:]
