"""The table's vectors in memory, kept for the index's current version, and an exact cosine search
over them. LanceDB searches an unindexed vector column by reading and decoding it for every query
(11-15 ms at 10k chunks on two busy cores); the same flat search here is one matrix product on one
BLAS thread (< 1 ms), and the result rows are then taken by position from the version the vectors
came from (bench/search_latency.py). Exact, like LanceDB's flat search: no approximate index, so
retrieval ranks stay as they were. Memory: 4 bytes per dimension per chunk (15 MB at 10k chunks of
384 dimensions).

Which rows a search may see (`where`, the store's SQL over collections and readers) is still decided
by Lance: the rows a filter lets through are read once per version and filter, and kept."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from threadpoolctl import ThreadpoolController

from knowledge.index.kept import KeptPerVersion
from knowledge.index.schema import result_rows

if TYPE_CHECKING:
    from lance import LanceDataset

MAX_FILTERS = 256  # filters (collections x readers) whose rows are kept per version


@dataclass
class _Version:
    """One version of the table: its dataset (pinned to that version), row ids and unit vectors."""

    dataset: "LanceDataset"
    row_ids: np.ndarray
    matrix: np.ndarray  # one unit vector per row, in the dataset's row order
    allowed: OrderedDict[str, np.ndarray] = field(default_factory=OrderedDict)  # filter -> row mask


class IndexVectors:
    """`nearest(vector, limit, where, columns)`: the rows of the version `version()` reports whose
    vectors are closest to `vector` by cosine, best first, with `_distance` as LanceDB gives it
    (1 - cosine); loaded from `dataset()` when the version changed."""

    def __init__(self, version: Callable[[], int], dataset: Callable[[], "LanceDataset"]) -> None:
        self._dataset = dataset
        self._kept = KeptPerVersion(version, self._load)
        self._filters = threading.Lock()
        # A matrix-vector product of this size is slower on two BLAS threads than on one when the
        # cores are busy (the question's embedding runs beside it): 6 ms against 0.6 ms at 10k. The
        # limit is process-wide: one search at a time sets and restores it, or one that began while
        # another held it would "restore" the other's limit for good.
        self._blas = ThreadpoolController().select(user_api="blas")
        self._one_thread = threading.Lock()

    def nearest(self, vector: "np.ndarray | Callable[[], np.ndarray]", limit: int, where: str | None,
                columns: list[str]) -> list[dict]:
        """`vector` may be a call that returns it (a future's `result`): it is asked for once the
        version's vectors and the rows the filter lets through are at hand, so that finding those
        overlaps the question's embedding instead of following it."""
        known = self._kept.current()
        allowed = self._allowed(known, where) if where and len(known.row_ids) else None
        vector = vector() if callable(vector) else vector
        if limit <= 0 or not len(known.row_ids):
            return []
        query = np.asarray(vector, dtype=np.float32).reshape(-1)
        with self._one_thread, self._blas.limit(limits=1):
            similarity = known.matrix @ (query / max(float(np.linalg.norm(query)), 1e-12))
        if allowed is not None:
            similarity = np.where(allowed, similarity, -np.inf)
            limit = min(limit, int(allowed.sum()))
        limit = min(limit, len(similarity))
        if limit <= 0:
            return []
        # Every row as close as the limit-th one, then the best first and equals in row order (as
        # LanceDB orders them): a chunk indexed twice has the same vector twice.
        distance = -similarity
        candidates = np.flatnonzero(distance <= np.partition(distance, limit - 1)[limit - 1])
        best = candidates[np.lexsort((candidates, distance[candidates]))][:limit]
        taken = known.dataset.take(best.tolist(), columns=[*columns, "_rowid"])
        rows = {row["_rowid"]: row for row in result_rows(taken)}
        found = []
        for position in best:
            row = rows[int(known.row_ids[position])]
            del row["_rowid"]
            row["_distance"] = float(1.0 - similarity[position])
            found.append(row)
        return found

    def warm(self) -> bool:
        """Read now for the current version unless they are already (kept.py); whether they were."""
        return self._kept.warm()

    def forget(self) -> None:
        self._kept.forget()

    def _load(self) -> tuple[int, _Version]:
        """The version the vectors were read from, and them (one thread at a time: kept.py)."""
        dataset = self._dataset()
        table = dataset.to_table(columns=["vector"], with_row_id=True)
        vectors = table["vector"].combine_chunks()
        matrix = vectors.values.to_numpy(zero_copy_only=False).astype(np.float32, copy=False)
        matrix = matrix.reshape(table.num_rows, vectors.type.list_size)
        matrix = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)
        return dataset.version, _Version(dataset, table["_rowid"].to_numpy(), np.ascontiguousarray(matrix))

    def _allowed(self, known: _Version, where: str) -> np.ndarray:
        """The rows this filter lets through, as a mask in the matrix's row order."""
        with self._filters:
            mask = known.allowed.get(where)
            if mask is not None:
                known.allowed.move_to_end(where)
                return mask
        passing = known.dataset.to_table(columns=[], filter=where, with_row_id=True)["_rowid"].to_numpy()
        mask = np.isin(known.row_ids, passing)
        with self._filters:
            known.allowed[where] = mask
            while len(known.allowed) > MAX_FILTERS:
                known.allowed.popitem(last=False)
        return mask
