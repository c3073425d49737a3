# Vraagbaak: `make demo` runs it on the offline default models, `make test` runs the tests.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# LLAMA_CPU (auto, avx2 or avx512) picks the llama.cpp build class (tools/llama-wheel.sh). The venv
# remembers which class it holds: `LLAMA_CPU=avx2 make test` on an AVX-512 machine runs the suite on the
# build an AVX2-only machine (an AMD EPYC) gets, and a later plain `make test` puts this CPU's class back.
LLAMA_CPU ?= auto
export LLAMA_CPU
STAMP  := $(VENV)/.installed-$(LLAMA_CPU)

.PHONY: demo test install bench clean-data

# llama-cpp-python is compiled once by tools/llama-wheel.sh with portable flags (AVX2, no AMX: see
# that script) into a wheel folder named after the flags, so no wheel built with other flags (pip's
# cache may hold a native one) is ever installed. LLAMA_CMAKE_ARGS="..." overrides the flags.
$(STAMP): pyproject.toml tools/llama-wheel.sh
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --upgrade --quiet pip
	# CPU-only torch first: on this machine the pinned 2.13.0 resolves to the local CPU wheel.
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet --force-reinstall --no-deps "$$(tools/llama-wheel.sh $(BIN)/python)"
	$(BIN)/pip install --quiet -e ".[test]"
	rm -f $(VENV)/.installed*
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/vraagbaak index
	$(BIN)/vraagbaak search "hoeveel vakantiedagen krijg ik"
	$(BIN)/vraagbaak ask "Hoeveel vakantiedagen heb ik per jaar?"

# The tests start llama.cpp's own server too (tests/servers/llama.py): built once, cached like the wheel.
test: $(STAMP)
	$(BIN)/ruff check .
	tools/llama-server.sh $(BIN)/python >/dev/null
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/retrieval.py
	$(BIN)/python bench/embedding.py
	$(BIN)/python bench/search_latency.py
	$(BIN)/python bench/reindex.py
	$(BIN)/python bench/disk.py
	$(BIN)/python bench/answer.py
	$(BIN)/python bench/templates.py
	$(BIN)/python bench/llama_build.py

clean-data:
	rm -rf data
