#!/usr/bin/env bash
# Build (once) the llama-cpp-python wheel for this machine's CPU class and print its path.
#
# Never AMX: a native build (GGML_NATIVE, the default of a plain `pip install llama-cpp-python`) on
# a CPU with AMX (Intel Sapphire Rapids and later) compiles llama.cpp's AMX kernels, which die on the
# first generation (`ldtilecfg`/`tileloadd`: SIGILL, or SIGSEGV on some kernels): upstream llama.cpp
# pull request #26954. So the flags are explicit, GGML_NATIVE=OFF, AMX off, and one of two classes:
#   avx2    runs on every x86-64 CPU with AVX2 (Haswell 2013, every later Intel and AMD server CPU);
#           the default for images (deploy/Dockerfile), which may run on another CPU than they were
#           built on, and what `vraagbaak doctor` advises to rebuild with.
#   avx512  AVX2 + AVX-512 (F/CD/BW/DQ/VL, plus VNNI/VBMI/BF16 where this CPU has them): ~1.25x
#           prompt processing on such CPUs (bench/README.md), runs only on CPUs that have them.
#   LLAMA_CPU=auto (default) takes avx512 when this machine's CPU has it, else avx2. Why not one
#   build that picks at run time (GGML_BACKEND_DL + GGML_CPU_ALL_VARIANTS): bench/README.md,
#   "Portable llama.cpp build".
#
# The wheel is kept in a folder named after the llama-cpp-python version and a hash of the build flags,
# so a wheel built earlier with other flags (pip's own cache may hold a native one) is never reused.
#
#   tools/llama-wheel.sh [PYTHON]                # prints the wheel's path, building it first if needed
#   tools/llama-wheel.sh --flags                  # prints the CMake flags only (tools/llama-server.sh builds with them)
#   LLAMA_CPU=avx2 tools/llama-wheel.sh           # the AVX2 class whatever this CPU has
#   LLAMA_CMAKE_ARGS="..." tools/llama-wheel.sh   # other flags (e.g. -DGGML_CUDA=on) get their own folder
#   VRAAGBAAK_WHEEL_CACHE=DIR                     # where the folders live (default ~/.cache/vraagbaak/wheels)
set -euo pipefail

PYTHON=${1:-python3}
LLAMA_VERSION=${LLAMA_VERSION:-0.3.36}
PORTABLE_ARGS="-DGGML_NATIVE=OFF -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DLLAVA_BUILD=OFF"
CPUINFO=${LLAMA_CPUINFO:-/proc/cpuinfo}
has() { grep -qw -- "$1" "$CPUINFO" 2>/dev/null; }
on_if() { if has "$1"; then echo ON; else echo OFF; fi; }

cpu=${LLAMA_CPU:-auto}
if [ "$cpu" = auto ]; then
    cpu=avx2
    if has avx512f && has avx512cd && has avx512bw && has avx512dq && has avx512vl; then cpu=avx512; fi
fi
case "$cpu" in
    avx2) CLASS_ARGS=$PORTABLE_ARGS ;;
    avx512) CLASS_ARGS="-DGGML_NATIVE=OFF -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=ON -DGGML_AVX512_VBMI=$(on_if avx512vbmi) -DGGML_AVX512_VNNI=$(on_if avx512_vnni) -DGGML_AVX512_BF16=$(on_if avx512_bf16) -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DLLAVA_BUILD=OFF" ;;
    *) echo "LLAMA_CPU moet auto, avx2 of avx512 zijn (niet '$cpu')" >&2; exit 2 ;;
esac
ARGS=${LLAMA_CMAKE_ARGS:-$CLASS_ARGS}
if [ "$PYTHON" = --flags ]; then printf '%s\n' "$ARGS"; exit 0; fi
KEY=$(printf '%s %s' "$LLAMA_VERSION" "$ARGS" | sha256sum | cut -c1-12)
CACHE=${VRAAGBAAK_WHEEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vraagbaak/wheels}
DIR="$CACHE/llama-cpp-python-$LLAMA_VERSION-$KEY"

wheel=$(ls "$DIR"/llama_cpp_python-"$LLAMA_VERSION"-*.whl 2>/dev/null | head -n 1 || true)
if [ -z "$wheel" ]; then
    echo "llama-cpp-python $LLAMA_VERSION wordt gecompileerd (eenmalig, ~6 min op 2 cores) met: $ARGS" >&2
    mkdir -p "$DIR.tmp"
    # --no-cache-dir: never take a wheel pip built earlier with other flags.
    CMAKE_ARGS="$ARGS" "$PYTHON" -m pip wheel --quiet --no-deps --no-cache-dir --no-binary llama-cpp-python \
        --wheel-dir "$DIR.tmp" "llama-cpp-python==$LLAMA_VERSION" >&2
    printf '%s\n' "$ARGS" >"$DIR.tmp/CMAKE_ARGS"
    rm -rf "$DIR" && mv "$DIR.tmp" "$DIR"
    wheel=$(ls "$DIR"/llama_cpp_python-"$LLAMA_VERSION"-*.whl | head -n 1)
fi
printf '%s\n' "$wheel"
