"""llama.cpp builds compared on this machine: prompt processing and generation tokens/s; prints JSON.

    .venv/bin/python bench/llama_build.py [--wheel LABEL=PATH ...] [--repeats 3]

Without --wheel it compares every llama-cpp-python wheel that tools/llama-wheel.sh has built in its
cache (each folder holds the flags it was built with), the portable one first. Each wheel is
unpacked into a temporary folder and measured in a child process, on a worker thread as the bot
generates (a native AMX build dies there with SIGILL: reported as `crashed`), with the packaged
SmolLM2, 2 threads, a ~300-token prompt and 64 greedy tokens. Ratios are against the portable build,
measured in the same run. Target (issue 10): portable >= 0.9x the best build that does not crash.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.model_files.resolving import packaged_llm_path  # noqa: E402
from bot.operations.selftest import PORTABLE_CMAKE_ARGS  # noqa: E402

CHILD = r"""
import json, statistics, sys, threading, time
from llama_cpp import Llama

model, repeats = sys.argv[1], int(sys.argv[2])
out = {}

def measure():
    llm = Llama(model_path=model, n_ctx=1024, n_threads=2, n_threads_batch=2, verbose=False)
    text = ("Medewerkers van Polderlicht hebben recht op vijfentwintig vakantiedagen per jaar. " * 30)
    prompt = llm.tokenize(text.encode())[:300]
    pp, tg = [], []
    for _ in range(repeats):
        llm.reset()
        started = time.perf_counter()
        llm.eval(prompt)
        pp.append(len(prompt) / (time.perf_counter() - started))
        n, first = 0, None
        for _token in llm.generate(prompt, top_k=1, temp=0.0):  # the evaluated prompt is reused
            n += 1
            if first is None:
                first = time.perf_counter()
            if n == 65:
                break
        tg.append((n - 1) / (time.perf_counter() - first))
    out.update(prompt_tokens=len(prompt), pp_tps=statistics.median(pp), tg_tps=statistics.median(tg))

worker = threading.Thread(target=measure)
worker.start()
worker.join()
print(json.dumps(out))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", action="append", default=[], help="LABEL=PATH of a llama-cpp-python wheel")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    wheels = dict(w.split("=", 1) for w in args.wheel) if args.wheel else _cached_wheels()
    results = {}
    with tempfile.TemporaryDirectory(prefix="vraagbaak-llama-bench-") as tmp:
        for label, wheel in wheels.items():
            target = Path(tmp) / label
            subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target",
                            str(target), wheel], check=True)
            results[label] = _measure(target, args.repeats)
            results[label]["flags"] = _flags(Path(wheel))
    portable = results.get("portable", {})
    for result in results.values():
        if "pp_tps" in result and "pp_tps" in portable:
            result["pp_vs_portable"] = round(result["pp_tps"] / portable["pp_tps"], 3)
            result["tg_vs_portable"] = round(result["tg_tps"] / portable["tg_tps"], 3)
    print(json.dumps({"model": packaged_llm_path().name, "threads": 2, "builds": results,
                      "cpu_flags": _cpu_flags(), "load_average": os.getloadavg()[0]}, indent=2))


def _measure(target: Path, repeats: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(target)}
    done = subprocess.run([sys.executable, "-c", CHILD, str(packaged_llm_path()), str(repeats)],
                          env=env, capture_output=True, text=True, timeout=600)
    if done.returncode < 0:
        return {"crashed": signal.Signals(-done.returncode).name}
    if done.returncode != 0:
        return {"failed": done.stderr.strip().splitlines()[-1:]}
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    return {k: round(v, 1) if isinstance(v, float) else v for k, v in figures.items()}


def _cached_wheels() -> dict[str, str]:
    """The portable wheel and any other tools/llama-wheel.sh built, labelled by their flags."""
    cache = Path(os.environ.get("VRAAGBAAK_WHEEL_CACHE", Path.home() / ".cache" / "vraagbaak" / "wheels"))
    wheels = {}
    for folder in sorted(cache.glob("llama-cpp-python-*")):
        found = sorted(folder.glob("*.whl"))
        if not found or folder.name.endswith(".tmp"):
            continue
        flags = _flags(found[0])
        label = ("portable" if flags == PORTABLE_CMAKE_ARGS else "native" if "GGML_NATIVE=ON" in flags
                 else "avx512" if "GGML_AVX512=ON" in flags else folder.name)
        wheels[label] = str(found[0])
    return dict(sorted(wheels.items(), key=lambda kv: kv[0] != "portable"))


def _flags(wheel: Path) -> str:
    flags = wheel.parent / "CMAKE_ARGS"
    return flags.read_text().strip() if flags.is_file() else "?"


def _cpu_flags() -> list[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return []
    flags = next((line.split(":", 1)[1].split() for line in text.splitlines() if line.startswith("flags")), [])
    return sorted(f for f in set(flags) if f.startswith(("avx512f", "avx512_vnni", "avx2", "amx")))


if __name__ == "__main__":
    main()
