"""Ministral 3 offline: our prompt rendered by the real chat templates of the profiles' models (system
prompt placement, [SYSTEM_PROMPT]/[INST] tokens, history, conversations the templates refuse), and a
tiny random-weight GGUF of llama.cpp's `mistral3` architecture (one layer, a byte-level vocabulary
with Ministral's control tokens, the Instruct template) that loads through our LlamaGenerator, gets
our prompt rendered by its own template, and generates.

The tensors and keys are those `llama_model_mistral3` reads (vendor/llama.cpp/src/models/mistral3.cpp
in the llama-cpp-python 0.3.36 sdist): a llama-style block with RMS norms, q/k/v/output projections
and a SiLU-gated feed-forward."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.answering.chat_template import ChatTemplate, ChatTemplateError
from bot.answering.generation import GenerationError, GenerationRequest
from bot.answering.prompts import INSTRUCTIONS, build_messages

FIXTURES = Path(__file__).parent / "fixtures"
TEMPLATE = FIXTURES / "ministral-3-8b-instruct-2512.jinja"  # what the standaard profile's GGUF carries
REASONING = FIXTURES / "ministral-3-14b-reasoning-2512.jinja"
MISTRAL_SMALL = FIXTURES / "mistral-small-3.2-24b-instruct-2506.jinja"  # the gpu profile's model
CONTROL = ["<unk>", "<s>", "</s>", "[INST]", "[/INST]", "[SYSTEM_PROMPT]", "[/SYSTEM_PROMPT]"]
EMBED, HEADS, KV_HEADS, FFN = 32, 2, 1, 64
HEAD = EMBED // HEADS


def byte_tokens() -> list[str]:
    """GPT-2's byte-to-character map: every byte is one token, so any text tokenizes."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    chars, extra = {}, 0
    for byte in range(256):
        if byte in printable:
            chars[byte] = chr(byte)
        else:
            chars[byte] = chr(256 + extra)
            extra += 1
    return [chars[b] for b in range(256)]


def write_tiny_mistral3(path: Path) -> None:
    import gguf

    tokens = [*CONTROL, *byte_tokens(), "Ġt"]
    writer = gguf.GGUFWriter(str(path), "mistral3")
    writer.add_name("tiny-random-mistral3")
    writer.add_context_length(2048)
    writer.add_embedding_length(EMBED)
    writer.add_block_count(1)
    writer.add_feed_forward_length(FFN)
    writer.add_head_count(HEADS)
    writer.add_head_count_kv(KV_HEADS)
    writer.add_rope_dimension_count(HEAD)
    writer.add_rope_freq_base(1_000_000.0)
    writer.add_layer_norm_rms_eps(1e-5)
    writer.add_tokenizer_model("gpt2")
    writer.add_tokenizer_pre("tekken")
    writer.add_token_list(tokens)
    writer.add_token_types([gguf.TokenType.CONTROL] * len(CONTROL)
                           + [gguf.TokenType.NORMAL] * (len(tokens) - len(CONTROL)))
    writer.add_token_merges(["Ġ t"])
    writer.add_unk_token_id(0)
    writer.add_bos_token_id(1)
    writer.add_eos_token_id(2)
    writer.add_add_bos_token(True)
    writer.add_chat_template(TEMPLATE.read_text(encoding="utf-8"))

    rng = np.random.default_rng(3)

    def weights(*shape: int) -> np.ndarray:
        return (rng.standard_normal(shape) * 0.2).astype(np.float32)

    output = weights(len(tokens), EMBED)
    output[: len(CONTROL)] = 0.0  # control tokens (end of text among them) never win: text is generated
    ones = np.ones(EMBED, dtype=np.float32)
    for name, tensor in [("token_embd.weight", weights(len(tokens), EMBED)), ("output_norm.weight", ones),
                         ("output.weight", output), ("blk.0.attn_norm.weight", ones),
                         ("blk.0.attn_q.weight", weights(HEADS * HEAD, EMBED)),
                         ("blk.0.attn_k.weight", weights(KV_HEADS * HEAD, EMBED)),
                         ("blk.0.attn_v.weight", weights(KV_HEADS * HEAD, EMBED)),
                         ("blk.0.attn_output.weight", weights(EMBED, HEADS * HEAD)),
                         ("blk.0.ffn_norm.weight", ones), ("blk.0.ffn_gate.weight", weights(FFN, EMBED)),
                         ("blk.0.ffn_up.weight", weights(FFN, EMBED)), ("blk.0.ffn_down.weight", weights(EMBED, FFN))]:
        writer.add_tensor(name, tensor)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()


def template(path: Path = TEMPLATE) -> ChatTemplate:
    return ChatTemplate(path.read_text(encoding="utf-8"), bos_token="<s>", eos_token="</s>")


# --- rendering against the real template texts --------------------------------------------------

@pytest.mark.parametrize("language", ["nl", "en"])
def test_our_instructions_are_the_system_prompt_right_after_bos_and_the_rest_one_inst_turn(language):
    messages = build_messages("Hoe meld ik me ziek?", [], language=language)
    ministral = template()

    prompt = ministral.render(messages)

    assert ministral.supports_system
    assert prompt == (f"<s>[SYSTEM_PROMPT]{INSTRUCTIONS[language]}[/SYSTEM_PROMPT]"
                      f"[INST]{messages[1]['content']}[/INST]")
    assert "Le Chat" not in prompt  # the template's own default system prompt stays out


def test_without_a_system_message_the_template_would_put_in_mistrals_le_chat_prompt():
    """Why we always send our instructions as the system message: the Instruct template fills in its
    own (a Le Chat persona with web-browsing and tool rules) when there is none."""
    prompt = template().render_raw([{"role": "user", "content": "Hallo"}])
    assert prompt.startswith("<s>[SYSTEM_PROMPT]You are Ministral-3-8B-Instruct-2512")
    assert "You power an AI assistant called Le Chat." in prompt and prompt.endswith("[INST]Hallo[/INST]")


def test_thread_history_is_quoted_inside_the_one_user_turn_after_the_passages():
    messages = build_messages("En voor parttimers?", [], language="nl",
                              history=[("user", "Hoeveel vakantiedagen krijg ik?"),
                                       ("assistant", "Je krijgt 25 vakantiedagen.")])

    prompt = template().render(messages)

    assert prompt.count("[INST]") == prompt.count("[/INST]") == 1
    assert prompt.count("[SYSTEM_PROMPT]") == 1 and "</s>" not in prompt
    turn = prompt.split("[INST]", 1)[1]
    assert turn.index("<documenten>") < turn.index("Hoeveel vakantiedagen krijg ik?") \
        < turn.index("Je krijgt 25 vakantiedagen.") < turn.index("En voor parttimers?")


def test_a_real_multi_turn_conversation_ends_each_answer_with_eos():
    conversation = [{"role": "system", "content": "S"}, {"role": "user", "content": "v1"},
                    {"role": "assistant", "content": "a1"}, {"role": "user", "content": "v2"}]
    assert template().render(conversation) == "<s>[SYSTEM_PROMPT]S[/SYSTEM_PROMPT][INST]v1[/INST]a1</s>[INST]v2[/INST]"


def test_conversations_the_template_refuses_are_a_chat_template_error():
    with pytest.raises(ChatTemplateError, match="alternate"):
        template().render([{"role": "user", "content": "a"}, {"role": "user", "content": "b"}])
    with pytest.raises(ChatTemplateError, match="Assistant message must have"):
        template().render([{"role": "user", "content": "a"}, {"role": "assistant", "content": ""},
                           {"role": "user", "content": "b"}])


@pytest.mark.parametrize("path", [REASONING, MISTRAL_SMALL], ids=["ministral-reasoning", "mistral-small-3.2"])
def test_the_other_mistral_templates_place_our_instructions_the_same_way(path):
    messages = build_messages("Hoe meld ik me ziek?", [], language="nl")
    other = template(path)

    prompt = other.render(messages)

    assert other.supports_system
    assert prompt == (f"<s>[SYSTEM_PROMPT]{INSTRUCTIONS['nl']}[/SYSTEM_PROMPT]"
                      f"[INST]{messages[1]['content']}[/INST]")


# --- a real mistral3 GGUF through llama.cpp -----------------------------------------------------

@pytest.fixture(scope="module")
def tiny_mistral3(tmp_path_factory):
    from bot.answering.llm import LlamaGenerator

    path = tmp_path_factory.mktemp("mistral3") / "tiny-mistral3.gguf"
    write_tiny_mistral3(path)
    generator = LlamaGenerator(path, n_ctx=2048, n_threads=1, n_threads_batch=1)
    yield generator
    generator.close()


@pytest.mark.slow
def test_our_llama_cpp_loads_mistral3_and_generates(tiny_mistral3):
    assert tiny_mistral3._llama.metadata["general.architecture"] == "mistral3"
    generation = tiny_mistral3.submit(GenerationRequest(
        build_messages("Hoe meld ik me ziek?", [], language="nl"), max_tokens=4, temperature=0.0))
    assert generation.text()
    assert 0 < generation.stats.completion_tokens <= 4
    assert generation.stats.prompt_tokens > 100


@pytest.mark.slow
def test_the_gguf_template_gets_our_instructions_as_system_prompt_with_one_bos(tiny_mistral3):
    messages = build_messages("Hoe meld ik me ziek?", [], language="nl")
    prompt = tiny_mistral3.render_prompt(messages)
    assert tiny_mistral3.template.supports_system
    assert prompt.startswith(f"<s>[SYSTEM_PROMPT]{INSTRUCTIONS['nl']}[/SYSTEM_PROMPT][INST]")
    tokens = tiny_mistral3.prompt_tokens(prompt)
    llama = tiny_mistral3._llama
    assert tokens[:2] == [1, 5], "BOS once (the template wrote it), then [SYSTEM_PROMPT] as one control token"
    assert tokens.count(1) == 1 and 3 in tokens and tokens[-1] == 4, "[INST] … [/INST] as control tokens"
    assert llama.detokenize(tokens[2:12]).decode() == INSTRUCTIONS["nl"][:10]


@pytest.mark.slow
def test_a_conversation_the_gguf_template_refuses_is_a_dutch_generation_error(tiny_mistral3):
    with pytest.raises(GenerationError, match="chat-sjabloon"):
        tiny_mistral3.render_prompt([{"role": "user", "content": "a"}, {"role": "user", "content": "b"}])
