"""A document last saved long before the release it sits in ("…/20250201000001/", saved in 2019)
counts from that release: its day is the later one, and the file's own day is still shown beside it.
Which of two versions is newer has one answer for the search, the prompt's note on versions and the
line where documents disagree: the version number first, then that day."""

from __future__ import annotations

from datetime import date

from bot.answering.disagreement import disagreement_line, find_disagreement
from bot.answering.prompts import Passage, versions_notes
from bot.answering.types import Source
from knowledge.models import Chunk, Hit
from knowledge.versions import edition_day, newest_first, version_groups

RELEASE = "ABN AMRO AAB/20250201000001/Toelichting modeldocument ABN AMRO - AAB 2.8.0 - v3.6.0.docx"
QUESTION = "Voor welke datum moet de akte bij het Kadaster zijn aangeboden?"
SAYS = "De akte moet bij het Kadaster zijn aangeboden voor {}."


def test_a_release_folder_later_than_the_files_own_day_is_the_day_it_counts_from():
    assert edition_day(RELEASE, "2019-08-16") == date(2025, 2, 1)
    assert edition_day("Akte/20250101000007/Toelichting v7.0.docx", "2025-01-20") == date(2025, 1, 20)  # saved after
    assert edition_day("hr/verlof.md", "2024-03-01") == date(2024, 3, 1)
    assert edition_day("hr/verlof.md", "") is None


def test_the_citation_names_the_release_day_and_the_files_own():
    source = Source("Toelichting AAB", RELEASE, dated="2019-08-16", dated_by="document")
    assert source.edition("nl") == "versie 3.6.0, 1 februari 2025, bestand van 16 augustus 2019"
    assert source.edition("en") == "version 3.6.0, 1 February 2025, file dated 16 August 2019"
    same = Source("Toelichting", "Akte/20250101000007/Toelichting v7.0.docx", dated="2025-01-20", dated_by="document")
    assert same.edition("nl") == "versie 7.0, 20 januari 2025"


def hit(doc_id: str, dated: str, rank: int) -> Hit:
    chunk = Chunk(id=f"c:{doc_id}#0", doc_id=doc_id, collection="c", title=doc_id, headings=(), text=doc_id,
                  ordinal=0, content_hash=doc_id, dated=dated, dated_by="document")
    return Hit(chunk=chunk, score=1.0 / rank, rank=rank)


def test_search_prompt_and_disagreement_order_a_higher_version_saved_earlier_alike():
    # v3.6.0 was last saved before v3.5.0 (its folder names no day): the version number decides.
    newer, older = "aab/Toelichting AAB - v3.6.0.docx", "aab/Toelichting AAB - v3.5.0.docx"
    hits = [hit(older, "2022-05-01", 1), hit(newer, "2019-08-16", 2)]
    assert [h.chunk.doc_id for h in newest_first(hits)] == [newer, older]
    [group] = version_groups(hits)
    assert [h.chunk.doc_id for h in group] == [newer, older]
    passages = [Passage(n, h, h.chunk.text, 10) for n, h in enumerate(hits, start=1)]
    [note] = versions_notes(passages, "nl")
    assert "De nieuwste is [2] (v3.6.0, 16 augustus 2019)" in note

    sources = {doc: Source("Toelichting AAB", doc, dated=h.chunk.dated, dated_by="document")
               for doc, h in ((h.chunk.doc_id, h) for h in hits)}
    found = find_disagreement(QUESTION, [(sources[older], SAYS.format("1 maart")),
                                         (sources[newer], SAYS.format("15 april"))])
    assert found is not None and found.first[0].path == newer and found.second[0].path == older


def test_of_two_documents_the_one_in_the_later_release_is_named_first_with_both_its_days():
    release = Source("Toelichting AAB", RELEASE, dated="2019-08-16", dated_by="document")
    faq = Source("Veelgestelde vragen", "intranet/faq.md", dated="2023-06-01", dated_by="document")
    texts = [(faq, SAYS.format("1 maart")), (release, SAYS.format("15 april"))]
    found = find_disagreement(QUESTION, texts)
    assert found is not None and found.first[0] == release
    line = disagreement_line(found, "nl", {release: 1, faq: 2})
    assert "[1] (1 februari 2025, bestand van 16 augustus 2019) noemt 15 april" in line
    assert "[2] (1 juni 2023) noemt 1 maart" in line
