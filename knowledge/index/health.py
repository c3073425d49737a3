"""Damage forensics for the LanceDB table: which file is missing, cut off or unreadable, found by
looking at the files of the latest version (for `vraagbaak doctor` and every read's error message).

Lance 14, tried on a full tmpfs and on damaged files: a missing or damaged file is raised by every
read; `damage` looks for it on purpose (every file of the latest version, then a full read), and
the store's `drop()` removes the table so that `vraagbaak index --full` builds it anew.
"""

from __future__ import annotations

import errno
import json
import logging
import re
import time
from dataclasses import dataclass
from pathlib import Path

from knowledge.index.schema import TABLE

ORPHAN_AGE_S = 120.0  # data files without any manifest, older than this: the manifests were lost
_U64_MAX = 2**64 - 1  # Lance's V2 manifest names count down from here: the newest sorts first

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class IndexProblem:
    """One damaged part of the table: a file (relative to the table's folder), what is wrong with it
    (Dutch), and the version it belongs to when known."""

    file: str
    problem: str
    version: int | None = None

    def __str__(self) -> str:
        return (f"versie {self.version}: " if self.version is not None else "") + f"{self.file} {self.problem}"


def damage(folder: Path | None, dataset_uri: str,
           storage_options: dict[str, str] | None = None) -> list[IndexProblem]:
    """What is wrong with the table's files, found by looking (for `vraagbaak doctor`): every
    file the latest version needs is there and as large as written, then every row and the
    full-text index are read once. Empty when the table is whole, or when there is none.
    `folder`: the table's folder (None for object storage, whose own errors are raised)."""
    problems = structural_damage(folder, dataset_uri, storage_options)
    if problems or folder is not None and not (folder.exists() and manifests(folder)):
        return problems  # damaged, or no table (yet): nothing to read
    dataset = _dataset(dataset_uri, storage_options)
    if dataset is None:
        return []  # no table in the object store (yet)
    version, problems = dataset.version, []
    for fragment in dataset.get_fragments():  # every column of every row, decoded
        try:
            for _ in fragment.to_batches(batch_size=1024):
                pass
        except Exception as exc:
            files = ", ".join(f"data/{f.path}" for f in fragment.metadata.files)
            problems.append(IndexProblem(files, f"is onleesbaar (corrupt): {first_line(exc)}", version))
    for index in dataset.describe_indices():
        try:
            dataset.prewarm_index(index.name)  # reads the whole index
        except Exception as exc:
            named = damaged_file(exc)
            where = named if named != f"{TABLE}.lance" else "_indices/"
            problems.append(IndexProblem(where, f"(zoekindex {index.name}) is onleesbaar: {first_line(exc)}",
                                         version))
    return problems


def structural_damage(folder: Path | None, dataset_uri: str,
                      storage_options: dict[str, str] | None = None) -> list[IndexProblem]:
    """Manifests, and the files the latest version names, without reading any data."""
    import lance

    found_manifests: list[tuple[int, Path]] = []
    if folder is not None:
        if not folder.exists():
            return []
        found_manifests = manifests(folder)
        if not found_manifests:
            if orphans(folder):
                return [IndexProblem("_versions/", "bevat geen enkel versiebestand (manifest) meer: "
                                                   "de gegevens in data/ zijn onvindbaar")]
            return []
    if folder is None:  # an object store: its own errors are the caller's to explain
        dataset = _dataset(dataset_uri, storage_options)
        if dataset is None:
            return []
    else:
        try:
            dataset = lance.dataset(dataset_uri)
        except Exception as exc:
            if not found_manifests:
                return [IndexProblem(f"{TABLE}.lance", f"is onleesbaar: {first_line(exc)}")]
            version, newest = found_manifests[0]
            return [IndexProblem(f"_versions/{newest.name}", "is onleesbaar (afgekapt of beschadigd)", version)]
    version = dataset.version
    problems = []
    hinted = hinted_version(folder) if folder is not None else None
    if hinted is not None and hinted > version:
        v2_names = not found_manifests or int(found_manifests[0][1].stem) > 2**63
        name = f"{_U64_MAX - hinted:020d}" if v2_names else str(hinted)
        problems.append(IndexProblem(f"_versions/{name}.manifest",
                                     f"ontbreekt: de index toont de oudere versie {version}", hinted))
    if folder is not None:
        problems.extend(missing_or_short(dataset, folder, version))
    return problems


def _dataset(uri: str, storage_options: dict[str, str] | None):
    """The dataset in an object store, None when it has none; the store's own errors are raised."""
    import lance

    try:
        return lance.dataset(uri, storage_options=storage_options)
    except ValueError as exc:
        if "was not found" in str(exc) or "Not found" in str(exc):
            return None
        raise


def damage_detail(folder: Path | None, dataset_uri: str, exc: BaseException,
                  storage_options: dict[str, str] | None = None) -> str:
    """Which file and what is wrong with it: from a look at the files of the latest version
    (cheap: no data is read), else from Lance's message."""
    try:
        found = structural_damage(folder, dataset_uri, storage_options)
    except Exception:  # the message below still says something
        log.debug("looking for the damaged file failed", exc_info=True)
        found = []
    if found:
        return f"tabel '{TABLE}': {found[0]}"
    text, name = str(exc), damaged_file(exc)
    named = name != f"{TABLE}.lance"
    if "Not found" in text or "No such file" in text:
        return f"tabel '{TABLE}': bestand {name} ontbreekt"
    if "Permission denied" in text:
        return f"tabel '{TABLE}': geen leesrechten op {name}"
    if "Invalid range" in text or "too small" in text:
        return f"tabel '{TABLE}': {'bestand ' + name if named else 'een bestand'} is afgekapt"
    return f"tabel '{TABLE}': {'bestand ' + name if named else 'een bestand'} is onleesbaar"


def damaged_file(exc: BaseException) -> str:
    """The file Lance's message names, relative to the table's folder."""
    found = re.search(rf"{re.escape(TABLE)}\.lance/([^\s,]+\.(?:lance|manifest|txn|json))(?=[\s,]|$)", str(exc))
    return found.group(1) if found else f"{TABLE}.lance"


def is_lance_error(exc: BaseException) -> bool:
    """Lance's errors come as RuntimeError, OSError, ValueError or pyarrow's ArrowInvalid; their text
    says where they come from."""
    text = str(exc)
    return any(mark in text for mark in ("LanceError", "lance error", "External error"))


def is_disk_full(exc: BaseException | None) -> bool:
    """ENOSPC from Python, or from Lance's Rust code (`No space left on device (os error 28)`)."""
    while exc is not None:
        if getattr(exc, "errno", None) == errno.ENOSPC or "os error 28" in str(exc):
            return True
        exc = exc.__cause__
    return False


def orphans(folder: Path) -> bool:
    """Data of the table on disk, but no version to read it by (every manifest gone). Files younger
    than ORPHAN_AGE_S may be a first write on its way to its first commit: not orphans yet."""
    if manifests(folder):
        return False
    cutoff = time.time() - ORPHAN_AGE_S
    try:
        return any(path.stat().st_mtime < cutoff for path in (folder / "data").glob("*.lance"))
    except FileNotFoundError:  # removed while looking: a drop, not damage
        return False


def manifests(folder: Path) -> list[tuple[int, Path]]:
    """(version, file) of every manifest, the newest first. Lance's V2 names count down from
    2**64 - 1; V1 names are the version itself."""
    found = []
    for path in (folder / "_versions").glob("*.manifest"):
        try:
            number = int(path.stem)
        except ValueError:
            continue
        found.append((_U64_MAX - number if number > 2**63 else number, path))
    return sorted(found, reverse=True)


def hinted_version(folder: Path) -> int | None:
    """The version Lance last committed, as its hint file says (None when there is none)."""
    try:
        return int(json.loads((folder / "_versions" / "latest_version_hint.json").read_text())["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def missing_or_short(dataset, folder: Path, version: int) -> list[IndexProblem]:
    """Files of `version` that are gone, and data files shorter or longer than Lance wrote them."""
    sizes = {f"data/{file.path}": file.file_size_bytes
             for fragment in dataset.get_fragments() for file in fragment.metadata.files}
    tracked = dataset.tracked_files(min_version=version).read_all().to_pylist()
    problems = []
    for entry in tracked:
        if entry["version"] != version or entry["type"] == "manifest":
            continue
        path = folder / entry["path"]
        if not path.exists():
            problems.append(IndexProblem(entry["path"], "ontbreekt", version))
            continue
        expected, actual = sizes.get(entry["path"]), path.stat().st_size
        if expected and actual != expected:
            problems.append(IndexProblem(entry["path"], f"is afgekapt of beschadigd: {actual} van {expected} bytes",
                                         version))
    return problems


def first_line(exc: BaseException) -> str:
    """Lance's message without the Rust source locations it ends in."""
    line = (str(exc).splitlines() or [type(exc).__name__])[0]
    return re.sub(r",\s*/\S+\.rs:\d+:\d+.*$", "", line)[:300]
