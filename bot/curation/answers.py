"""Curated answers ("vaste antwoorden"): answers an admin or a collection's owner decided on, served
as they are, without the model, to a question close enough to the one they were decided for.

Matching is built for precision: serving a fixed answer to a question it does not answer is worse
than letting the model answer it. A question gets a curated answer only when

1. **the words agree** (:func:`lexical_match`): every content word of the question occurs in the
   curated question (the same word, an inflection, or one typo away), at most one content word of
   the curated question is missing from the question, and when both ask a specific kind of thing
   (how many, when, where, who, why) it is the same kind. "Hoeveel vakantiedagen krijg ik?" agrees
   with "Hoeveel vakantiedagen heb ik per jaar?"; "Hoeveel ziektedagen …", "… voor parttimers" and
   "… kan ik meenemen naar volgend jaar?" do not (a word the curated question never covered); a
   question for an amount, a time, a place, a person or a reason is not answered by a curated
   answer to a yes/no question ("Hoeveel … meenemen?" against "Mag ik … meenemen?");
2. **the meaning agrees**: the cosine similarity of the two questions' embeddings is at least the
   threshold calibrated for the embedding model (:data:`CALIBRATED_MIN_SIMILARITY`,
   bench/curated.py on the sample company and the developer-overheid question sets).

Known limit: both checks read words, not their order: "van Utrecht naar Groningen" agrees with
"van Groningen naar Utrecht". Keep curated questions about one thing each.

Only the questions that pass (1) are embedded, so a question without a curated answer costs no
embedding here. A curated answer is served only where every collection it comes from may be
searched (its own collection and its sources' collections), so a restricted collection's answer
never reaches a channel that cannot see that collection.

Stale answers: when a curated answer is decided, the content hash of each source document in the
index is kept (`source_fingerprints`). After every re-index (:meth:`CuratedAnswers.review`) an
answer whose source changed or was removed is suspended, with a Dutch reason, and the observers
(the Slack layer DMs the owner) are told once. A full consistency check re-reads every document
but changes no hash, so it suspends nothing. The answers live in SQLite next to the feedback
(several processes can share it: the CLI adds, `serve` matches).
"""

from __future__ import annotations

import json
import logging
import os
import re
import sqlite3
import threading
import uuid
from collections.abc import Iterable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Literal

import numpy as np

from bot.answering.engine import Source
from bot.errors import VraagbaakError
from knowledge.query import QUERY_STOP_WORDS, index_words, normalise_question, one_typo_apart

if TYPE_CHECKING:
    from bot.indexing.reindexer import RunReport
    from knowledge.embeddings import Embedder

log = logging.getLogger(__name__)

Status = Literal["active", "suspended"]
Observer = Callable[[list["CuratedAnswer"]], None]
DocumentHashes = Callable[[str], dict[str, str]]  # collection -> {doc_id: content hash} in the index

# The least cosine similarity of the two questions (after their words agreed), per embedding model
# (a fragment of its name; the first that fits). bench/curated.py on tests/data/curated_pairs.jsonl:
# 46 curated questions of the sample company and of developer-overheid, 94 paraphrases and 46
# chat-style questions from the two qa sets, 97 near-misses, and every curated question against
# every other's wordings. all-MiniLM-L6-v2: no wrong pair gets past the words in either corpus
# (0 of 97 near-misses served, 0 wrong answers); the right pairs whose words agree have cosines
# from 0.705 (sample) and 0.747 (developer-overheid) up, so 0.70 keeps all of them; above 0.75
# recall drops in both (0.85: 81 of 94) without any precision to win. The cosine is the second
# check, for what word lists cannot see; on Dutch the small model cannot tell a near-miss from a
# paraphrase (near-misses score up to 0.99), which is why the words decide first.
CALIBRATED_MIN_SIMILARITY: tuple[tuple[str, float], ...] = (
    ("minilm", 0.70),
    # Not measured here (the model cannot be fetched on the development machine): e5 similarities
    # sit higher overall, so its threshold is set above MiniLM's; bench/curated.py measures it.
    ("e5", 0.85),
)
FALLBACK_MIN_SIMILARITY = 0.85
MAX_MISSING_WORDS = 1  # content words of the curated question the asked one may leave out

# Words that carry no subject on top of QUERY_STOP_WORDS: prepositions, pronouns, "get" verbs.
# They stay: negations (niet, geen), "zonder", and the verb particles that turn a verb around
# ("zet ik MFA aan" / "uit", "af"). Permission and duty (mag, moet) are compared on their own
# (:func:`modality`), so "wat moet ik doen" still reads as "wat doe ik".
_LIGHT = frozenset("""
bij door in met naar om op over per tot van voor te tegen na onder boven tussen sinds vanaf
als vd krijg krijgt krijgen kreeg kregen gekregen kun kunt kan kunnen ze zij hij haar hem men uw jouw zich
can get gets got in at for of to by with about mag mogen moet moeten may must
""".split())
_CONTENT_STOP = QUERY_STOP_WORDS | _LIGHT
_SPECIFIC_ASKING = {  # what a question asks for, when it says so
    "hoeveel": "amount", "hoelang": "duration", "wanneer": "time", "waar": "place", "waarheen": "place",
    "wie": "person", "waarom": "reason", "hoe": "how", "wat": "what", "welke": "what", "welk": "what",
    "when": "time", "where": "place", "who": "person", "why": "reason", "how": "how", "what": "what",
    "which": "what",
}
# "hoe lang", "how many": a question word of two words; the second is no subject word.
_ASKING_PHRASES = ((re.compile(r"\b(?:hoe|how)\s+(lang|long)\b"), "duration"),
                   (re.compile(r"\bhoe\s+(laat)\b"), "time"),
                   (re.compile(r"\b(?:hoe|how)\s+(vaak|often)\b"), "frequency"),
                   (re.compile(r"\bhow\s+(many|much)\b"), "amount"))
_SPECIFIC_KINDS = frozenset({"amount", "duration", "time", "place", "person", "reason", "frequency"})
_MODALITY = {"mag": "permission", "mogen": "permission", "may": "permission", "allowed": "permission",
             "moet": "duty", "moeten": "duty", "must": "duty"}
# Separable verb prefixes: "uitbetaald" is "betaald", "meenemen" is "nemen" with "mee".
_VERB_PREFIXES = ("terug", "mee", "uit", "op", "af", "aan", "in", "door", "over", "toe", "weg", "na", "bij", "ge")
_MIN_INFLECTION_STEM = 4
_MAX_ENDING = 3


class CuratedError(VraagbaakError):
    """A curated answer cannot be added or changed as asked (Dutch message)."""


@dataclass(frozen=True)
class CuratedAnswer:
    """An answer decided by a person, with the sources it stands on."""

    id: str
    question: str
    answer: str
    sources: list[Source]
    owner: str  # Slack user id of the admin or collection owner who decided it (gets the DM)
    collection: str | None
    created_at: str  # ISO 8601, UTC
    decided_by: str = ""  # how to name who decided it ("Eva de Vries"); the owner id when unknown
    status: Status = "active"
    suspended_reason: str = ""
    source_fingerprints: dict[str, str] = field(default_factory=dict)  # source key -> content hash
    suspended_at: str = ""

    @property
    def active(self) -> bool:
        return self.status == "active"

    @property
    def collections(self) -> frozenset[str]:
        """Every collection this answer draws on: where it may be served, all of them must be searchable."""
        names = {s.collection for s in self.sources if s.collection}
        if self.collection:
            names.add(self.collection)
        return frozenset(names)

    def decided_on(self) -> str:
        """The day it was decided, as "1 december 2026"."""
        return dutch_date(self.created_at)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["sources"] = [asdict(s) for s in self.sources]
        return data


_MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")


def curated_note(curated: "CuratedAnswer", language: str = "nl") -> str:
    """The line that marks a curated answer: who decided it, and when."""
    try:
        moment = datetime.fromisoformat(curated.created_at)
    except ValueError:
        moment = None
    if language == "en":
        when = f"{moment.day} {_MONTHS_EN[moment.month - 1]} {moment.year}" if moment else curated.created_at
        return f"Curated answer, decided by {curated.decided_by or curated.owner} on {when}."
    return f"Vast antwoord, vastgesteld door {curated.decided_by or curated.owner} op {curated.decided_on()}."


def source_key(source: Source) -> str:
    """How a source is named in `source_fingerprints`: "collection:doc id"."""
    return f"{source.collection}:{source.path}"


_MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
           "oktober", "november", "december")


def dutch_date(stamp: str) -> str:
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return f"{moment.day} {_MONTHS[moment.month - 1]} {moment.year}"


# --- matching ---------------------------------------------------------------------------------------

def _words(question: str) -> tuple[list[str], frozenset[str]]:
    """(content words, kinds asked for) of a question."""
    text = normalise_question(question).lower()
    kinds: set[str] = set()
    for pattern, kind in _ASKING_PHRASES:
        if pattern.search(text):
            kinds.add(kind)
            text = pattern.sub(lambda m: m.group(0)[:m.start(1) - m.start(0)], text)
    words = index_words(text)
    if not kinds:
        kinds = {_SPECIFIC_ASKING[w] for w in words if w in _SPECIFIC_ASKING}
    content = [w for w in words if w not in _CONTENT_STOP and (len(w) > 1 or w.isdigit())]
    return list(dict.fromkeys(content)), frozenset(kinds)


def content_words(question: str) -> list[str]:
    """The words of a question that carry its subject (no chat filler, question words or prepositions)."""
    return _words(question)[0]


def asks_for(question: str) -> frozenset[str]:
    """The kinds of thing the question asks for: amount, duration, time, place, person, reason,
    frequency, or plainly how or what."""
    return _words(question)[1]


def modality(question: str) -> frozenset[str]:
    """Whether the question asks for permission (mag) or a duty (moet)."""
    return frozenset(_MODALITY[w] for w in index_words(question.lower()) if w in _MODALITY)


def same_word(a: str, b: str) -> bool:
    """The same word, an inflection ("ziekmelden"/"ziekmelding"), a separable verb prefix
    ("uitbetaald"/"betaald"), or one typo away ("vakantiedagn"). Stricter than the retrieval's
    notion: a compound part ("dagen" in "vakantiedagen") is not the same word here, because the
    compound asks something narrower."""
    if a == b:
        return True
    if a.isdigit() or b.isdigit() or min(len(a), len(b)) < _MIN_INFLECTION_STEM:
        return False
    if _inflected(a, b):
        return True
    for prefix in _VERB_PREFIXES:
        for longer, shorter in ((a, b), (b, a)):
            if longer.startswith(prefix) and len(longer) - len(prefix) >= 5 and _inflected(longer[len(prefix):], shorter):
                return True
    return min(len(a), len(b)) >= 5 and one_typo_apart(a, b)


def _inflected(a: str, b: str) -> bool:
    shared = len(os.path.commonprefix([a, b]))
    longest = max(len(a), len(b))
    if shared == min(len(a), len(b)) and longest - shared <= _MAX_ENDING:
        return True
    return shared >= max(5, longest - _MAX_ENDING - 1) and longest - shared <= _MAX_ENDING + 1


def _covered(words: list[str], others: list[str]) -> tuple[list[str], set[str]]:
    """The words not covered by `others` (the same word, or a compound of two of them: "ziekmelden"
    by "meld" and "ziek", "debuglogging" by "debug" and "logging"), and the others that cover one."""
    uncovered, used = [], set()
    for word in words:
        hits = {o for o in others if same_word(word, o)}
        if not hits:  # a compound of two of the others
            hits = next(({x, y} for x in others for y in others
                         if x != y and len(x) >= 3 and len(y) >= 3 and _compound(x, y, word)), set())
        if not hits:  # a part of a compound the others have, the rest of which this side has too
            hits = next(({o} for o in others for w in words if w != word and len(w) >= 3 and len(word) >= 3
                         and not same_word(w, o) and (_compound(word, w, o) or _compound(w, word, o))), set())
        if hits:
            used |= hits
        else:
            uncovered.append(word)
    return uncovered, used


def _compound(first: str, second: str, whole: str) -> bool:
    """`whole` is `first` + `second` written as one word (with at most a short ending more or less)."""
    joined = first + second
    shared = len(os.path.commonprefix([joined, whole]))
    return shared == min(len(joined), len(whole)) and abs(len(joined) - len(whole)) <= _MAX_ENDING


def lexical_match(asked: str, curated: str, *, max_missing: int = MAX_MISSING_WORDS) -> bool:
    """Whether the words of `asked` agree with those of the curated question `curated`."""
    (asked_words, kinds), (curated_words, curated_kinds) = _words(asked), _words(curated)
    if not asked_words or not curated_words:
        return False
    extra, used = _covered(asked_words, curated_words)
    if extra:
        return False  # the question says something the curated question does not cover
    missing, _ = _covered([c for c in curated_words if c not in used], asked_words)
    if len(missing) > max_missing or len(missing) * 2 > len(curated_words):
        return False  # the curated answer is about something narrower
    if kinds and curated_kinds and kinds != curated_kinds:
        return False  # "hoeveel" against "wanneer"
    if (kinds & _SPECIFIC_KINDS) - curated_kinds:
        return False  # "hoeveel …?" is not answered by the answer to "mag ik …?"
    asked_modality, curated_modality = modality(asked), modality(curated)
    return not (asked_modality and curated_modality and asked_modality != curated_modality)


def default_min_similarity(embedder_name: str) -> float:
    name = embedder_name.lower()
    for fragment, threshold in CALIBRATED_MIN_SIMILARITY:
        if fragment in name:
            return threshold
    return FALLBACK_MIN_SIMILARITY


# --- the store ----------------------------------------------------------------------------------------

_SCHEMA = """
CREATE TABLE IF NOT EXISTS curated (
    id TEXT PRIMARY KEY,
    question TEXT NOT NULL,
    answer TEXT NOT NULL,
    sources TEXT NOT NULL,
    owner TEXT NOT NULL,
    collection TEXT,
    created_at TEXT NOT NULL,
    decided_by TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
    suspended_reason TEXT NOT NULL DEFAULT '',
    suspended_at TEXT NOT NULL DEFAULT '',
    fingerprints TEXT NOT NULL,
    owner_told INTEGER NOT NULL DEFAULT 1,
    vector BLOB,
    vector_model TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('revision', 0);
"""
_COLUMNS = ("id, question, answer, sources, owner, collection, created_at, decided_by, status, "
            "suspended_reason, fingerprints, suspended_at")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _row(row: tuple) -> CuratedAnswer:
    return CuratedAnswer(id=row[0], question=row[1], answer=row[2],
                         sources=[Source(**s) for s in json.loads(row[3])], owner=row[4],
                         collection=row[5], created_at=row[6], decided_by=row[7], status=row[8],
                         suspended_reason=row[9], source_fingerprints=json.loads(row[10]),
                         suspended_at=row[11])


class CuratedAnswers:
    """The curated answers in a SQLite file; safe to use from several threads and processes.

    `embedder`: the embedding model, or a function that returns it (loaded when first needed).
    `documents(collection)`: the index's {doc id: content hash}, to fingerprint sources and to
    notice a re-index changing them. `min_similarity` below 0: the calibrated value for the model.
    """

    def __init__(self, path: Path, embedder: "Embedder | Callable[[], Embedder]", *,
                 documents: DocumentHashes | None = None, min_similarity: float = -1.0,
                 max_missing_words: int = MAX_MISSING_WORDS) -> None:
        self.path = Path(path)
        self._embedder = embedder
        self._documents = documents
        self._min_similarity = min_similarity
        self.max_missing_words = max_missing_words
        self._observers: list[Observer] = []
        self._lock = threading.Lock()
        self._cache: tuple[int, list[CuratedAnswer]] | None = None  # (revision, active answers)
        self._vectors: dict[str, np.ndarray] = {}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        with self._connection() as db:
            db.executescript(_SCHEMA)
        if created:
            os.chmod(self.path, 0o600)

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        with closing(sqlite3.connect(self.path, timeout=30)) as db:
            db.execute("PRAGMA journal_mode=WAL")
            with db:
                yield db

    @staticmethod
    def _changed(db: sqlite3.Connection) -> None:
        db.execute("UPDATE meta SET value = value + 1 WHERE key = 'revision'")

    @property
    def embedder(self) -> "Embedder":
        if not hasattr(self._embedder, "embed_query"):
            self._embedder = self._embedder()  # type: ignore[operator]
        return self._embedder  # type: ignore[return-value]

    @property
    def min_similarity(self) -> float:
        if self._min_similarity >= 0:
            return self._min_similarity
        return default_min_similarity(str(getattr(self.embedder, "name", "")))

    def add_observer(self, observer: Observer) -> None:
        """`observer(answers)` is called with the answers a re-index suspended (once per answer)."""
        self._observers.append(observer)

    # --- deciding ---------------------------------------------------------------------------------
    def add(self, *, question: str, answer: str, sources: Iterable[Source], owner: str,
            collection: str | None = None, decided_by: str = "") -> CuratedAnswer:
        question, answer = normalise_question(question), answer.strip()
        if not content_words(question):
            raise CuratedError("De vraag is leeg of bevat alleen woorden als 'hoe' en 'wat'; "
                               "schrijf de vraag zoals een collega hem stelt.")
        if not answer:
            raise CuratedError("Het antwoord is leeg.")
        if not owner.strip():
            raise CuratedError("Geef de eigenaar op (de Slack-gebruiker die het antwoord bewaakt, U…).")
        sources = list(dict.fromkeys(sources))
        curated = CuratedAnswer(id=uuid.uuid4().hex[:12], question=question, answer=answer, sources=sources,
                                owner=owner.strip(), collection=collection or None, created_at=_now(),
                                decided_by=decided_by.strip() or owner.strip(),
                                source_fingerprints=self._fingerprints(sources))
        vector = self._embed(question)
        with self._connection() as db:
            db.execute(f"INSERT INTO curated ({_COLUMNS}, vector, vector_model) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (*self._values(curated), vector.astype(np.float32).tobytes(), self._model_name()))
            self._changed(db)
        log.info("curated answer %s added by %s (%d sources)", curated.id, curated.owner, len(sources))
        return curated

    @staticmethod
    def _values(a: CuratedAnswer) -> tuple:
        return (a.id, a.question, a.answer, json.dumps([asdict(s) for s in a.sources], ensure_ascii=False),
                a.owner, a.collection, a.created_at, a.decided_by, a.status, a.suspended_reason,
                json.dumps(a.source_fingerprints), a.suspended_at)

    def _fingerprints(self, sources: list[Source]) -> dict[str, str]:
        """The indexed content hash of every source that is a document of a collection."""
        if self._documents is None:
            return {}
        result: dict[str, str] = {}
        for collection in sorted({s.collection for s in sources if s.collection}):
            hashes = self._document_hashes(collection)
            for source in (s for s in sources if s.collection == collection):
                digest = hashes.get(source.path)
                if digest is None:
                    raise CuratedError(f"De bron '{source.path}' staat niet in de index van collectie "
                                       f"'{collection}'; indexeer eerst, of kies een bron die er wel in staat.")
                result[source_key(source)] = digest
        return result

    def _document_hashes(self, collection: str) -> dict[str, str]:
        assert self._documents is not None
        try:
            return self._documents(collection)
        except Exception as exc:  # e.g. no index yet
            log.warning("could not read the documents of %s", collection, exc_info=True)
            raise CuratedError(f"De index van collectie '{collection}' kan niet worden gelezen ({exc}).") from exc

    # --- reading ----------------------------------------------------------------------------------
    def list(self, include_suspended: bool = True) -> list[CuratedAnswer]:
        where = "" if include_suspended else "WHERE status = 'active'"
        with self._connection() as db:
            rows = db.execute(f"SELECT {_COLUMNS} FROM curated {where} ORDER BY created_at, rowid").fetchall()
        return [_row(r) for r in rows]

    def get(self, answer_id: str) -> CuratedAnswer | None:
        with self._connection() as db:
            row = db.execute(f"SELECT {_COLUMNS} FROM curated WHERE id = ?", (answer_id,)).fetchone()
        return None if row is None else _row(row)

    def remove(self, answer_id: str) -> bool:
        with self._connection() as db:
            gone = db.execute("DELETE FROM curated WHERE id = ?", (answer_id,)).rowcount > 0
            if gone:
                self._changed(db)
        if gone:
            log.info("curated answer %s removed", answer_id)
        return gone

    def reactivate(self, answer_id: str) -> CuratedAnswer:
        """Back in use after a review: its sources as they are now become its fingerprints."""
        current = self.get(answer_id)
        if current is None:
            raise CuratedError(f"Er is geen vast antwoord met id '{answer_id}'.")
        fingerprints = self._fingerprints(current.sources)  # a removed source: a Dutch error
        with self._connection() as db:
            db.execute("UPDATE curated SET status = 'active', suspended_reason = '', suspended_at = '', "
                       "fingerprints = ?, owner_told = 1 WHERE id = ?", (json.dumps(fingerprints), answer_id))
            self._changed(db)
        log.info("curated answer %s reactivated", answer_id)
        return replace(current, status="active", suspended_reason="", suspended_at="",
                       source_fingerprints=fingerprints)

    # --- serving ----------------------------------------------------------------------------------
    def match(self, question: str, *, collections: Iterable[str] | None = None) -> CuratedAnswer | None:
        """The active curated answer for this question, or None. `collections`: what this
        conversation may search (None: everything)."""
        allowed = None if collections is None else set(collections)
        candidates = [a for a in self._active()
                      if (allowed is None or a.collections <= allowed)
                      and lexical_match(question, a.question, max_missing=self.max_missing_words)]
        if not candidates:
            return None
        vector = self._embed(normalise_question(question))
        threshold = self.min_similarity
        scored = [(float(np.dot(vector, self._vector(a))), a) for a in candidates]
        similarity, best = max(scored, key=lambda pair: pair[0])
        if similarity < threshold:
            log.debug("curated answer %s not served: similarity %.3f < %.3f", best.id, similarity, threshold)
            return None
        log.info("curated answer %s matched (similarity %.3f)", best.id, similarity)
        return best

    def _active(self) -> list[CuratedAnswer]:
        """The active answers, read again only when the file changed (any process)."""
        with self._connection() as db:
            revision = db.execute("SELECT value FROM meta WHERE key = 'revision'").fetchone()[0]
            with self._lock:
                if self._cache is not None and self._cache[0] == revision:
                    return self._cache[1]
            rows = db.execute(f"SELECT {_COLUMNS}, vector, vector_model FROM curated WHERE status = 'active' "
                              "ORDER BY created_at, rowid").fetchall()
        model = None
        answers, vectors = [], {}
        for row in rows:
            answer = _row(row[:12])
            answers.append(answer)
            if row[12] is not None and row[13] == (model := model or self._model_name()):
                vectors[answer.id] = np.frombuffer(row[12], dtype=np.float32)
        with self._lock:
            self._cache = (revision, answers)
            self._vectors = vectors
        return answers

    def _vector(self, answer: CuratedAnswer) -> np.ndarray:
        vector = self._vectors.get(answer.id)
        if vector is None:  # decided with another embedding model: embedded again, once
            vector = self._embed(answer.question)
            with self._connection() as db:
                db.execute("UPDATE curated SET vector = ?, vector_model = ? WHERE id = ?",
                           (vector.astype(np.float32).tobytes(), self._model_name(), answer.id))
            self._vectors[answer.id] = vector
        return vector

    def _embed(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.embed_query(text), dtype=np.float32)

    def _model_name(self) -> str:
        return str(getattr(self.embedder, "name", ""))

    # --- staying true to the documents --------------------------------------------------------------
    def review(self, run: "RunReport | None" = None) -> list[CuratedAnswer]:
        """After a re-index: suspends the active answers whose source documents changed or went
        (within the run's collections; all collections without a run), then tells the observers about
        every suspended answer whose owner was not told yet (also those a re-index in another process
        suspended). Returns the answers suspended now."""
        if run is not None and not run.reports:
            collections: set[str] | None = set()
        else:
            collections = None if run is None else set(run.reports)
        suspended = self._suspend_stale(collections)
        self._tell_owners()
        return suspended

    def _suspend_stale(self, collections: set[str] | None) -> list[CuratedAnswer]:
        if self._documents is None:
            return []
        affected = [a for a in self.list(include_suspended=False) if a.source_fingerprints
                    and (collections is None or any(k.split(":", 1)[0] in collections
                                                    for k in a.source_fingerprints))]
        hashes: dict[str, dict[str, str] | None] = {}
        suspended = []
        for answer in affected:
            changed, removed = [], []
            for source in answer.sources:
                key = source_key(source)
                if key not in answer.source_fingerprints:
                    continue
                if source.collection not in hashes:
                    hashes[source.collection] = self._readable_hashes(source.collection)
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
                suspended.append(self._suspend(answer, stale_reason(changed, removed)))
        return suspended

    def _readable_hashes(self, collection: str) -> dict[str, str] | None:
        assert self._documents is not None
        try:
            return self._documents(collection)
        except Exception:
            log.warning("could not read the documents of %s; its curated answers are not checked now",
                        collection, exc_info=True)
            return None

    def _suspend(self, answer: CuratedAnswer, reason: str) -> CuratedAnswer:
        moment = _now()
        with self._connection() as db:
            db.execute("UPDATE curated SET status = 'suspended', suspended_reason = ?, suspended_at = ?, "
                       "owner_told = 0 WHERE id = ? AND status = 'active'", (reason, moment, answer.id))
            self._changed(db)
        log.info("curated answer %s suspended: a source changed or was removed", answer.id)
        return replace(answer, status="suspended", suspended_reason=reason, suspended_at=moment)

    def _tell_owners(self) -> None:
        if not self._observers:
            return  # told by the process that has observers (`serve`), after its next run
        with self._connection() as db:
            ids = [r[0] for r in db.execute("SELECT id FROM curated WHERE status = 'suspended' AND owner_told = 0 "
                                            "ORDER BY suspended_at, rowid")]
        answers = [a for a in (self.get(i) for i in ids) if a is not None]
        if not answers:
            return
        told = True
        for observer in list(self._observers):
            try:
                observer(answers)
            except Exception:  # a DM that failed: tried again after the next run
                told = False
                log.exception("curated-answer observer %r failed", observer)
        if told:
            with self._connection() as db:
                db.executemany("UPDATE curated SET owner_told = 1 WHERE id = ?", [(a.id,) for a in answers])

    def privacy_records(self, stored_ids: list[str]) -> list[dict]:
        """The curated answers a person owns (access requests: their Slack id is kept, for the DM)."""
        return [a.to_dict() for a in self.list() if a.owner in stored_ids]


def stale_reason(changed: list[Source], removed: list[Source]) -> str:
    """Why an answer was suspended, in Dutch."""
    parts = []
    if changed:
        parts.append(f"{_names(changed)} {'is' if len(changed) == 1 else 'zijn'} gewijzigd")
    if removed:
        parts.append(f"{_names(removed)} {'is' if len(removed) == 1 else 'zijn'} verwijderd")
    return f"Bron {' en '.join(parts)} sinds dit antwoord is vastgesteld; controleer het antwoord en " \
           "zet het weer aan (`vraagbaak answers reactivate`) of pas het aan."


def _names(sources: list[Source]) -> str:
    names = [f"'{s.title or s.path}' ({s.path})" for s in sources]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " en " + names[-1]
