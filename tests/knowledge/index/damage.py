"""Ways a LanceDB table's files get damaged on a real disk (a deleted file, a cut-off copy, a
restore that missed a file), applied to a real table in tmp_path. Each returns the file it hit,
relative to the table's folder, for the tests to look for in what Vraagbaak says."""

from __future__ import annotations

import os
import time
import warnings
from pathlib import Path
from typing import Callable

import lance


def _newest_data_file(table: Path) -> Path:
    fragment = lance.dataset(str(table)).get_fragments()[-1]
    return table / "data" / fragment.metadata.files[0].path


def _newest_manifest(table: Path) -> Path:
    return sorted((table / "_versions").glob("*.manifest"))[0]  # Lance's V2 names: the newest sorts first


def _index_file(table: Path) -> Path:
    """A file of the full-text index the latest version uses (older indices' folders stay a while)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the one listing that gives the folder
        index = lance.dataset(str(table)).list_indices()[0]
    return next((table / "_indices" / index["uuid"]).glob("part_*_invert.lance"))


def _delete(table: Path, path: Path) -> str:
    path.unlink()
    return str(path.relative_to(table))


def _cut(table: Path, path: Path, size: int) -> str:
    os.truncate(path, size)
    return str(path.relative_to(table))


def delete_data_file(table: Path) -> str:
    return _delete(table, _newest_data_file(table))


def truncate_data_file(table: Path) -> str:
    path = _newest_data_file(table)
    return _cut(table, path, path.stat().st_size // 3)


def overwrite_data_file(table: Path) -> str:
    """Same size, other bytes: what a bad sector or a botched copy leaves."""
    path = _newest_data_file(table)
    with path.open("r+b") as handle:
        handle.write(b"\0" * 256)
    return str(path.relative_to(table))


def delete_newest_manifest(table: Path) -> str:
    return _delete(table, _newest_manifest(table))


def truncate_newest_manifest(table: Path) -> str:
    return _cut(table, _newest_manifest(table), 40)


def delete_every_manifest(table: Path) -> str:
    """Long after the table was written (younger data files without a manifest may be a first write
    on its way to its commit)."""
    for path in (table / "_versions").glob("*.manifest"):
        path.unlink()
    an_hour_ago = time.time() - 3600
    for path in (table / "data").glob("*.lance"):
        os.utime(path, (an_hour_ago, an_hour_ago))
    return "_versions/"


def delete_index_file(table: Path) -> str:
    return _delete(table, _index_file(table))


DAMAGES: dict[str, Callable[[Path], str]] = {
    "deleted data file": delete_data_file,
    "truncated data file": truncate_data_file,
    "overwritten data file": overwrite_data_file,
    "deleted newest manifest": delete_newest_manifest,
    "truncated newest manifest": truncate_newest_manifest,
    "every manifest deleted": delete_every_manifest,
    "deleted full-text index file": delete_index_file,
}
