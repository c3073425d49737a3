"""Chunking properties: heading paths, token budget, merging tiny and splitting long sections."""

from __future__ import annotations

import re

import pytest

from knowledge.chunking import Chunker, parse_sections
from knowledge.models import Document


def words(text: str) -> int:
    """A real, simple token counter: one token per word or punctuation mark."""
    return len(re.findall(r"\w+|[^\w\s]", text))


def doc(text: str, title: str = "Handboek") -> Document:
    return Document(id="hr/handboek.md", title=title, text=text, modified=0.0, content_hash="h",
                    collection="bedrijf", source_path="/x/hr/handboek.md")


def sentence(i: int) -> str:
    return f"Dit is zin nummer {i} over het verlof van medewerkers."


def test_parse_sections_tracks_heading_paths_and_ignores_code_fences():
    text = "# Titel\nintro\n## A\ntekst a\n```\n# geen kop\n```\n### A1\ntekst a1\n## B\ntekst b\n"
    sections = parse_sections(text)
    assert [s.headings for s in sections] == [("Titel",), ("Titel", "A"), ("Titel", "A", "A1"), ("Titel", "B")]
    assert "# geen kop" in sections[1].text


def test_chunks_carry_title_heading_path_and_stable_ids():
    chunker = Chunker(words, max_tokens=60, overlap_tokens=0, min_tokens=0)
    text = "# Handboek\n\n## Verlof\n\n" + " ".join(sentence(i) for i in range(3)) + \
           "\n\n## Ziekte\n\n" + " ".join(sentence(i) for i in range(3, 6))
    chunks = chunker.split(doc(text))
    assert [c.headings for c in chunks] == [("Handboek", "Verlof"), ("Handboek", "Ziekte")]
    assert [c.id for c in chunks] == ["bedrijf:hr/handboek.md#0", "bedrijf:hr/handboek.md#1"]
    assert chunks[0].embedding_text.startswith("Handboek > Verlof\n")
    assert all(c.content_hash == "h" and c.doc_id == "hr/handboek.md" for c in chunks)


@pytest.mark.parametrize("max_tokens", [40, 80, 200])
def test_every_chunk_fits_the_budget_and_no_text_is_lost(max_tokens):
    paragraphs = [" ".join(sentence(i * 10 + j) for j in range(1 + i % 7)) for i in range(12)]
    text = "# Handboek\n\n## Lang\n\n" + "\n\n".join(paragraphs) + "\n\n## Kort\n\nEen korte zin."
    chunker = Chunker(words, max_tokens=max_tokens, overlap_tokens=10)
    chunks = chunker.split(doc(text))
    assert all(words(c.embedding_text) <= max_tokens for c in chunks)
    covered = " ".join(c.text for c in chunks)
    for i in range(12):
        assert f"nummer {i * 10} " in covered


def test_long_sections_split_at_paragraph_boundaries_first():
    paragraphs = [" ".join(sentence(i * 3 + j) for j in range(3)) for i in range(6)]  # ~36 words each
    chunker = Chunker(words, max_tokens=100, overlap_tokens=0)
    chunks = chunker.split(doc("# Handboek\n\n" + "\n\n".join(paragraphs)))
    assert len(chunks) > 1
    for chunk in chunks:
        assert chunk.text.startswith("Dit is zin") and chunk.text.endswith("medewerkers.")
        assert set(chunk.text.split("\n\n")) <= set(paragraphs)


def test_a_too_long_paragraph_is_split_at_sentences_with_overlap():
    paragraph = " ".join(sentence(i) for i in range(30))
    chunker = Chunker(words, max_tokens=80, overlap_tokens=15)
    chunks = chunker.split(doc("# Handboek\n\n" + paragraph))
    assert len(chunks) >= 5
    for first, second in zip(chunks, chunks[1:]):
        last_sentence = re.findall(r"Dit is zin nummer \d+", first.text)[-1]
        assert last_sentence in second.text  # the overlap repeats the tail of the previous chunk
    assert all(c.text.endswith(".") for c in chunks)


def test_tiny_sibling_sections_are_merged_with_their_headings_kept_in_the_text():
    text = "# Handboek\n\n## Contact\n\n### Telefoon\n\nBel 010.\n\n### Mail\n\nMail hr@x.nl.\n\n## Lang\n\n" + \
           " ".join(sentence(i) for i in range(20))
    chunker = Chunker(words, max_tokens=120, overlap_tokens=0, min_tokens=30)
    chunks = chunker.split(doc(text))
    merged = chunks[0]
    assert merged.headings == ("Handboek", "Contact")
    assert "Telefoon" in merged.text and "Bel 010." in merged.text and "Mail hr@x.nl." in merged.text
    assert chunks[1].headings == ("Handboek", "Lang")


def test_sections_are_not_merged_across_different_parents():
    text = "# Handboek\n\n## A\n\n### A1\n\nkort a.\n\n## B\n\n### B1\n\nkort b.\n"
    chunker = Chunker(words, max_tokens=200, overlap_tokens=0, min_tokens=30)
    chunks = chunker.split(doc(text))
    assert [c.headings for c in chunks] == [("Handboek", "A", "A1"), ("Handboek", "B", "B1")]


def test_document_without_headings_is_one_chunk_under_its_title():
    chunks = Chunker(words).split(doc("Gewoon wat tekst zonder kopjes.", title="notitie"))
    assert len(chunks) == 1 and chunks[0].headings == () and chunks[0].title == "notitie"
    assert chunks[0].embedding_text == "notitie\nGewoon wat tekst zonder kopjes."


@pytest.mark.slow
def test_budget_in_real_model_tokens(embedder):
    text = "# Declaraties\n\n" + "\n\n".join(
        "Declareer je reiskosten, parkeerkosten en lunchkosten binnen dertig dagen via Mijn Polderlicht; "
        "de teamleider keurt goed en de salarisadministratie betaalt uit." for _ in range(20))
    chunks = Chunker(embedder.count_tokens, max_tokens=128, overlap_tokens=20).split(doc(text))
    assert len(chunks) > 2
    assert all(embedder.count_tokens(c.embedding_text) <= 128 for c in chunks)


# --- pages and slides ----------------------------------------------------------------------------------------

def test_chunks_take_the_page_they_begin_on_and_lose_the_marks():
    text = ("<!-- page 1 -->\n\n# Regeling\n\n" + " ".join(sentence(i) for i in range(12)) +
            "\n\n<!-- page 2 -->\n\n" + " ".join(sentence(i) for i in range(12, 24)) +
            "\n\n<!-- page 3 -->\n\n## Bijlage\n\nDe bijlage staat op de derde pagina.")
    chunks = Chunker(words, max_tokens=80, overlap_tokens=0).split(doc(text, title="Regeling"))
    assert chunks[0].page == 1
    assert next(c.page for c in chunks if "zin nummer 13 " in c.text) == 2
    assert [c.page for c in chunks if c.headings[-1] == "Bijlage"] == [3]
    assert all("<!--" not in c.text and "<!--" not in c.embedding_text for c in chunks)


def test_a_passage_running_over_a_page_break_keeps_its_first_page():
    text = "<!-- page 4 -->\n\n# Kort\n\nEerste alinea op pagina vier.\n\n<!-- page 5 -->\n\nTweede alinea."
    chunks = Chunker(words, max_tokens=200).split(doc(text, title="Kort"))
    assert [(c.page, c.text) for c in chunks] == [(4, "Eerste alinea op pagina vier.\n\nTweede alinea.")]


def test_slides_are_never_joined_however_small():
    text = "\n\n".join(f"<!-- slide {n} -->\n\n## Dia over {onderwerp}\n\nEén regel over {onderwerp}."
                       for n, onderwerp in enumerate(("lunch", "parkeren", "laptops"), start=1))
    chunks = Chunker(words, max_tokens=200).split(doc(text, title="Introductie"))
    assert [(c.page, c.headings[-1]) for c in chunks] == [
        (1, "Dia over lunch"), (2, "Dia over parkeren"), (3, "Dia over laptops")]


def test_text_without_marks_has_no_page():
    chunks = Chunker(words, max_tokens=200).split(doc("# Titel\n\nGewone tekst."))
    assert [c.page for c in chunks] == [None]
