"""The portable llama.cpp build and the model self-test: a backend that crashes on this CPU is
reported with the fix (doctor) and stops `serve` before Slack is connected, instead of killing the
bot on the first question."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.answering.generation import GenerationRequest
from bot.answering.llm import LlamaGenerator
from bot.model_files.resolving import packaged_llm_path
from bot.operations.selftest import MAX_TOKENS, PORTABLE_CMAKE_ARGS, REBUILD_COMMAND, run_selftest
from bot.operations.selftest import run_child as run_selftest_child
from tests.processes import run_child
from tests.conftest import SAMPLE, make_settings
from tests.cpu import cpu_flags, llama_build_features
from tests.fakes.slack import FakeSlack

REPO = Path(__file__).resolve().parents[2]
VRAAGBAAK = Path(sys.executable).with_name("vraagbaak")
AMX_MNEMONICS = re.compile(r"\b(ldtilecfg|sttilecfg|tileloadd|tileloaddt1|tilestored|tilezero|tilerelease|"
                           r"tdpbssd|tdpbsud|tdpbusd|tdpbuud|tdpbf16ps|tdpfp16ps)\b")


def _llama_libraries() -> list[Path]:
    import llama_cpp

    return sorted((Path(llama_cpp.__file__).parent / "lib").glob("libggml-cpu*.so*"))


# --- the build ----------------------------------------------------------------------------------

@pytest.mark.skipif(shutil.which("objdump") is None, reason="objdump (binutils) is not installed")
def test_installed_llama_cpp_has_no_amx_tile_instructions_and_uses_avx2():
    libraries = [p for p in _llama_libraries() if not p.is_symlink()]
    assert libraries, "llama_cpp/lib/libggml-cpu*.so not found"
    for library in libraries:
        code = subprocess.run(["objdump", "-d", "--no-show-raw-insn", str(library)], capture_output=True,
                              text=True, check=True).stdout
        assert "vfmadd" in code and "%ymm" in code  # disassembled, and the AVX2/FMA kernels are there
        amx = sorted(set(AMX_MNEMONICS.findall(code)))
        assert not amx, f"{library.name} contains AMX tile instructions {amx}: rebuild with {REBUILD_COMMAND}"


def test_one_set_of_portable_flags_for_the_makefile_the_dockerfile_and_the_advice():
    script = (REPO / "tools" / "llama-wheel.sh").read_text()
    assert f'PORTABLE_ARGS="{PORTABLE_CMAKE_ARGS}"' in script  # the AVX2 class
    for flag in ("-DGGML_NATIVE=OFF", "-DGGML_AVX2=ON", "-DGGML_AMX_TILE=OFF", "-DGGML_AMX_INT8=OFF"):
        assert flag in PORTABLE_CMAKE_ARGS
    assert "tools/llama-wheel.sh" in (REPO / "Makefile").read_text()
    assert "tools/llama-wheel.sh" in (REPO / "deploy" / "Dockerfile").read_text()


def _fake_python(tmp_path: Path) -> Path:
    """Stands in for `python -m pip wheel`: writes CMAKE_ARGS and an empty wheel into --wheel-dir."""
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\nfor a; do case $a in --wheel-dir) next=1;; *) [ -n \"$next\" ] && "
                    "d=$a && next=;; esac; done\necho \"$CMAKE_ARGS\" > \"$d/flags\"\n"
                    "touch \"$d/llama_cpp_python-0.3.36-py3-none-linux_x86_64.whl\"\n")
    fake.chmod(0o755)
    return fake


@pytest.mark.parametrize("cpu_flags, avx512", [
    ("fpu sse4_2 avx avx2 fma f16c bmi2", False),  # e.g. AMD Zen 3, Intel desktop CPUs
    ("avx2 fma f16c bmi2 avx512f avx512cd avx512bw avx512dq avx512vl avx512_vnni amx_tile amx_int8", True),
])
def test_the_cpu_class_follows_this_cpu_and_never_turns_amx_on(tmp_path, cpu_flags, avx512):
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text(f"processor : 0\nflags : {cpu_flags}\n")
    env = {**os.environ, "VRAAGBAAK_WHEEL_CACHE": str(tmp_path / "cache"), "LLAMA_CPUINFO": str(cpuinfo)}
    env.pop("LLAMA_CMAKE_ARGS", None)
    env.pop("LLAMA_CPU", None)
    done = subprocess.run([str(REPO / "tools" / "llama-wheel.sh"), str(_fake_python(tmp_path))], env=env,
                          capture_output=True, text=True, check=True)
    flags = (Path(done.stdout.strip()).parent / "flags").read_text().split()
    assert ("-DGGML_AVX512=ON" in flags) is avx512 and "-DGGML_AVX2=ON" in flags and "-DGGML_NATIVE=OFF" in flags
    assert {"-DGGML_AMX_TILE=OFF", "-DGGML_AMX_INT8=OFF", "-DGGML_AMX_BF16=OFF"} <= set(flags)
    if not avx512:
        assert " ".join(flags) == PORTABLE_CMAKE_ARGS


def test_the_wheel_folder_is_keyed_to_the_flags(tmp_path):
    """A wheel built with other flags sits in another folder, so it is never taken for the portable one."""
    fake_python = _fake_python(tmp_path)
    env = {**os.environ, "VRAAGBAAK_WHEEL_CACHE": str(tmp_path / "cache"), "LLAMA_CPU": "avx2"}

    def wheel(**extra) -> Path:
        done = subprocess.run([str(REPO / "tools" / "llama-wheel.sh"), str(fake_python)], env={**env, **extra},
                              capture_output=True, text=True, check=True)
        return Path(done.stdout.strip())

    portable, native = wheel(), wheel(LLAMA_CMAKE_ARGS="-DGGML_NATIVE=ON")
    assert portable.parent != native.parent
    assert (portable.parent / "flags").read_text().strip() == PORTABLE_CMAKE_ARGS
    assert (native.parent / "flags").read_text().strip() == "-DGGML_NATIVE=ON"
    assert wheel() == portable  # built once, then reused


# --- the self-test ------------------------------------------------------------------------------

@pytest.mark.slow
def test_generation_on_the_worker_thread_with_the_configured_thread_counts(tmp_path):
    settings = make_settings(tmp_path)
    generator = LlamaGenerator(packaged_llm_path(), n_ctx=512, n_threads=settings.llm.threads,
                               n_threads_batch=settings.llm.threads_batch, prefix_states=0)
    try:
        assert generator._worker.is_alive() and generator._worker.name == "vraagbaak-llm"
        generation = generator.submit(GenerationRequest(
            messages=[{"role": "user", "content": "Tel van één tot tien."}], max_tokens=12, temperature=0.0))
        text = generation.text()
    finally:
        generator.close()
    assert text.strip() and generation.stats.completion_tokens > 0


@pytest.mark.slow
def test_selftest_of_the_packaged_model_reports_its_speed(tmp_path):
    result = run_selftest(make_settings(tmp_path))
    assert result.ok, result.detail
    assert 0 < result.completion_tokens <= MAX_TOKENS and result.tokens_per_s > 0
    assert "tokens/s" in result.detail


def _dying_child(signal_name: str) -> list[str]:
    return [sys.executable, "-c", f"import os, signal; os.kill(os.getpid(), signal.{signal_name})"]


def test_a_child_killed_by_sigill_becomes_advice_with_the_rebuild_command():
    result = run_selftest_child(_dying_child("SIGILL"), timeout_s=60)
    assert not result.ok
    assert "SIGILL" in result.detail and "AMX" in result.detail
    assert REBUILD_COMMAND in result.fix and "make install" in result.fix


def test_a_child_killed_by_sigsegv_or_sigkill_names_memory_and_the_model():
    segv = run_selftest_child(_dying_child("SIGSEGV"), timeout_s=60)
    kill = run_selftest_child(_dying_child("SIGKILL"), timeout_s=60)
    assert "SIGSEGV" in segv.detail and "models pull" in segv.fix
    assert "SIGKILL" in kill.detail and "geheugen" in kill.detail


def test_a_child_that_hangs_is_a_time_out():
    result = run_selftest_child([sys.executable, "-c", "import time; time.sleep(30)"], timeout_s=1)
    assert not result.ok and "time-out" in result.detail


# --- doctor and serve with a backend that dies by SIGILL (a fake llama_cpp in the child) -----------

@pytest.fixture
def crashing_llama(tmp_path) -> dict[str, str]:
    """Environment whose `llama_cpp` dies by SIGILL when a model is loaded, as a native AMX build does."""
    package = tmp_path / "fake-llama" / "llama_cpp"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(textwrap.dedent("""\
        import os, signal

        class Llama:
            def __init__(self, *args, **kwargs):
                os.kill(os.getpid(), signal.SIGILL)

        class StoppingCriteriaList(list):
            pass
        """))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VRAAGBAAK_", "SLACK_"))}
    return {**env, "PYTHONPATH": str(package.parent), "VRAAGBAAK_SOURCES": f"bedrijf={SAMPLE}",
            "VRAAGBAAK_DATA_DIR": str(tmp_path / "data"), "VRAAGBAAK_MODELS_DIR": str(tmp_path / "models"),
            "SLACK_BOT_TOKEN": "xoxb-fake-bot-token", "SLACK_APP_TOKEN": "xapp-fake-app-token"}


@pytest.mark.slow
def test_doctor_reports_a_backend_that_dies_by_sigill_with_the_fix_and_exits_non_zero(tmp_path, crashing_llama):
    done = run_child([str(VRAAGBAAK), "doctor", "--json", "--no-slack"], env=crashing_llama, cwd=tmp_path,
                     capture_output=True, text=True, timeout=600)
    assert done.returncode == 1, done.stderr
    llm = next(c for c in json.loads(done.stdout)["checks"] if c["key"] == "llm")
    assert llm["status"] == "fail" and "SIGILL" in llm["detail"] and "AMX" in llm["detail"]
    assert REBUILD_COMMAND in llm["fix"]


def test_serve_refuses_to_start_when_the_model_self_test_crashes(tmp_path, crashing_llama):
    with FakeSlack() as slack:
        env = {**crashing_llama, "SLACK_API_URL": slack.api_url}
        done = run_child([str(VRAAGBAAK), "serve", "--no-scheduler"], env=env, cwd=tmp_path,
                         capture_output=True, text=True, timeout=600)
        calls = [c.method for c in slack.calls]
    assert done.returncode == 1
    assert "SIGILL" in done.stderr and REBUILD_COMMAND in done.stderr and "Traceback" not in done.stderr
    assert calls == []  # never connected to Slack, never loaded the model in the bot's own process


# --- the same suite on every CPU class -----------------------------------------------------------

def test_the_installed_build_uses_only_what_this_cpu_has_and_what_the_class_asks():
    """The llama.cpp build in this venv runs here, and `LLAMA_CPU=avx2 make test` really tests the
    build an AVX2-only machine gets (no AVX-512 kernels, whose greedy output differs slightly)."""
    built, flags = llama_build_features(), cpu_flags()
    assert {"AVX", "AVX2", "FMA", "F16C"} <= built, built
    assert not {f for f in built if f.startswith("AMX")}, built
    if "AVX512" in built:
        assert "avx512f" in flags, "an AVX-512 build on a CPU without AVX-512"
    if os.environ.get("LLAMA_CPU") == "avx2":
        assert "AVX512" not in built, "LLAMA_CPU=avx2, but the installed build has AVX-512 kernels"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_installs_again_when_the_cpu_class_changes(tmp_path):
    """The venv's stamp names the class: another LLAMA_CPU reinstalls llama.cpp, the same one does not."""
    venv = tmp_path / "venv"
    venv.mkdir()
    (venv / ".installed-auto").touch()

    def plan(cpu: str) -> str:
        return subprocess.run(["make", "-n", "-C", str(REPO), "install", f"VENV={venv}", f"LLAMA_CPU={cpu}"],
                              capture_output=True, text=True, check=True, timeout=60).stdout

    assert "llama-wheel.sh" not in plan("auto")
    again = plan("avx2")
    assert "llama-wheel.sh" in again and ".installed-avx2" in again
