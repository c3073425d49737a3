"""Fixtures for the knowledge tests: a small document folder and embedders built on the real one."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

import numpy as np
import pytest

from knowledge.chunking import Chunker
from knowledge.indexing import Indexer
from knowledge.index.store import ChunkStore

DOCS = {
    "hr/vakantie.md": "# Vakantie\n\nJe krijgt 25 vakantiedagen per jaar bij een fulltime contract.\n\n"
                      "## Aanvragen\n\nVraag vakantie aan in Mijn Polderlicht; je teamlead keurt goed.\n",
    "it/vpn.md": "# VPN\n\nMet de VPN-client GlobalProtect werk je veilig buiten kantoor.\n",
    "facilitair/fietsen.txt": "FIETSENSTALLING\n\nDe fietsenstalling is in de kelder, ingang aan de achterkant.\n",
}


def write_docs(root: Path, docs: dict[str, str] = DOCS) -> Path:
    for name, text in docs.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


class DelegatingEmbedder:
    """The real packaged model under another face: tests change one behaviour and keep the rest."""

    def __init__(self, real, *, name: str | None = None) -> None:
        self.real = real
        self.name = name or real.name
        self.dimension = real.dimension

    def embed_documents(self, texts, progress=None):
        return self.real.embed_documents(texts, progress)

    def embed_query(self, text):
        return self.real.embed_query(text)

    def count_tokens(self, text):
        return self.real.count_tokens(text)


class CrashingEmbedder(DelegatingEmbedder):
    """Embeds the first half for real, then fails like a killed worker would."""

    def embed_documents(self, texts, progress=None):
        half = max(1, len(texts) // 2)
        self.real.embed_documents(texts[:half], progress)
        raise RuntimeError("de stroom viel uit tijdens het inbedden")


class GatedEmbedder(DelegatingEmbedder):
    """Waits inside embed_documents until the test opens the gate."""

    def __init__(self, real) -> None:
        super().__init__(real)
        self.entered = threading.Event()
        self.gate = threading.Event()

    def embed_documents(self, texts, progress=None):
        self.entered.set()
        assert self.gate.wait(60), "gate never opened"
        return super().embed_documents(texts, progress)


class CountingEmbedder(DelegatingEmbedder):
    def __init__(self, real) -> None:
        super().__init__(real)
        self.embedded: list[str] = []

    def embed_documents(self, texts, progress=None):
        self.embedded.extend(texts)
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return super().embed_documents(texts, progress)


def make_indexer(tmp_path: Path, embedder, store: ChunkStore | None = None) -> Indexer:
    store = store or ChunkStore(str(tmp_path / "index"))
    return Indexer(store, embedder, Chunker(embedder.count_tokens, max_tokens=128, overlap_tokens=16),
                   lock_dir=tmp_path / "state")


@pytest.fixture
def docs(tmp_path) -> Path:
    return write_docs(tmp_path / "docs")


class _Heard(logging.Handler):
    """What reaches the root logger's handlers: what the bot's log shows. (pytest's caplog also
    hangs its handler on every logger that does not propagate, so it would see the libraries' own.)"""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def root_log():
    heard, root = _Heard(), logging.getLogger()
    level = root.level
    root.addHandler(heard)
    root.setLevel(logging.DEBUG)
    yield heard.records
    root.removeHandler(heard)
    root.setLevel(level)
