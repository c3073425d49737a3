"""Copies an index and rewrites its full-text columns the way the current code writes them
(`Chunk.search_text`, `Chunk.name_text`), keeping its chunks and vectors; prints one JSON object.

    .venv/bin/python bench/search_text_variant.py SOURCE_DATA_DIR TARGET_DATA_DIR

A change to what is full-text indexed (not to what is embedded) is then measured without
re-embedding a corpus (kadaster-aktemodellen takes 15-25 minutes on two busy cores):
`bench/retrieval.py --index … --as-indexed` on the source and on the copy. SOURCE_DATA_DIR is a data
folder as bench/retrieval.py keeps one (DIR/MODEL/CORPUS, holding index/).
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import pyarrow as pa  # noqa: E402

from knowledge.index.schema import NAME_COLUMN, TABLE, TEXT_COLUMN, chunk_of  # noqa: E402
from knowledge.index.store import ChunkStore  # noqa: E402


def main() -> None:
    source, target = (Path(arg) for arg in sys.argv[1:3])
    if target.exists():
        sys.exit(f"{target} exists: choose a new folder")
    shutil.copytree(source, target)
    started = time.perf_counter()
    store = ChunkStore(str(target / "index"))
    table = store._db.open_table(TABLE)
    rows = table.to_lance().to_table()
    chunks = [chunk_of(row) for row in rows.to_pylist()]
    texts = [chunk.search_text for chunk in chunks]
    changed = sum(old != new for old, new in zip(rows[TEXT_COLUMN].to_pylist(), texts))
    rows = rows.set_column(rows.schema.get_field_index(TEXT_COLUMN), TEXT_COLUMN, pa.array(texts, pa.string()))
    names = pa.array([chunk.name_text for chunk in chunks], pa.string())
    rows = (rows.set_column(rows.schema.get_field_index(NAME_COLUMN), NAME_COLUMN, names)
            if NAME_COLUMN in rows.column_names else rows.append_column(NAME_COLUMN, names))
    rewritten = store._db.create_table(TABLE, data=rows, schema=rows.schema, mode="overwrite")
    store._create_fts_index(rewritten)
    print(json.dumps({"source": str(source), "target": str(target), "chunks": rows.num_rows,
                      "full_text_changed": changed, "seconds": round(time.perf_counter() - started, 1)}))


if __name__ == "__main__":
    main()
