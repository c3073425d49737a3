"""LanceDB 0.40 on the S3-compatible store the tests start (SeaweedFS): everything the index does on a
local folder (create, append, merge, the Dutch full-text index and its refresh, open again, see
another writer's commit) works through `storage_options` alone, also with two writers at once, one
of them configured by the AWS_* variables that deploy/README.md documents."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import timedelta

import pyarrow as pa

from tests.processes import ChildProcess

DIM = 4


def _rows(ids: list[int], texts: list[str]) -> pa.Table:
    return pa.table({"id": ids, "text": texts,
                     "vector": pa.array([[float(i)] * DIM for i in ids], type=pa.list_(pa.float32(), DIM))})


def _connect(bucket):
    import lancedb

    return lancedb.connect(bucket.uri(), storage_options=bucket.storage_options,
                           read_consistency_interval=timedelta(0))


def _dutch_fts(table) -> None:
    from lancedb.index import FTS

    table.create_index("text", config=FTS(language="Dutch", stem=True, remove_stop_words=True,
                                          ascii_folding=True, lower_case=True, with_position=False))


def _found(table, words: str) -> list[int]:
    return sorted(row["id"] for row in table.search(words, query_type="fts").limit(10).to_list())


def test_the_index_lives_in_a_bucket(s3_bucket):
    writer = _connect(s3_bucket)
    table = writer.create_table("chunks", _rows([1, 2], ["Pasje vergeten bij de receptie",
                                                         "Vakantiedagen per jaar"]))
    _dutch_fts(table)
    table.add(_rows([3], ["Extra vakantiedagen kopen"]))
    (table.merge_insert("id").when_matched_update_all().when_not_matched_insert_all()
     .execute(_rows([2, 4], ["Vakantiedagen per jaar: vijfentwintig", "Thuiswerken op vrijdag"])))
    table.to_lance().optimize.optimize_indices()  # the index refresh after a re-index

    reader = _connect(s3_bucket).open_table("chunks")  # another replica, opening it afresh
    assert reader.count_rows() == 4
    assert _found(reader, "vakantiedagen") == [2, 3], "Dutch full-text search over the appended and merged rows"
    assert any(index.index_type == "FTS" for index in reader.list_indices())

    table.delete("id = 1")
    assert reader.count_rows() == 3, "a reader sees the writer's next commit without reopening"


def test_two_writers_at_once_lose_nothing(s3_bucket):
    """One writer is given `storage_options`, the other only the AWS_* environment variables."""
    _connect(s3_bucket).create_table("chunks", _rows([0], ["begin"]))
    writer = (
        "import sys, json, pyarrow as pa, lancedb\n"
        "bucket, options, who = sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])\n"
        "table = lancedb.connect(bucket, storage_options=options or None).open_table('chunks')\n"
        f"for i in range(10):\n"
        f"    n = who * 100 + i\n"
        f"    table.add(pa.table({{'id': [n], 'text': [f'regel {{n}}'], "
        f"'vector': pa.array([[0.5] * {DIM}], type=pa.list_(pa.float32(), {DIM}))}}))\n")
    options = s3_bucket.storage_options
    environment = dict(os.environ, AWS_ACCESS_KEY_ID=options["aws_access_key_id"],
                       AWS_SECRET_ACCESS_KEY=options["aws_secret_access_key"], AWS_ENDPOINT=options["aws_endpoint"],
                       AWS_REGION=options["aws_region"], AWS_ALLOW_HTTP="true")
    given = {1: (json.dumps(options), None), 2: ("{}", environment)}
    writers = [ChildProcess([sys.executable, "-c", writer, s3_bucket.uri(), given[who][0], str(who)],
                            env=given[who][1], stderr=subprocess.PIPE) for who in (1, 2)]
    try:
        errors = [w.communicate(timeout=180)[1] for w in writers]
    finally:
        for w in writers:
            w.stop()
    assert [w.returncode for w in writers] == [0, 0], errors
    ids = set(_connect(s3_bucket).open_table("chunks").to_arrow()["id"].to_pylist())
    assert ids == {0} | {who * 100 + i for who in (1, 2) for i in range(10)}
