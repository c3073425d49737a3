"""The language model: where it runs, which one, and how it samples."""

from __future__ import annotations

import os
from dataclasses import dataclass

from bot.settings.fields import Area, SettingsError, setting

# The named language-model profiles of `vraagbaak models pull --profile` (bot/model_files/profiles.py PROFILES).
LLM_PROFILES = ("standaard", "klein", "gpu", "mistral7b")


@dataclass(frozen=True)
class Llm(Area):
    """Language model: the local GGUF model or an OpenAI-compatible server, its threads and its sampling."""

    backend: str = setting(
        "local", "VRAAGBAAK_LLM_BACKEND",
        "`local`: load the GGUF model in this process. `openai`: use an OpenAI-compatible server.",
        choices=("local", "openai"))
    profile: str = setting(
        "standaard", "VRAAGBAAK_LLM_PROFILE",
        "Language-model profile that `vraagbaak models pull` fetches and `auto` loads: `standaard` "
        "(Ministral 3 8B, 8+ CPU cores), `klein` (Ministral 3 3B, small machines), `gpu` (Mistral Small 3.2 "
        "24B, one GPU) or `mistral7b` (Mistral 7B v0.3, the earlier default). `vraagbaak models list` shows them.",
        choices=LLM_PROFILES)
    model: str = setting(
        "auto", "VRAAGBAAK_LLM_MODEL",
        "GGUF file. `auto`: the profile's model when pulled into models_dir (else one pulled for another "
        "profile), else the packaged SmolLM2-135M-Instruct (offline default).")
    server_url: str = setting(
        "", "VRAAGBAAK_LLM_SERVER_URL",
        "Base URL of the OpenAI-compatible server (e.g. http://llm:8080/v1) when VRAAGBAAK_LLM_BACKEND=openai.")
    server_model: str = setting(
        "", "VRAAGBAAK_LLM_SERVER_MODEL", "Model name sent to the OpenAI-compatible server.")
    api_key: str = setting(
        "", "VRAAGBAAK_LLM_API_KEY", "API key for the OpenAI-compatible server, if it needs one.",
        secret=True)
    server_parallel: int = setting(
        0, "VRAAGBAAK_LLM_SERVER_PARALLEL",
        "Requests this bot has in flight at the OpenAI-compatible server at once; more wait here in "
        "line. 0: as many as the server has slots (llama.cpp's --parallel, read from the server), "
        "else 4.")
    n_ctx: int = setting(4096, "VRAAGBAAK_N_CTX", "Context window of the model in tokens.")
    n_threads: int = setting(
        0, "VRAAGBAAK_N_THREADS", "Threads for generation. 0: all cores.")
    n_threads_batch: int = setting(
        0, "VRAAGBAAK_N_THREADS_BATCH", "Threads for prompt processing. 0: all cores.")
    prefix_states: int = setting(
        4, "VRAAGBAAK_PREFIX_STATES",
        "Saved KV-cache snapshots of shared prompt beginnings (Dutch and English instructions, "
        "templates), so switching between them does not re-evaluate the instructions. A snapshot "
        "costs ~130 KB per token for Mistral-7B: ~45 MB for the instructions, at most ~130 MB. 0: off.")
    prompt_lookup: int = setting(
        0, "VRAAGBAAK_PROMPT_LOOKUP",
        "Prompt-lookup decoding: tokens guessed ahead from the passages per step and checked in one batch "
        "(llama-cpp-python LlamaPromptLookupDecoding; 2 is its advice for CPUs). 0: off, the default: on CPU "
        "1.2x generation speed at best, and greedy answers are not token-for-token the same (bench/README.md "
        "\"Prompt-lookup decoding\").", minimum=0, maximum=32)
    n_gpu_layers: int = setting(
        0, "VRAAGBAAK_N_GPU_LAYERS", "Layers offloaded to a GPU (needs a GPU build of llama.cpp); -1: all.")
    max_tokens: int = setting(400, "VRAAGBAAK_MAX_TOKENS", "Most tokens generated for one answer.")
    temperature: float = setting(0.2, "VRAAGBAAK_TEMPERATURE", "Sampling temperature.")
    top_p: float = setting(0.9, "VRAAGBAAK_TOP_P", "Nucleus sampling cut-off.")
    repeat_penalty: float = setting(1.1, "VRAAGBAAK_REPEAT_PENALTY", "Penalty on repeated tokens.")

    def check(self) -> None:
        if self.backend == "openai" and not self.server_url:
            raise SettingsError("VRAAGBAAK_LLM_BACKEND=openai needs VRAAGBAAK_LLM_SERVER_URL")

    @property
    def threads(self) -> int:
        return self.n_threads or (os.cpu_count() or 1)

    @property
    def threads_batch(self) -> int:
        return self.n_threads_batch or (os.cpu_count() or 1)
