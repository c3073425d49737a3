#!/usr/bin/env bash
# Build (once) the portable llama-cpp-python wheel and print its path.
#
# Portable means: runs on every x86-64 CPU with AVX2 (Haswell, 2013, and every later Intel and AMD
# server CPU), and never executes AMX tile instructions. A native build (GGML_NATIVE, the default of
# a plain `pip install llama-cpp-python`) on a CPU with AMX (Intel Sapphire Rapids and later) compiles
# llama.cpp's AMX kernels, which die with SIGILL (`tileloadd`) on the first generation from a worker
# thread: upstream llama.cpp pull request #26954. Why AVX2 and not runtime CPU-variant selection
# (GGML_BACKEND_DL + GGML_CPU_ALL_VARIANTS, which would use AVX-512 where present): see bench/README.md,
# "Portable llama.cpp build".
#
# The wheel is kept in a folder named after the llama-cpp-python version and a hash of the build flags,
# so a wheel built earlier with other flags (pip's own cache may hold a native one) is never reused.
#
#   tools/llama-wheel.sh [PYTHON]          # prints the wheel's path, building it first if needed
#   LLAMA_CMAKE_ARGS="..." tools/llama-wheel.sh   # other flags (e.g. -DGGML_CUDA=on) get their own folder
#   VRAAGBAAK_WHEEL_CACHE=DIR               # where the folders live (default ~/.cache/vraagbaak/wheels)
set -euo pipefail

PYTHON=${1:-python3}
LLAMA_VERSION=${LLAMA_VERSION:-0.3.36}
PORTABLE_ARGS="-DGGML_NATIVE=OFF -DGGML_SSE42=ON -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON -DGGML_AVX512=OFF -DGGML_AVX512_VBMI=OFF -DGGML_AVX512_VNNI=OFF -DGGML_AVX512_BF16=OFF -DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DLLAVA_BUILD=OFF"
ARGS=${LLAMA_CMAKE_ARGS:-$PORTABLE_ARGS}
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
