"""Prompt-lookup decoding (VRAAGBAAK_PROMPT_LOOKUP) with the real packaged SmolLM2: it drafts from the
passages and llama.cpp accepts drafted tokens, the prompt is evaluated without per-token logits, it
works with the prefix snapshots, and the setting reaches the generator. Speed and how often the
greedy output stays identical are measured in bench/decoding.py, not here."""

from __future__ import annotations

import pytest

from bot.answering.generation import GenerationRequest
from bot.answering.llm import LlamaGenerator, build_generator
from bot.model_files.resolving import packaged_llm_path
from bot.settings import SettingsError, load_settings
from tests.conftest import make_settings

PASSAGE = ("Medewerkers met een voltijds dienstverband krijgen 25 vakantiedagen per jaar. Parttimers krijgen "
           "vakantiedagen naar rato van hun contracturen. Niet opgenomen dagen vervallen na vijf jaar. Aanvragen "
           "gaat via het HR-portaal, minstens twee weken van tevoren.")


def copying_request(question: str = "Hoeveel vakantiedagen krijg ik?") -> GenerationRequest:
    return GenerationRequest(
        [{"role": "system", "content": "Antwoord met de zinnen uit het document, woord voor woord."},
         {"role": "user", "content": f"Document:\n{PASSAGE}\n\nHerhaal het document en beantwoord: {question}"}],
        max_tokens=48, temperature=0.0, repeat_penalty=1.0)


@pytest.fixture(scope="module")
def lookup_generator():
    generator = LlamaGenerator(packaged_llm_path(), n_ctx=2048, n_threads=2, n_threads_batch=2, prompt_lookup=4)
    yield generator
    generator.close()


@pytest.mark.slow
def test_drafted_tokens_are_accepted_so_a_step_yields_more_than_one_token(lookup_generator):
    generation = lookup_generator.submit(copying_request())
    text = generation.text()
    stats = generation.stats

    assert text.strip() and 0 < stats.completion_tokens <= 48  # the count itself differs between CPU classes
    assert stats.draft_tokens > 0
    # each step evaluates one sampled token plus its draft: fewer steps than tokens means drafts were kept
    assert stats.draft_steps < stats.completion_tokens


@pytest.mark.slow
def test_the_prompt_is_evaluated_without_per_token_logits(lookup_generator, monkeypatch):
    llama = lookup_generator._llama
    seen: list[tuple[int, bool]] = []
    real_eval = llama.eval

    def recording_eval(tokens):
        seen.append((len(tokens), llama._logits_all))
        return real_eval(tokens)

    monkeypatch.setattr(llama, "eval", recording_eval)
    generation = lookup_generator.submit(copying_request("Hoe vraag ik vakantie aan, en wanneer?"))
    generation.text()

    prompt_batches = [n for n, logits_all in seen if n > 8]
    assert prompt_batches, "the prompt's new part was evaluated in a batch"
    assert all(not logits_all for n, logits_all in seen if n > 8)
    assert any(logits_all for n, logits_all in seen if n <= 8), "drafts are checked with their logits"
    assert llama._logits_all  # put back for the drafts


@pytest.mark.slow
def test_a_prompt_longer_than_a_batch_is_answered(lookup_generator):
    """llama-cpp-python keeps the drafts' logits in a buffer of n_batch (512) rows unless told
    otherwise: positions past it must still work."""
    long = copying_request()
    padding = "Dit document gaat over de vakantieregeling van het bedrijf. " * 80
    messages = [long.messages[0], {"role": "user", "content": padding + long.messages[1]["content"]}]
    generation = lookup_generator.submit(GenerationRequest(messages, max_tokens=16, temperature=0.0))
    assert generation.text().strip()
    assert generation.stats.prompt_tokens > 600 and 0 < generation.stats.completion_tokens <= 16


@pytest.mark.slow
def test_prompt_lookup_works_with_the_prefix_snapshots(lookup_generator):
    first = lookup_generator.submit(copying_request("Wat gebeurt er met dagen die ik niet opneem?"))
    first.text()
    second = lookup_generator.submit(copying_request("Krijgen parttimers evenveel dagen?"))
    assert second.text().strip()
    assert second.stats.cached_prompt_tokens > 20  # the shared beginning came from the KV cache


def test_the_setting_is_read_checked_and_off_by_default():
    assert load_settings(environ={}, config_path=None).llm.prompt_lookup == 0
    assert load_settings(environ={"VRAAGBAAK_PROMPT_LOOKUP": "2"}, config_path=None).llm.prompt_lookup == 2
    with pytest.raises(SettingsError, match="prompt_lookup"):
        load_settings(environ={"VRAAGBAAK_PROMPT_LOOKUP": "-1"}, config_path=None)
    with pytest.raises(SettingsError, match="prompt_lookup"):
        load_settings(environ={"VRAAGBAAK_PROMPT_LOOKUP": "100"}, config_path=None)


@pytest.mark.slow
def test_build_generator_passes_the_setting_on(tmp_path):
    generator = build_generator(make_settings(tmp_path, prompt_lookup=3, n_threads=1, n_threads_batch=1))
    try:
        assert generator._lookup is not None and generator._lookup.num_pred_tokens == 3
        assert generator._llama.draft_model is generator._lookup
    finally:
        generator.close()
    off = build_generator(make_settings(tmp_path, n_threads=1, n_threads_batch=1))
    try:
        assert off._lookup is None and off._llama.draft_model is None
    finally:
        off.close()
