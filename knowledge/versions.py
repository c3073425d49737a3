"""Several versions or copies of one document: "Tekstblok - Aanhef v1.2.docx" and "… v1.3.docx", a
deck as PPTX and as PDF in one folder. Recognised by the file name alone: the name without its
version numbers, dates and extension names the document, the numbers say which version. Names
without a version count as one document only in the same folder ("index.md" in two folders is two
documents).
The retrieval's hits are reordered so that the newest version takes the best place its document
got; the answer is told which passages are versions of one document (bot/answering/prompts.py).
Which file is newer has one answer, `newness`, for the search, the prompt's note on versions and
the line where documents disagree (bot/answering/disagreement.py): of versions of one document the
version number first, then the day the file counts from (`edition_day`: a release folder's day
when it is later than the day the document gives itself).
A passage that several files share (nearly) word for word (a clause every bank model repeats, the
unchanged part of v1.2 and v1.3) is one hit, led by the best-placed file (of versions of one
document: the newest) and naming the others as its copies, so that it takes one place among the
best and leaves the others to other documents. Then `distinct_first`: a passage that says much the same
as a better-placed one of another document, or that many of the files found share (a template's clause),
gives its place among the best to the next passage that says something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from pathlib import PurePosixPath
from typing import Sequence

from knowledge.formats.reading import written_on
from knowledge.models import Hit

# "v1.3", "v 2", "versie 3.0.1", "2.7.0", a date "2024-05-01" or "20240501": one version each.
_VERSION = re.compile(r"\b(?:v(?:ersie)?\s*(\d+(?:[._]\d+)*)|(\d+(?:[._]\d+)+)|(\d{4}-\d{2}-\d{2}|\d{8}))\b",
                      re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s_\-–.()]+")
_WORD = re.compile(r"\w+")
# Two passages of different documents are one when this share of their words (Jaccard, word sets) is
# the same: the clause every bank model repeats with its own name in it. Swept 0.6-0.95 (bench/README.md,
# "One passage once"): sample and developer-overheid did not move at any value; on kadaster 0.6 and
# 0.7 were best (hybrid hit@5 0.81 -> 0.88), 0.7 the stricter of the two.
SAME_PASSAGE = 0.7
# A passage that shares this much of its words with a better-placed passage of another document says
# little more than it (a blog post retelling a page, one programme's regulation retelling another's),
# and one that this many of the files among the candidates share is a template's clause: both go after
# the passages that say something else. Chosen leave-one-corpus-out on eight corpora (bench/README.md,
# "Fusion, held out on eight corpora"): 0.3-0.6 and 4-10 swept, 0.4 and 6 chosen on every seven.
SIMILAR_PASSAGE = 0.4
SHARED_BY = 6


@dataclass(frozen=True)
class DocumentVersion:
    """What a file name says: which document (`family`) and which version of it (empty: none given)."""

    family: str
    version: tuple[int, ...]
    label: str  # the version as written in the name ("v1.3"), empty when none
    folder: str = ""

    @property
    def document(self) -> str:
        """Which document this file is a version or copy of."""
        return self.family if self.version else f"{self.folder}/{self.family}"


def document_version(doc_id: str) -> DocumentVersion:
    """"hr/Tekstblok - Aanhef v1.3.docx" -> family "tekstblok aanhef", version (1, 3). Of several
    numbers in a name the last one counts ("Toelichting Aanhef 1.2 - v1.3": the explanation's own)."""
    path = PurePosixPath(doc_id)
    name, folder = path.stem, str(path.parent).lower()
    found = list(_VERSION.finditer(name))
    family = _SEPARATORS.sub(" ", _VERSION.sub(" ", name)).strip().lower()
    if not found:
        return DocumentVersion(family, (), "", folder)
    last = found[-1]
    return DocumentVersion(family, _numbers(last), last.group(0).strip(), folder)


# A day in a name: "2024-05-01", "20240501", or a release number that begins with one
# ("20250101000007": the Kadaster's stylesheet numbers, a day and a serial number).
_NAMED_DAY = re.compile(r"(?<!\d)(\d{4})-?(\d{2})-?(\d{2})(?:\d{6})?(?!\d)")


def date_in_name(doc_id: str) -> date | None:
    """The day a file's name, else its nearest folder's name, gives; None when none does, or when
    the nearest name with days in it gives two different ones (ambiguous)."""
    path = PurePosixPath(doc_id)
    for name in (path.stem, *(part for part in reversed(path.parent.parts))):
        days = set()
        for found in _NAMED_DAY.finditer(name):
            try:
                days.add(date(*(int(n) for n in found.groups())))
            except ValueError:  # "20251301": eight digits, but no day
                continue
        if days:
            return days.pop() if len(days) == 1 else None
    return None


def _numbers(found: re.Match) -> tuple[int, ...]:
    """The numbers of a version as written: "v1.3" -> (1, 3), "2025-03-01" -> (2025, 3, 1)."""
    return tuple(int(d) for d in re.findall(r"\d+", next(group for group in found.groups() if group)))


def edition_day(doc_id: str, dated: str = "") -> date | None:
    """The day a file counts from: the later of the day the document gives itself (`dated`, ISO, as
    Document.dated) and the day its name or version folder gives (date_in_name). An explanation last
    saved in 2019 that sits in the release folder "20250201000001" belongs to the release of 1
    February 2025: the folder is the later and the more specific evidence. None: neither is known."""
    try:
        own = date.fromisoformat(dated[:10]) if dated else None
    except ValueError:
        own = None
    days = [day for day in (own, written_on(date_in_name(doc_id))) if day is not None]  # none after tomorrow
    return max(days) if days else None


def newness(doc_id: str, dated: str = "", *, of_one_document: bool = True) -> tuple:
    """What makes one file newer than another, as a sort key (newest last). Versions of one document:
    the version number in the name, then the day the file counts from (edition_day), then the numbers
    of its folder. Files of different documents, whose version numbers and folders do not compare: that
    day alone."""
    day = edition_day(doc_id, dated) or date.min
    return (document_version(doc_id).version, day, _folder_numbers(doc_id)) if of_one_document else (day,)


def newest_path_first(paths: Sequence[str]) -> list[str]:
    """The paths of identical files (one document indexed once), the newest first by what their names
    and folders say (`newness`'s version, then day: "Lloyds/20250301000021/akte.docx" before
    "Lloyds/20211015000021/akte.docx"), so that a source names the newest place of a document and
    the others as its copies; paths that say nothing of it keep their order. Files named as different
    documents compare by day alone: their version numbers do not compare."""
    one_document = len({document_version(path).document for path in paths}) == 1
    return sorted(paths, key=lambda path: newness(path, of_one_document=one_document)[:2],
                  reverse=True)  # stable, also reversed


def newest_first(hits: Sequence[Hit], question: str = "") -> list[Hit]:
    """The same hits; where several versions of one document are among them, the newest takes the
    best place that document got, the older ones the places after it; a version the question names
    ("wat stond er in v2.12") comes before the newest. Newer is `newness`: of two files with the same
    version, the one of the later day ("Lloyds/20250301000021/" after "Lloyds/20211015000021/"). Other
    hits keep their places; ranks are numbered anew."""
    versions = [document_version(hit.chunk.doc_id) for hit in hits]
    named = asked_versions(question)
    slots: dict[str, list[int]] = {}
    for index, version in enumerate(versions):
        slots.setdefault(version.document, []).append(index)
    ordered = list(hits)
    for indexes in slots.values():
        if len({hits[i].chunk.doc_id for i in indexes}) < 2:
            continue
        newest = sorted(indexes, key=lambda i: (_trimmed(versions[i].version) in named,
                                                *newness(hits[i].chunk.doc_id, hits[i].chunk.dated)),
                        reverse=True)  # stable: rank within a version
        for slot, index in zip(indexes, newest):
            ordered[slot] = hits[index]
    return [hit if hit.rank == rank else replace(hit, rank=rank) for rank, hit in enumerate(ordered, start=1)]


def asked_versions(question: str) -> set[tuple[int, ...]]:
    """The versions a question names: "v2.12", "versie 3", "2.8.1", a date."""
    return {_trimmed(_numbers(found)) for found in _VERSION.finditer(question)}


def _trimmed(version: tuple[int, ...]) -> tuple[int, ...]:
    """"v3" and "3.0" are one version."""
    end = len(version)
    while end > 1 and version[end - 1] == 0:
        end -= 1
    return version[:end]


def _folder_numbers(doc_id: str) -> tuple[int, ...]:
    return tuple(int(d) for d in re.findall(r"\d+", str(PurePosixPath(doc_id).parent)))


def one_passage_once(hits: Sequence[Hit]) -> list[Hit]:
    """The same hits, where several have (nearly) the same text in one collection only the
    best-placed of them, naming the others' files among its copies; of versions of one document the
    newest leads. Ranks are numbered anew."""
    groups: list[tuple[_Passage, list[Hit]]] = []  # (the first hit's passage, the group)
    for hit in hits:
        passage = _Passage.of(hit)
        for first, group in groups:
            if first.collection == passage.collection and first.same_as(passage):
                group.append(hit)
                break
        else:
            groups.append((passage, [hit]))
    kept = [_merged(group) if len(group) > 1 else group[0] for _, group in groups]
    return [hit if hit.rank == rank else replace(hit, rank=rank) for rank, hit in enumerate(kept, start=1)]


def distinct_first(hits: Sequence[Hit]) -> list[Hit]:
    """one_passage_once, then the passages that say something a better-placed passage of another
    document already says (SIMILAR_PASSAGE; versions of one document are one document: the answer
    names what each says, newest_first), and after them those that SHARED_BY or more of the hits'
    files share, each after the others in their own order. Nothing is dropped; ranks are numbered anew."""
    found = {hit.chunk.doc_id for hit in hits}
    kept: list[_Passage] = []  # the passages not moved
    ordered: list[tuple[tuple[bool, bool], Hit]] = []
    for hit in one_passage_once(hits):
        passage = _Passage.of(hit)
        echo = any(other.document != passage.document and passage.shares_words(other, SIMILAR_PASSAGE)
                   for other in kept)
        if not echo:
            kept.append(passage)
        shared = len(found.intersection((hit.chunk.doc_id, *hit.chunk.copies))) >= SHARED_BY
        ordered.append(((shared, echo), hit))
    ordered.sort(key=lambda item: item[0])  # stable: each group keeps its order
    return [hit if hit.rank == rank else replace(hit, rank=rank)
            for rank, (_, hit) in enumerate(ordered, start=1)]


@dataclass(frozen=True)
class _Passage:
    """What one_passage_once compares of a hit, computed once per hit."""

    collection: str
    text: str  # whitespace and case evened out
    words: frozenset[str]
    document: str  # DocumentVersion.document
    edition: tuple[tuple[int, ...], str]  # the version and folder: which file of that document

    @classmethod
    def of(cls, hit: Hit) -> "_Passage":
        text = " ".join(hit.chunk.text.split()).casefold()
        version = document_version(hit.chunk.doc_id)
        return cls(hit.chunk.collection, text, frozenset(_WORD.findall(text)), version.document,
                   (version.version, version.folder))

    def same_as(self, other: "_Passage") -> bool:
        """Whether two passages are one: the same text, or (of two documents, or one document in two
        formats in one folder: "plan.pptx" and "plan.pdf") nearly the same words (SAME_PASSAGE). Two
        versions of one document that say it differently stay two passages: the answer names both
        (bot/answering/prompts.py)."""
        if self.text == other.text:
            return True
        if self.document == other.document and self.edition != other.edition:
            return False  # the same name in two folders: two versions (newest_first)
        return self.shares_words(other, SAME_PASSAGE)

    def shares_words(self, other: "_Passage", share: float) -> bool:
        """Whether at least `share` of the two passages' words are the same (Jaccard over word sets)."""
        few, many = sorted((len(self.words), len(other.words)))
        # The shared words are at most the smaller set and all words at least the larger one: when
        # even that share falls short the sets need not be compared (most pairs of hits).
        if not few or few < share * many:
            return False
        shared = len(self.words & other.words)
        return shared >= share * (few + many - shared)


def _merged(group: list[Hit]) -> Hit:
    """The best-placed hit of a group with the same text, or a newer version of its document among
    them in its stead, with the scores of the best and every other file as a copy."""
    best = group[0]
    document = document_version(best.chunk.doc_id).document
    versions = [h for h in group if document_version(h.chunk.doc_id).document == document]
    lead = max(versions, key=lambda h: newness(h.chunk.doc_id, h.chunk.dated))  # stable: the best-placed first
    files = [f for h in group for f in (h.chunk.doc_id, *h.chunk.copies)]
    copies = tuple(dict.fromkeys(f for f in files if f != lead.chunk.doc_id))
    return replace(best, chunk=replace(lead.chunk, copies=copies))


def version_groups(hits: Sequence[Hit]) -> list[list[Hit]]:
    """Per document with more than one version (or copy) among the hits: one hit of each file,
    newest first."""
    groups: dict[str, dict[str, Hit]] = {}
    for hit in hits:
        groups.setdefault(document_version(hit.chunk.doc_id).document, {}).setdefault(hit.chunk.doc_id, hit)
    return [sorted(files.values(), key=lambda h: newness(h.chunk.doc_id, h.chunk.dated), reverse=True)
            for files in groups.values() if len(files) > 1]
