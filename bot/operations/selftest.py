"""Does the language model generate here? One tiny generation with the configured backend and thread
counts, so that a llama.cpp build that crashes on this CPU is found before the first question.

The local model is tried in a child process (`python -m bot.operations.selftest`), through the real
`LlamaGenerator`, i.e. on its worker thread, not the main thread: that is where a native build with
AMX kernels dies (SIGILL, llama.cpp PR #26954). A child that dies by a signal becomes a Dutch
message naming the likely cause and the exact rebuild command; the bot process itself survives.
With the OpenAI-compatible backend the check is one tiny request to the server.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.answering.generation import GenerationRequest
from bot.errors import ModelError

if TYPE_CHECKING:
    from bot.settings import Settings

log = logging.getLogger(__name__)

LLAMA_CPP_PYTHON_VERSION = "0.3.36"
# The AVX2 class of tools/llama-wheel.sh (a test keeps the two equal): runs on every x86-64 CPU with
# AVX2, so it is the rebuild that always works.
PORTABLE_CMAKE_ARGS = (
    "-DGGML_NATIVE=OFF -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON "
    "-DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF "
    "-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DLLAVA_BUILD=OFF")
REBUILD_COMMAND = (f'CMAKE_ARGS="{PORTABLE_CMAKE_ARGS}" pip install --force-reinstall --no-cache-dir '
                   f'--no-deps llama-cpp-python=={LLAMA_CPP_PYTHON_VERSION}')
PROMPT = "Tel van één tot tien, in woorden."
MAX_TOKENS = 8
CHILD_TIMEOUT_S = 300.0  # loading a 5 GB model from a cold disk can take a minute or more


class BackendCrashError(ModelError):
    """The model backend cannot generate on this machine; the message says why and what to do."""


@dataclass(frozen=True)
class SelftestResult:
    """`ok` with speed figures, or not ok with a Dutch `detail` and `fix`."""

    ok: bool
    detail: str
    fix: str = ""
    completion_tokens: int = 0
    tokens_per_s: float = 0.0

    def raise_for_failure(self) -> None:
        if not self.ok:
            raise BackendCrashError(f"{self.detail} {self.fix}".strip())


def run_selftest(settings: "Settings", *, timeout_s: float = CHILD_TIMEOUT_S) -> SelftestResult:
    """One tiny generation with the configured backend; never raises for a broken backend."""
    if settings.llm.backend == "openai":
        return _server_selftest(settings)
    from bot.model_files.resolving import resolve_llm_model

    try:
        path = resolve_llm_model(settings)
    except ModelError as exc:
        return SelftestResult(False, str(exc), "Voer `vraagbaak models pull` uit of zet VRAAGBAAK_LLM_MODEL.")
    command = [sys.executable, "-m", "bot.operations.selftest", str(path), "--threads", str(settings.llm.threads),
               "--threads-batch", str(settings.llm.threads_batch), "--gpu-layers", str(settings.llm.n_gpu_layers)]
    return run_child(command, timeout_s=timeout_s)


def run_child(command: list[str], *, timeout_s: float) -> SelftestResult:
    """Runs the child and reads its one JSON line, or explains how it died."""
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout_s,
                              stdin=subprocess.DEVNULL)
    except subprocess.TimeoutExpired:
        return SelftestResult(False, f"de proefgeneratie was na {timeout_s:.0f} s nog niet klaar (time-out)",
                              "Controleer of er genoeg geheugen vrij is en of de machine niet overbelast is "
                              "(VRAAGBAAK_N_THREADS).")
    if done.returncode < 0:
        return _crashed(-done.returncode, done.stderr)
    if done.returncode != 0:
        return SelftestResult(False, f"de proefgeneratie mislukte: {_last_line(done.stderr) or done.returncode}",
                              "Draai `vraagbaak -v doctor` voor details.")
    try:
        figures = json.loads(done.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        return SelftestResult(False, "de proefgeneratie gaf geen leesbaar resultaat",
                              "Draai `vraagbaak -v doctor` voor details.")
    if figures.get("error"):
        return SelftestResult(False, figures["error"], "Voer `vraagbaak models pull` uit of zet VRAAGBAAK_LLM_MODEL.")
    return _measured(figures["completion_tokens"], figures["first_token_s"], figures["total_s"])


def _crashed(signum: int, stderr: str) -> SelftestResult:
    name = _signal_name(signum)
    if signum == signal.SIGILL:
        cause = ("llama-cpp-python is gecompileerd met instructies die deze processor niet uitvoert: "
                 "een 'native' build met de AMX-kernels van llama.cpp op een Intel Xeon met AMX "
                 "(llama.cpp PR #26954), of een build van een andere machine.")
    elif signum == signal.SIGKILL:
        cause = "het proces is afgebroken, meestal omdat het geheugen (RAM) op is (OOM killer)."
    elif _cpu_has_amx():
        cause = ("llama.cpp crashte op een processor met AMX: waarschijnlijk een 'native' build met de "
                 "AMX-kernels van llama.cpp (llama.cpp PR #26954; op sommige kernels SIGSEGV in plaats van "
                 "SIGILL), anders een beschadigd modelbestand of te weinig geheugen.")
    else:
        cause = ("llama.cpp crashte: een build voor een andere processor, een beschadigd modelbestand, "
                 "of te weinig geheugen.")
    fix = (f"Herbouw llama-cpp-python draagbaar (portable: AVX2, geen AMX): in de repository "
           f"`make install`, of met de hand: `{REBUILD_COMMAND}`.")
    if signum != signal.SIGILL:
        fix += " Controleer ook het geheugen en het model (`vraagbaak models pull` haalt het opnieuw op)."
    log.warning("model self-test died by %s; stderr tail: %s", name, _last_line(stderr))
    return SelftestResult(False, f"de proefgeneratie crashte met {name}: {cause}", fix)


def _measured(completion_tokens: int, first_token_s: float, total_s: float) -> SelftestResult:
    """Decoding speed: the tokens after the first over the time after the first."""
    if completion_tokens > 1 and total_s > first_token_s:
        rate = (completion_tokens - 1) / (total_s - first_token_s)
    else:
        rate = completion_tokens / total_s if total_s > 0 else 0.0
    return SelftestResult(True, f"proefgeneratie in orde: {completion_tokens} tokens, {rate:.1f} tokens/s",
                          completion_tokens=completion_tokens, tokens_per_s=rate)


def _server_selftest(settings: "Settings") -> SelftestResult:
    from bot.answering.openai_backend import build_openai_generator

    generator = build_openai_generator(settings)
    try:
        generation = generator.submit(_request())
        text = generation.text()
    except ModelError as exc:
        return SelftestResult(False, f"de modelserver gaf geen antwoord: {exc}",
                              "Controleer VRAAGBAAK_LLM_SERVER_URL, VRAAGBAAK_LLM_SERVER_MODEL en de server zelf.")
    finally:
        generator.close()
    stats = generation.stats
    tokens = stats.completion_tokens or (1 if text else 0)
    return _measured(tokens, stats.first_token_s, stats.total_s)


def _request() -> GenerationRequest:
    return GenerationRequest(messages=[{"role": "user", "content": PROMPT}], max_tokens=MAX_TOKENS, temperature=0.0)


def _cpu_has_amx() -> bool:
    try:
        return " amx_tile" in Path("/proc/cpuinfo").read_text()
    except OSError:
        return False


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signaal {signum}"


def _last_line(text: str) -> str:
    lines = [line for line in (text or "").splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _child(argv: list[str] | None = None) -> int:
    """The child: load the model, generate on the generator's worker thread, print one JSON line."""
    parser = argparse.ArgumentParser(prog="python -m bot.operations.selftest")
    parser.add_argument("model", type=Path)
    parser.add_argument("--threads", type=int, required=True)
    parser.add_argument("--threads-batch", type=int, required=True)
    parser.add_argument("--gpu-layers", type=int, default=0)
    args = parser.parse_args(argv)
    from bot.answering.llm import LlamaGenerator

    try:
        generator = LlamaGenerator(args.model, n_ctx=256, n_threads=args.threads,
                                   n_threads_batch=args.threads_batch, n_gpu_layers=args.gpu_layers,
                                   prefix_states=0)
    except ModelError as exc:
        print(json.dumps({"error": str(exc)}), flush=True)
        return 0
    try:
        generation = generator.submit(_request())
        generation.text()
    finally:
        generator.close()
    stats = generation.stats
    print(json.dumps({"completion_tokens": stats.completion_tokens, "first_token_s": stats.first_token_s,
                      "total_s": stats.total_s}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_child())
