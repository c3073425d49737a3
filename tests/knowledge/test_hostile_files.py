"""Hostile files in a source folder: links out of it, huge files, zip bombs, endless PDFs and one
megabyte without a sentence break. Each is skipped (or chunked) with its work bounded by
construction: sizes and page counts are checked before anything is parsed."""

from __future__ import annotations

import io
import re
import struct
import zipfile
from pathlib import Path

import pytest

from knowledge.chunking import Chunker
from knowledge.file_limits import MB, FileLimits
from knowledge.indexing import Indexer
from knowledge.loaders import scan_folder
from knowledge.models import Document
from knowledge.index.store import ChunkStore
from tests.knowledge.conftest import write_docs


def words(text: str) -> int:
    return len(re.findall(r"\w+|[^\w\s]", text))


class CountingTokenizer:
    """The word counter, counting its own calls."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, text: str) -> int:
        self.calls += 1
        return words(text)


def indexer(tmp_path: Path, embedder, limits: FileLimits = FileLimits()) -> Indexer:
    return Indexer(ChunkStore(str(tmp_path / "index")), embedder, Chunker(embedder.count_tokens),
                   lock_dir=tmp_path / "state", limits=limits)


def skipped(report) -> dict[str, str]:
    return {s.path: s.reason for s in report.skipped}


# --- links -------------------------------------------------------------------------------------------

@pytest.mark.slow  # indexes with the real packaged embedding model
def test_links_out_of_the_source_folder_are_not_followed(tmp_path, embedder):
    docs = write_docs(tmp_path / "docs", {"hr/vakantie.md": "# Vakantie\n\nJe krijgt 25 vakantiedagen.\n"})
    secret = write_docs(tmp_path / "elders", {"salarissen.md": "# Salarissen\n\nDe directeur verdient veel.\n",
                                              "map/geheim.md": "# Geheim\n\nHet wachtwoord is zwaardvis.\n"})
    (docs / "salarissen.md").symlink_to(secret / "salarissen.md")
    (docs / "gekoppeld").symlink_to(secret / "map", target_is_directory=True)
    (docs / "hr" / "kopie.md").symlink_to(docs / "hr" / "vakantie.md")  # inside: its target is read anyway

    report = indexer(tmp_path, embedder).reindex(docs, collection="bedrijf")

    assert report.added == ["hr/vakantie.md"]
    reasons = skipped(report)
    assert set(reasons) == {"salarissen.md", "gekoppeld"}
    assert all("niet gevolgd" in r for r in reasons.values())
    assert scan_folder(docs).documents == [docs / "hr" / "vakantie.md"]


# --- size ----------------------------------------------------------------------------------------------

@pytest.mark.slow  # indexes with the real packaged embedding model
def test_a_200_mb_text_file_is_skipped_without_being_read(tmp_path, embedder):
    docs = write_docs(tmp_path / "docs", {"kort.md": "# Kort\n\nEen kort document.\n"})
    with (docs / "dump.txt").open("wb") as huge:  # sparse: 200 MB on paper, nothing on disk
        huge.truncate(200 * MB)

    report = indexer(tmp_path, embedder).reindex(docs, collection="bedrijf")

    assert report.added == ["kort.md"]
    assert "te groot (200 MB; de grens is 50 MB" in skipped(report)["dump.txt"]


@pytest.mark.slow  # indexes with the real packaged embedding model
def test_the_size_limit_comes_from_the_settings(tmp_path, embedder):
    from bot.services import Services
    from bot.settings import load_settings

    docs = write_docs(tmp_path / "docs", {"kort.md": "# Kort\n\nEen kort document.\n",
                                          "lang.md": "# Lang\n\n" + "Een lange regel tekst.\n" * 60_000})
    settings = load_settings(environ={"VRAAGBAAK_MAX_FILE_MB": "1"}, config_path=None,
                             data_dir=tmp_path / "data")
    report = Services(settings, embedder=embedder).indexer.reindex(docs, collection="bedrijf")
    assert report.added == ["kort.md"]
    assert "de grens is 1 MB" in skipped(report)["lang.md"]


# --- zip bombs ---------------------------------------------------------------------------------------------

def _declare_size(data: bytes, member: str, size: int) -> bytes:
    """The zip with `member`'s uncompressed size in the central directory set to `size`."""
    out = bytearray(data)
    at = out.index(b"PK\x01\x02")
    while True:
        name_len = struct.unpack_from("<H", out, at + 28)[0]
        if out[at + 46:at + 46 + name_len].decode() == member:
            struct.pack_into("<I", out, at + 24, size)
            return bytes(out)
        extra, comment = struct.unpack_from("<HH", out, at + 30)
        at = out.index(b"PK\x01\x02", at + 46 + name_len + extra + comment)


def _docx(path: Path) -> bytes:
    from tests.knowledge.test_loaders import make_docx
    return make_docx(path).read_bytes()


@pytest.mark.slow  # indexes with the real packaged embedding model
def test_a_docx_that_declares_gigabytes_is_skipped(tmp_path, embedder):
    docs = write_docs(tmp_path / "docs", {"kort.md": "# Kort\n\nEen kort document.\n"})
    bomb = _declare_size(_docx(tmp_path / "echt.docx"), "word/document.xml", 4_000_000_000)
    (docs / "bom.docx").write_bytes(bomb)

    report = indexer(tmp_path, embedder).reindex(docs, collection="bedrijf")

    assert report.added == ["kort.md"]
    assert "zip-bom" in skipped(report)["bom.docx"]


@pytest.mark.slow  # indexes with the real packaged embedding model
@pytest.mark.parametrize("suffix, member", [(".docx", "word/document.xml"), (".xlsx", "xl/worksheets/sheet1.xml"),
                                            (".pptx", "ppt/slides/slide1.xml"), (".odt", "content.xml"),
                                            (".ods", "content.xml"), (".odp", "content.xml")])
def test_zip_based_formats_that_inflate_past_the_limit_are_skipped(tmp_path, embedder, suffix, member):
    docs = write_docs(tmp_path / "docs", {"kort.md": "# Kort\n\nEen kort document.\n"})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.text")
        archive.writestr(member, b"<" + b" " * (3 * MB) + b"/>")  # 3 MB of XML in a few KB
    (docs / f"bom{suffix}").write_bytes(buffer.getvalue())
    assert len(buffer.getvalue()) < 100_000

    report = indexer(tmp_path, embedder, FileLimits(max_unpacked_bytes=1 * MB)).reindex(docs, collection="bedrijf")

    assert report.added == ["kort.md"]
    assert "pakt uit tot 3 MB (de grens is 1 MB" in skipped(report)[f"bom{suffix}"]


# --- PDF pages ----------------------------------------------------------------------------------------------

@pytest.mark.slow  # indexes with the real packaged embedding model
def test_a_pdf_of_thousands_of_pages_is_skipped(tmp_path, embedder):
    from pypdf import PdfWriter

    docs = write_docs(tmp_path / "docs", {"kort.md": "# Kort\n\nEen kort document.\n"})
    writer = PdfWriter()
    for _ in range(2500):
        writer.add_blank_page(width=200, height=200)
    with (docs / "eindeloos.pdf").open("wb") as out:
        writer.write(out)

    report = indexer(tmp_path, embedder).reindex(docs, collection="bedrijf")

    assert report.added == ["kort.md"]
    assert "2500 pagina's (de grens is 2000" in skipped(report)["eindeloos.pdf"]


# --- the chunker is linear -------------------------------------------------------------------------------------

def test_one_megabyte_line_without_sentence_breaks_is_chunked_completely_in_linear_work():
    vocabulary = [f"woord{i}" for i in range(200)]
    line = " ".join(vocabulary[(i * 7) % 200] for i in range(150_000))  # ~1 MB, no full stop
    assert len(line) > 1_000_000
    tokenizer = CountingTokenizer()
    chunker = Chunker(tokenizer, max_tokens=350, overlap_tokens=40)

    chunks = chunker.split(Document(id="log.txt", title="Log", text="# Log\n\n" + line, modified=0.0,
                                    content_hash="h", collection="c", source_path="/x/log.txt"))

    assert " ".join(c.text for c in chunks) == line  # every word, in order, once (word runs have no overlap)
    assert all(words(c.embedding_text) <= 350 for c in chunks)
    # Re-counting the growing run after every word took ~150,000 calls on ever longer texts; now:
    # a few whole-text counts, each distinct word once, and about two counts per chunk.
    assert tokenizer.calls <= 20 + len(vocabulary) + 3 * len(chunks)
