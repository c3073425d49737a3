"""Curated answers stay true to the documents. When an answer is decided, the content hash of each
source document in the index is kept (`source_fingerprints`). After every re-index an answer whose
source changed or was removed is suspended, with a Dutch reason, and the observers (the Slack layer
DMs the owner) are told once. A full consistency check re-reads every document but changes no
hash, so it suspends nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING

from bot.curation.types import CuratedAnswer, source_key
from bot.curation.wording import stale_reason

if TYPE_CHECKING:
    from bot.answering.types import Source
    from bot.curation.store import CuratedStore
    from bot.indexing.reindexer import RunReport
    from bot.operations.observers import Observers

log = logging.getLogger(__name__)

DocumentHashes = Callable[[str], dict[str, str]]  # collection -> {doc_id: content hash} in the index
# A notice claimed this long ago and not sent: its process died; another may claim it.
NOTICE_CLAIM_S = 300.0


def review_scope(run: "RunReport | None") -> set[str] | None:
    """The collections a run re-indexed (None: all of them, when there is no run to go by)."""
    if run is not None and not run.reports:
        return set()
    return None if run is None else set(run.reports)


def stale_answers(answers: Iterable[CuratedAnswer], documents: DocumentHashes,
                  collections: set[str] | None) -> Iterator[tuple[CuratedAnswer, str]]:
    """Each answer (within `collections`) whose source documents changed or went, with the reason;
    one at a time, so the caller suspends it before the next is looked at."""
    affected = [a for a in answers if a.source_fingerprints
                and (collections is None or any(k.split(":", 1)[0] in collections
                                                for k in a.source_fingerprints))]
    hashes: dict[str, dict[str, str] | None] = {}
    for answer in affected:
        changed: list[Source] = []
        removed: list[Source] = []
        for source in answer.sources:
            key = source_key(source)
            if key not in answer.source_fingerprints:
                continue
            if source.collection not in hashes:
                hashes[source.collection] = _readable_hashes(documents, source.collection)
            indexed = hashes[source.collection]
            if indexed is None:  # cannot tell: nothing is suspended on a guess
                changed, removed = [], []
                break
            now = indexed.get(source.path)
            if now is None:
                removed.append(source)
            elif now != answer.source_fingerprints[key]:
                changed.append(source)
        if changed or removed:
            yield answer, stale_reason(changed, removed)


def _readable_hashes(documents: DocumentHashes, collection: str) -> dict[str, str] | None:
    try:
        return documents(collection)
    except Exception:
        log.warning("could not read the documents of %s; its curated answers are not checked now",
                    collection, exc_info=True)
        return None


def tell_owners(store: "CuratedStore", observers: "Observers[[list[CuratedAnswer]]]") -> None:
    """Every suspended answer whose owner was not told yet (also those a re-index in another process
    suspended) goes to the observers; marked told when none of them failed (a DM that failed is
    tried again after the next run). Each notice is claimed in the database first, so of several
    replicas watching, one tells the owner."""
    if not observers:
        return  # told by the process that has observers (`serve`), after its next run
    stale = datetime.now(timezone.utc) - timedelta(seconds=NOTICE_CLAIM_S)
    claimed = store.claim_untold(stale.isoformat(timespec="seconds"))
    if not claimed:
        return
    answers = [a for a in (store.get(i) for i in store.untold() if i in claimed) if a is not None]
    if answers and observers.notify(answers):
        store.mark_told([a.id for a in answers])
    else:
        store.release_claims(sorted(claimed))
