"""The configured sources at work: their content sync (part of every re-index), their permission
sync (every few minutes, APScheduler), who is in their groups (for the asker's readers), and what
`vraagbaak sources`, `doctor` and the Home tab show of them.

Per source a small JSON file in the state folder keeps its cursor and its last results; the cursor
is written only after the index has the changes, so a failed run is repeated from the old one.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from bot.access.readers import GroupDirectory
from bot.indexing.source_config import SourceConfig, build_source
from bot.operations.observers import Observers
from bot.storage.files import write_atomically
from knowledge.errors import KnowledgeError
from knowledge.file_limits import FileLimits
from knowledge.models import IndexReport
from knowledge.sources.base import Principal, Source

if TYPE_CHECKING:
    from knowledge.index.store import ChunkStore
    from knowledge.indexing import IndexProgress
    from knowledge.source_indexing import PermissionReport, SourceIndexer

log = logging.getLogger(__name__)

SKIPPED_KEPT = 50  # documents that could not be read, kept per source for `vraagbaak sources`


@dataclass
class SourceState:
    """What is known of one source between runs (its file in the state folder)."""

    cursor: str | None = None
    last_sync: str = ""  # ISO 8601, UTC: the last content sync that was applied
    last_sync_error: str = ""
    last_permission_sync: str = ""
    last_permission_error: str = ""
    readers_changed: int = 0  # documents with other readers after the last permission sync
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[dict] = field(default_factory=list)  # {"path", "reason"}, the first SKIPPED_KEPT


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class SourceRuns:
    """The sources of the sources file, each feeding its own collection."""

    def __init__(self, configs: list[SourceConfig], *, state_dir: Path, indexer: Callable[[], "SourceIndexer"],
                 store: Callable[[], "ChunkStore"], limits: FileLimits = FileLimits(),
                 build: Callable[[SourceConfig], Source] | None = None) -> None:
        self.configs = {c.name: c for c in configs}
        self.state_dir = Path(state_dir) / "sources"
        self._indexer = indexer
        self._store = store
        self._build = build or (lambda config: build_source(config, limits=limits))
        self._sources: dict[str, Source] = {}
        self._lock = threading.Lock()
        # After a permission sync that changed readers: whoever keeps readers forgets them.
        self.readers_changed: Observers[[]] = Observers("source readers changed")

    @property
    def collections(self) -> dict[str, str]:
        """collection -> source name."""
        return {c.collection: c.name for c in self.configs.values()}

    def source(self, name: str) -> Source:
        with self._lock:
            if name not in self._sources:
                self._sources[name] = self._build(self.configs[name])
            return self._sources[name]

    # --- state ---------------------------------------------------------------------------------------

    def state(self, name: str) -> SourceState:
        try:
            raw = json.loads((self.state_dir / f"{name}.json").read_text(encoding="utf-8"))
            return SourceState(**{k: v for k, v in raw.items() if k in SourceState.__dataclass_fields__})
        except FileNotFoundError:
            return SourceState()
        except (OSError, ValueError, TypeError):
            log.warning("cannot read the state of source %s; it syncs from the start", name, exc_info=True)
            return SourceState()

    def _save(self, name: str, state: SourceState) -> None:
        write_atomically(self.state_dir / f"{name}.json", json.dumps(asdict(state), ensure_ascii=False, indent=1))

    # --- syncing -------------------------------------------------------------------------------------

    def sync(self, collection: str, *, full: bool = False, progress: "IndexProgress | None" = None,
             wait: bool = False) -> IndexReport:
        """The content sync of the source of `collection`; raises KnowledgeError (saved as its error)."""
        name = self.collections[collection]
        state = self.state(name)
        try:
            report, cursor = self._indexer().sync(self.source(name), collection=collection, cursor=state.cursor,
                                                  full=full, progress=progress, wait=wait)
        except Exception as exc:
            state.last_sync_error = str(exc) if isinstance(exc, KnowledgeError) else f"{type(exc).__name__}: {exc}"
            self._save(name, state)
            raise
        state.cursor, state.last_sync, state.last_sync_error = cursor, _now(), ""
        state.added, state.changed, state.removed = len(report.added), len(report.changed), len(report.removed)
        state.unchanged = report.unchanged
        state.skipped = [{"path": s.path, "reason": s.reason} for s in report.skipped[:SKIPPED_KEPT]]
        self._save(name, state)
        return report

    def sync_permissions(self) -> dict[str, "PermissionReport | str"]:
        """A permission-only sync of every source that has been synced once; per source its report or
        its error (Dutch). A source that fails keeps its readers until it answers again."""
        results: dict[str, PermissionReport | str] = {}
        changed = False
        for name, config in self.configs.items():
            state = self.state(name)
            if state.cursor is None:
                continue
            try:
                report = self._indexer().sync_readers(self.source(name), collection=config.collection,
                                                      cursor=state.cursor)
            except Exception as exc:
                reason = str(exc) if isinstance(exc, KnowledgeError) else f"{type(exc).__name__}: {exc}"
                log.warning("permission sync of %s failed: %s", name, reason)
                state.last_permission_error = reason
                results[name] = reason
            else:
                state.last_permission_sync, state.last_permission_error = _now(), ""
                state.readers_changed = len(report.changed)
                changed = changed or bool(report.changed)
                results[name] = report
            self._save(name, state)
        if changed:
            self.readers_changed.notify()
        return results

    # --- who is in a group ---------------------------------------------------------------------------

    def directory(self) -> GroupDirectory:
        return GroupDirectory(self._groups, self._members)

    def _groups(self) -> list[str]:
        store = self._store()
        groups: set[str] = set()
        for collection in self.collections:
            for keys in store.readers(collection).values():
                groups.update(k for k in keys if k.startswith("group:"))
        return sorted(groups)

    def _members(self, key: str) -> frozenset[str]:
        principal = Principal.from_key(key)
        if principal.source not in self.configs:
            return frozenset()
        return self.source(principal.source).members(principal)

    # --- for people ----------------------------------------------------------------------------------

    def overview(self) -> list[dict]:
        """Per source: kind, collection, host, last syncs, cursor age, counts, errors and unreadable
        documents; no secrets."""
        try:
            per_collection = self._store().stats().get("collections", {})
        except Exception:
            log.warning("could not read the index for the sources overview", exc_info=True)
            per_collection = {}
        rows = []
        for name, config in self.configs.items():
            state = self.state(name)
            counts = per_collection.get(config.collection, {})
            rows.append({
                "name": name, "kind": config.kind, "collection": config.collection, "host": config.host,
                "last_sync": state.last_sync or None, "cursor_age_s": _age_s(state.last_sync),
                "last_sync_error": state.last_sync_error or None,
                "last_permission_sync": state.last_permission_sync or None,
                "last_permission_error": state.last_permission_error or None,
                "readers_changed": state.readers_changed,
                "documents": counts.get("documents", 0), "chunks": counts.get("chunks", 0),
                "added": state.added, "changed": state.changed, "removed": state.removed,
                "unchanged": state.unchanged, "not_readable": state.skipped,
            })
        return rows

    def check(self, name: str) -> None:
        """Credentials and reachability; raises KnowledgeError with a Dutch reason."""
        self.source(name).check()

    def close(self) -> None:
        with self._lock:
            for source in self._sources.values():
                try:
                    source.close()
                except Exception:
                    log.warning("closing source %s failed", source.name, exc_info=True)
            self._sources.clear()


def _age_s(stamp: str) -> int | None:
    if not stamp:
        return None
    try:
        return int(time.time() - datetime.fromisoformat(stamp).timestamp())
    except ValueError:
        return None


def render_overview(rows: list[dict]) -> str:
    """`vraagbaak sources` for people (Dutch)."""
    if not rows:
        return "Geen bronnen ingesteld (VRAAGBAAK_SOURCES_FILE); alleen de mappen van VRAAGBAAK_SOURCES."
    lines = []
    for row in rows:
        age = row["cursor_age_s"]
        lines.append(f"{row['name']} ({row['kind']}, {row['host']}) -> collectie {row['collection']}")
        lines.append(f"  laatste synchronisatie: {row['last_sync'] or 'nog nooit'}"
                     + (f" ({age // 60} min. geleden)" if age is not None else ""))
        lines.append(f"  documenten: {row['documents']} ({row['chunks']} passages); laatste keer "
                     f"{row['added']} nieuw, {row['changed']} gewijzigd, {row['removed']} verwijderd, "
                     f"{row['unchanged']} ongewijzigd")
        lines.append(f"  leesrechten: {row['last_permission_sync'] or 'nog nooit'} gesynchroniseerd, "
                     f"{row['readers_changed']} document(en) met andere lezers")
        for key, label in (("last_sync_error", "fout bij synchroniseren"),
                           ("last_permission_error", "fout bij leesrechten")):
            if row[key]:
                lines.append(f"  {label}: {row[key]}")
        if row["not_readable"]:
            lines.append(f"  niet gelezen ({len(row['not_readable'])}):")
            lines.extend(f"    {item['path']}: {item['reason']}" for item in row["not_readable"])
    return "\n".join(lines)
