"""Saved KV-cache snapshots of shared prompt beginnings, on the real packaged SmolLM2: a Dutch
question after an English one (or a template) finds the Dutch instructions cached again, the answer
is the same as with the instructions left in the live cache, and memory stays bounded."""

from __future__ import annotations

import os

import pytest

from bot.answering.generation import GenerationRequest
from bot.answering.llm import LlamaGenerator
from bot.answering.prompts import INSTRUCTIONS, Passage, build_messages
from bot.model_files.resolving import packaged_llm_path
from tests.answering.builders import make_hit

pytestmark = pytest.mark.slow  # every test here loads the real SmolLM2


def passage(title: str, sentence: str) -> Passage:
    hit = make_hit(sentence * 8, doc_id=f"{title.lower()}.md", title=title, headings=())
    return Passage(number=1, hit=hit, text=f"[1] {title} ({title.lower()}.md)\n" + sentence * 8, tokens=0)


VERLOF = passage("Verlof", "Iedereen heeft 25 vakantiedagen per jaar bij een volledige werkweek. ")
VPN = passage("VPN", "De VPN-client heet Tunnelbaas en vraagt elke dag om je MFA-code. ")
PRINTER = passage("Printing", "The printer on the second floor is called Kopieerkanon. ")
LUNCH = passage("Lunch", "Lunch is served at noon in the canteen on the first floor. ")
PARKING = passage("Parking", "Visitors park in the garage under the building, level -1. ")

DUTCH_1 = ("Hoeveel vakantiedagen heb ik?", VERLOF, "nl")
DUTCH_2 = ("Hoe heet de VPN-client?", VPN, "nl")
ENGLISH_1 = ("What is the printer called?", PRINTER, "en")
ENGLISH_2 = ("When is lunch?", LUNCH, "en")
ENGLISH_3 = ("Where do visitors park?", PARKING, "en")


@pytest.fixture
def make_generator():
    made: list[LlamaGenerator] = []

    def make(prefix_states: int) -> LlamaGenerator:
        cores = os.cpu_count() or 1
        made.append(LlamaGenerator(packaged_llm_path(), n_ctx=4096, n_threads=cores, n_threads_batch=cores,
                                   prefix_states=prefix_states))
        return made[-1]
    yield make
    for generator in made:
        generator.close()


def ask(generator: LlamaGenerator, question: tuple[str, Passage, str]):
    text, found, language = question
    generation = generator.submit(GenerationRequest(build_messages(text, [found], language=language),
                                                    max_tokens=8, temperature=0.0))
    generation.text()
    return generation


def test_dutch_after_english_finds_the_dutch_instructions_cached_and_answers_the_same(make_generator):
    plain, with_states = make_generator(0), make_generator(4)
    instructions = with_states.count_tokens(INSTRUCTIONS["nl"])

    answers = {}
    for generator in (plain, with_states):
        ask(generator, DUTCH_1)
        answers[generator] = ask(generator, DUTCH_2)  # the instructions are still in the live cache
        ask(generator, ENGLISH_1)  # pushes them out of the live cache
    live = answers[plain]
    assert answers[with_states].text() == live.text()
    evicted = ask(plain, DUTCH_2)
    restored = ask(with_states, DUTCH_2)

    assert evicted.stats.cached_prompt_tokens < 10
    assert restored.stats.cached_prompt_tokens >= instructions
    assert restored.stats.cached_prompt_tokens == live.stats.cached_prompt_tokens
    assert restored.text() == live.text(), "a restored snapshot must give the answer the live cache gives"


def test_english_instructions_are_learned_from_two_english_prompts(make_generator):
    generator = make_generator(4)
    ask(generator, ENGLISH_1)
    ask(generator, ENGLISH_2)  # shares the instructions with the one before: saved
    ask(generator, DUTCH_1)
    again = ask(generator, ENGLISH_3)
    assert again.stats.cached_prompt_tokens >= generator.count_tokens(INSTRUCTIONS["en"])


def test_snapshots_are_bounded_least_recently_used_first(make_generator):
    generator = make_generator(1)
    for question in (DUTCH_1, DUTCH_2, ENGLISH_1, ENGLISH_2):  # Dutch saved, then English replaces it
        ask(generator, question)
    assert len(generator.prefix_snapshots()) == 1
    assert ask(generator, ENGLISH_3).stats.cached_prompt_tokens >= generator.count_tokens(INSTRUCTIONS["en"])
    assert ask(generator, DUTCH_1).stats.cached_prompt_tokens < 10, "the Dutch snapshot was dropped"


def test_snapshots_can_be_turned_off(make_generator):
    generator = make_generator(0)
    for question in (DUTCH_1, DUTCH_2, ENGLISH_1, ENGLISH_2, DUTCH_1):
        ask(generator, question)
    assert generator.prefix_snapshots() == []
