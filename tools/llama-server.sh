#!/usr/bin/env bash
# Build (once) llama.cpp's own HTTP server, `llama-server`, and print its path.
#
# The source is the llama.cpp that llama-cpp-python $LLAMA_VERSION vendors (its sdist's vendor/llama.cpp;
# 0.3.36 carries llama.cpp 0c1e57098), so the server runs the very kernels the in-process backend runs,
# and the flags are the wheel's (tools/llama-wheel.sh --flags: GGML_NATIVE=OFF, AVX2 or AVX-512 class,
# never AMX; LLAMA_CPU and LLAMA_CMAKE_ARGS work as there). A static binary without the web UI, HTTPS
# or downloads: it serves one local GGUF file on a port. Kept in a folder named after the version and
# a hash of the flags, like the wheel, so a binary built with other flags is never taken.
#
#   tools/llama-server.sh [PYTHON]          # prints the binary's path, building it first if needed (~5 min on 2 cores)
#   VRAAGBAAK_SERVER_CACHE=DIR              # where the folders live (default ~/.cache/vraagbaak/llama-server)
set -euo pipefail

PYTHON=${1:-python3}
HERE=$(cd "$(dirname "$0")" && pwd)
LLAMA_VERSION=${LLAMA_VERSION:-0.3.36}
export LLAMA_VERSION
ARGS=$("$HERE/llama-wheel.sh" --flags)
SERVER_ARGS="-DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF -DLLAMA_BUILD_SERVER=ON -DLLAMA_BUILD_TOOLS=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_APP=OFF -DLLAMA_BUILD_UI=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF"
KEY=$(printf '%s %s %s' "$LLAMA_VERSION" "$ARGS" "$SERVER_ARGS" | sha256sum | cut -c1-12)
CACHE=${VRAAGBAAK_SERVER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/vraagbaak/llama-server}
DIR="$CACHE/llama-server-$LLAMA_VERSION-$KEY"

if [ ! -x "$DIR/llama-server" ]; then
    echo "llama-server (llama-cpp-python $LLAMA_VERSION) wordt gecompileerd (eenmalig) met: $ARGS" >&2
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT
    "$PYTHON" -m pip download --quiet --no-deps --no-binary llama-cpp-python --dest "$WORK" \
        "llama-cpp-python==$LLAMA_VERSION" >&2
    tar -xzf "$WORK"/llama_cpp_python-"$LLAMA_VERSION".tar.gz -C "$WORK"
    SOURCE="$WORK/llama_cpp_python-$LLAMA_VERSION/vendor/llama.cpp"
    GENERATOR=()
    if command -v ninja >/dev/null; then GENERATOR=(-G Ninja); fi
    # shellcheck disable=SC2086  # the flags are words on purpose
    cmake -S "$SOURCE" -B "$WORK/build" "${GENERATOR[@]}" $ARGS $SERVER_ARGS -Wno-dev >&2
    cmake --build "$WORK/build" --target llama-server --parallel "$(nproc)" >&2
    mkdir -p "$DIR.tmp"
    cp "$WORK/build/bin/llama-server" "$DIR.tmp/llama-server"
    printf '%s\n%s\n' "$ARGS" "$SERVER_ARGS" >"$DIR.tmp/CMAKE_ARGS"
    rm -rf "$DIR" && mv "$DIR.tmp" "$DIR"
fi
printf '%s\n' "$DIR/llama-server"
