"""What the documents are missing: the questions Vraagbaak declined ("not in the documents") or
that got a 👎, since a date, grouped by what they ask, with counts and example wordings.

The people who write the documents read this, so it says what was asked, how often and by how
many people, never who: user ids are not part of a group (the feedback store keeps pseudonyms,
bot/people/pseudonyms.py, and only their number is given). The groups are computed from the feedback store
each time; nothing is stored here, so the feedback's retention period covers them too.

Grouping: average-linkage agglomerative clustering (scipy) over a similarity that weighs the
content words two questions share (their overlap, the curated answers' notion of the same word:
`Matching.PRECISE` in language/matching.py) above their embeddings' cosine, which on its own groups
different Dutch questions with the small embedding model ("Hoe meld ik een datalek?" and "Hoe meld
ik me ziek?": cosine 0.84). Two questions end up together when they ask about the same thing in
(mostly) the same words.
"""

from __future__ import annotations

import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Callable, Literal

import numpy as np

from bot.operations.observers import Observers
from language.matching import Matching, same_word
from language.questions import content_words, normalise_question, question_key

if TYPE_CHECKING:
    from bot.answering.types import Source
    from bot.insights.feedback import FeedbackStore, StoredAnswer
    from knowledge.embeddings import Embedder
    from knowledge.query import Vocabulary

log = logging.getLogger(__name__)

Reason = Literal["declined", "down"]

WORD_WEIGHT = 0.6  # of the similarity two questions have: their shared content words ...
COSINE_WEIGHT = 1.0 - WORD_WEIGHT  # ... and their embeddings
# Average similarity within a group. bench/curated.py, the unanswerable questions of both corpora with
# a second wording each (10 topics each), weighed by each corpus's own index: every topic in one
# group and no two topics together from 0.50 to 0.65 in the sample company, 0.50 to 0.80 in
# developer-overheid; 0.70 splits two sample topics. Two different "vergoeding" questions
# (kinderopvang, fiets) reach 0.58: hence 0.60, between the two.
MIN_GROUP_SIMILARITY = 0.60
EXAMPLES = 3  # wordings shown per group
_SINCE = re.compile(r"^\s*(\d+)\s*([dwhm]?)\s*$", re.IGNORECASE)
_UNITS = {"": "days", "d": "days", "w": "weeks", "h": "hours", "m": "days"}


@dataclass(frozen=True)
class GapGroup:
    """Questions that ask about the same thing the documents do not answer (well)."""

    examples: list[str]  # distinct wordings, most asked first
    count: int  # questions in the group
    askers: int  # different people who asked them (counted by pseudonym)
    declined: int  # of which the bot said "not in the documents"
    downvoted: int  # of which the answer got a 👎
    first_asked: str
    last_asked: str
    nearest_documents: list[str] = field(default_factory=list)  # what the bot offered instead

    def to_dict(self) -> dict:
        return asdict(self)


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """`7d`, `2w`, `12h`, `30` (days) or a date (`2026-11-01`) as the moment from which to count."""
    now = now or datetime.now(timezone.utc)
    match = _SINCE.match(text)
    if match:
        amount, unit = int(match.group(1)), match.group(2).lower()
        if unit == "m":
            amount *= 30
        return now - timedelta(**{_UNITS[unit]: amount})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"'{text}' is geen periode (bijvoorbeeld 7d, 2w, 12h) of datum (2026-11-01)") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class Gaps:
    """Groups the declined and 👎 questions of the feedback store; runs the digest.

    `embedder`: the embedding model, or a function that returns it (loaded when first needed).
    """

    def __init__(self, feedback: "FeedbackStore", embedder: "Embedder | Callable[[], Embedder]", *,
                 vocabulary: "Callable[[], Vocabulary | None] | None" = None, days: int = 7,
                 min_similarity: float = MIN_GROUP_SIMILARITY,
                 shown: "Callable[[Source], bool] | None" = None) -> None:
        """`shown`: whether a document may be named in the digest, which its readers (admins, the
        documents' writers) see whatever they may read; by default every document."""
        self.feedback = feedback
        self.shown = shown or (lambda source: True)
        self._embedder = embedder
        self._vocabulary = vocabulary
        self.days = days
        self.min_similarity = min_similarity
        # Every digest (also an empty one: "nothing missing this week"): the Slack layer DMs the admins.
        self.digest_ready: Observers[[list[GapGroup]]] = Observers("gaps digest")

    @property
    def embedder(self) -> "Embedder":
        if not hasattr(self._embedder, "embed_query"):
            self._embedder = self._embedder()  # type: ignore[operator]
        return self._embedder  # type: ignore[return-value]

    def questions(self, since: datetime | None = None) -> list[tuple["StoredAnswer", Reason]]:
        """The declined answers and the answers voted 👎 (each answer once, declined first), oldest first."""
        declined = self.feedback.unanswered(since=since)
        seen = {a.id for a in declined}
        down = [a for a in self.feedback.latest_down(limit=None, since=since) if a.id not in seen]
        found: list[tuple[StoredAnswer, Reason]] = [(a, "declined") for a in declined]
        found += [(a, "down") for a in down]
        return sorted(found, key=lambda pair: pair[0].created_at)

    def groups(self, since: datetime | None = None, *,
               keep: "Callable[[StoredAnswer], bool] | None" = None) -> list[GapGroup]:
        """The questions since `since` (those `keep` accepts, when given), grouped, the largest group first."""
        found = [(a, r) for a, r in self.questions(since)
                 if content_words(a.question) and (keep is None or keep(a))]
        if not found:
            return []
        labels = self.cluster([normalise_question(a.question) for a, _ in found])
        members: dict[int, list[tuple[StoredAnswer, Reason]]] = {}
        for label, item in zip(labels, found):
            members.setdefault(int(label), []).append(item)
        groups = [_group(items, self.shown) for items in members.values()]
        return sorted(groups, key=lambda g: (-g.count, -g.askers, g.examples[0].lower()))

    def send_digest(self, now: datetime | None = None) -> list[GapGroup]:
        """The scheduled digest: the groups of the last `days` days, handed to every observer."""
        groups = self.groups(since=(now or datetime.now(timezone.utc)) - timedelta(days=self.days))
        log.info("gaps digest: %d group(s) of %d question(s)", len(groups), sum(g.count for g in groups))
        self.digest_ready.notify(groups)
        return groups

    def _read_vocabulary(self) -> "Vocabulary | None":
        if self._vocabulary is None:
            return None
        try:
            return self._vocabulary()
        except Exception:  # no index yet: every word weighs the same
            log.warning("no index vocabulary for weighing the gaps' words", exc_info=True)
            return None

    def cluster(self, questions: list[str]) -> list[int]:
        """A group number per question."""
        if len(questions) == 1:
            return [0]
        from scipy.cluster.hierarchy import fcluster, linkage
        from scipy.spatial.distance import squareform

        similarity = similarity_matrix(questions, self.embedder, self._read_vocabulary())
        distance = np.clip(1.0 - similarity, 0.0, 2.0)
        np.fill_diagonal(distance, 0.0)
        tree = linkage(squareform(distance, checks=False), method="average")
        return list(fcluster(tree, t=1.0 - self.min_similarity, criterion="distance"))


def similarity_matrix(questions: list[str], embedder: "Embedder",
                      vocabulary: "Vocabulary | None" = None) -> np.ndarray:
    """How much each two questions ask the same: shared content words (weighed by how rare they
    are in the documents, when the index's vocabulary is given), then the cosine."""
    vectors = np.stack([np.asarray(embedder.embed_query(q), dtype=np.float32) for q in questions])
    cosine = vectors @ vectors.T
    words = [content_words(q) for q in questions]
    weights: dict[str, float] = {}
    if vocabulary is not None:
        weights = {w: max(vocabulary.idf(w), 0.1) for ws in words for w in ws}
    overlap = np.zeros_like(cosine)
    for i in range(len(questions)):
        for j in range(i, len(questions)):
            overlap[i, j] = overlap[j, i] = word_overlap(words[i], words[j], weights)
    return WORD_WEIGHT * overlap + COSINE_WEIGHT * cosine


def word_overlap(a: list[str], b: list[str], weights: dict[str, float] | None = None) -> float:
    """The share of the content words of each question the other has too (the smaller of the two
    shares against the lighter question), each word weighed by `weights` (default 1): a word the
    documents rarely or never use (the subject of a gap, often) weighs more than a common one."""
    if not a or not b:
        return 0.0
    weight = (weights or {}).get

    def share(words: list[str], other: list[str]) -> float:
        return sum(weight(w, 1.0) for w in words if any(same_word(w, o, mode=Matching.PRECISE) for o in other))
    shared = min(share(a, b), share(b, a))
    return min(1.0, shared / min(sum(weight(w, 1.0) for w in a), sum(weight(w, 1.0) for w in b)))


def _group(items: list[tuple["StoredAnswer", Reason]], shown: "Callable[[Source], bool]") -> GapGroup:
    wordings: dict[str, int] = {}
    spelled: dict[str, str] = {}
    for answer, _ in items:
        key = question_key(answer.question)
        wordings[key] = wordings.get(key, 0) + 1
        spelled.setdefault(key, normalise_question(answer.question))
    examples = [spelled[k] for k, _ in sorted(wordings.items(), key=lambda kv: -kv[1])][:EXAMPLES]
    documents: dict[str, int] = {}
    for answer, reason in items:
        for source in answer.sources[:1] if reason == "declined" else answer.sources[:2]:
            if not shown(source):
                continue  # a document not everyone may read is not named to the digest's readers
            name = source.title or source.path
            documents[name] = documents.get(name, 0) + 1
    asked = sorted(a.created_at for a, _ in items)
    return GapGroup(examples=examples, count=len(items), askers=len({a.user for a, _ in items}),
                    declined=sum(1 for _, r in items if r == "declined"),
                    downvoted=sum(1 for _, r in items if r == "down"),
                    first_asked=asked[0], last_asked=asked[-1],
                    nearest_documents=[d for d, _ in sorted(documents.items(), key=lambda kv: -kv[1])][:3])


def render_gaps(groups: list[GapGroup], *, since: datetime | None = None) -> str:
    """The groups as Dutch plain text (the CLI; the Slack digest builds its own blocks)."""
    period = f" sinds {since.astimezone(timezone.utc):%Y-%m-%d %H:%M} UTC" if since else ""
    if not groups:
        return f"Geen vragen zonder antwoord of met 👎{period}."
    total = sum(g.count for g in groups)
    lines = [f"{total} vra{'ag' if total == 1 else 'gen'} zonder (goed) antwoord{period}, "
             f"in {len(groups)} groep{'' if len(groups) == 1 else 'en'}:"]
    for n, group in enumerate(groups, 1):
        how = []
        if group.declined:
            how.append(f"{group.declined}× niet gevonden")
        if group.downvoted:
            how.append(f"{group.downvoted}× 👎")
        people = f"{group.askers} {'persoon' if group.askers == 1 else 'personen'}"
        lines.append(f"{n}. {group.count}× ({', '.join(how)}; {people}): \"{group.examples[0]}\"")
        lines += [f"     ook: \"{example}\"" for example in group.examples[1:]]
        if group.nearest_documents:
            lines.append(f"     dichtstbijzijnde documenten: {', '.join(group.nearest_documents)}")
    return "\n".join(lines)
