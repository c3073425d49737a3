"""Snapshots of the KV cache for prompt beginnings that many requests share.

llama.cpp keeps one KV cache. A Dutch question right after an English one (or after a template)
finds the Dutch instructions gone from it and has them evaluated again: with Mistral-7B on a CPU
that costs seconds before the first token. This keeps a few snapshots of shared beginnings in
memory and puts the best one back when it covers more of the next prompt than the cache holds.

Beginnings are learned, not declared: when a prompt shares at least ``MIN_SHARED`` tokens with
one of the last few prompts, that shared part (the fixed instructions, which come first and
byte-identical on every call) is evaluated on its own and saved, unless a saved snapshot already
covers it; the rest of the prompt follows as usual. A snapshot is the KV cells of sequence 0 only
(llama_state_seq_*): for Mistral-7B about 130 KB per token, so ~45 MB for a 330-token instruction
block. It runs only on the model's worker thread.
"""

from __future__ import annotations

import ctypes
import logging
from collections import OrderedDict, deque
from typing import Sequence

log = logging.getLogger(__name__)

MIN_SHARED = 64  # tokens two prompts must share before their beginning is worth a snapshot
MAX_SHARED = 1024  # longer shared runs are one question asked twice (a retry), not instructions
MIN_GAIN = 32  # a snapshot is put back only when it covers this many more tokens than the cache
RECENT_PROMPTS = 8  # prompts remembered (as token ids) to find shared beginnings in


class PrefixStates:
    """Up to `capacity` snapshots, least recently used dropped first; 0 turns them off."""

    def __init__(self, llama, capacity: int) -> None:
        self._llama = llama
        self.capacity = max(capacity, 0)
        self._states: OrderedDict[tuple[int, ...], bytes] = OrderedDict()
        self._recent: deque[tuple[int, ...]] = deque(maxlen=RECENT_PROMPTS)

    @property
    def prefixes(self) -> list[int]:
        """Lengths in tokens of the saved beginnings, least recently used first."""
        return [len(key) for key in self._states]

    @property
    def nbytes(self) -> int:
        return sum(len(data) for data in self._states.values())

    def prepare(self, tokens: Sequence[int]) -> int:
        """Makes the KV cache hold as much of the beginning of `tokens` as it can; returns how many
        tokens of the prompt it holds (llama-cpp-python evaluates only the rest)."""
        live = self._live_prefix(tokens)
        if not self.capacity:
            return live
        try:
            return self._prepare(tokens, live)
        finally:
            self._recent.append(tuple(tokens))

    def _prepare(self, tokens: Sequence[int], live: int) -> int:
        best_key, covered = self._best(tokens)
        if best_key is not None and covered >= live + MIN_GAIN and self._restore(best_key):
            self._states.move_to_end(best_key)
            return covered
        shared = max([live, *(_common_prefix(prompt, tokens) for prompt in self._recent)])
        if MIN_SHARED <= shared <= MAX_SHARED and shared < len(tokens) and self._is_new(tokens, shared, covered):
            self._truncate(live)  # what follows is another request's own
            if shared > live:
                self._llama.eval(list(tokens[live:shared]))  # part of this prompt's evaluation anyway
            self._save(tuple(tokens[:shared]))
        return live

    # --- decisions ---------------------------------------------------------------------------
    def _live_prefix(self, tokens: Sequence[int]) -> int:
        llama = self._llama
        return _common_prefix(llama.input_ids[: llama.n_tokens].tolist(), tokens)

    def _best(self, tokens: Sequence[int]) -> tuple[tuple[int, ...] | None, int]:
        best_key, best = None, 0
        for key in self._states:
            shared = _common_prefix(key, tokens)
            if shared > best:
                best_key, best = key, shared
        return best_key, best

    def _is_new(self, tokens: Sequence[int], live: int, covered: int) -> bool:
        # A saved beginning that the prompt starts with is its fixed part; a longer shared run is
        # then only two questions that happened to get the same passage.
        if any(len(key) <= live and _common_prefix(key, tokens) == len(key) for key in self._states):
            return False
        return covered < live - MIN_GAIN

    # --- the KV cache ------------------------------------------------------------------------
    def _truncate(self, n: int) -> None:
        llama = self._llama
        llama._ctx.kv_cache_seq_rm(-1, n, -1)
        self._set_tokens(llama.input_ids[:n].tolist())

    def _save(self, key: tuple[int, ...]) -> None:
        import llama_cpp

        ctx = self._llama._ctx.ctx
        size = llama_cpp.llama_state_seq_get_size(ctx, 0)
        buffer = (ctypes.c_uint8 * size)()
        written = llama_cpp.llama_state_seq_get_data(ctx, buffer, size, 0)
        if not written:
            log.warning("could not snapshot the KV cache for a %d-token prompt beginning", len(key))
            return
        self._states[key] = bytes(buffer)[:written]
        while len(self._states) > self.capacity:
            self._states.popitem(last=False)
        log.info("saved the KV cache of a %d-token prompt beginning (%.1f MB; %d kept, %.1f MB in all)",
                 len(key), written / 1e6, len(self._states), self.nbytes / 1e6)

    def _restore(self, key: tuple[int, ...]) -> bool:
        import llama_cpp

        data = self._states[key]
        buffer = (ctypes.c_uint8 * len(data)).from_buffer_copy(data)
        self._llama._ctx.kv_cache_seq_rm(-1, 0, -1)
        if llama_cpp.llama_state_seq_set_data(self._llama._ctx.ctx, buffer, len(data), 0) != len(data):
            log.warning("could not restore a saved prompt beginning; evaluating the prompt in full")
            self._states.pop(key)
            self._llama._ctx.kv_cache_seq_rm(-1, 0, -1)
            self._set_tokens([])
            return False
        self._set_tokens(list(key))
        log.debug("restored the KV cache of a %d-token prompt beginning", len(key))
        return True

    def _set_tokens(self, tokens: list[int]) -> None:
        """Keeps llama-cpp-python's record of the cache (ids and count) in line with its cells."""
        llama = self._llama
        llama.input_ids[: len(tokens)] = tokens
        llama.n_tokens = len(tokens)
        if hasattr(llama, "_requires_eval"):
            llama._requires_eval = True  # the logits no longer belong to the last token


def _common_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n
