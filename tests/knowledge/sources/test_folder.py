"""A local folder behind the same interface: the files scan_folder finds, with today's ids."""

from __future__ import annotations

import os

import pytest

from knowledge.errors import DocumentError, SourceNotFoundError
from knowledge.file_limits import FileLimits
from knowledge.loaders import OUTSIDE_LINK_REASON, document_id, scan_folder
from knowledge.models import SkippedFile
from knowledge.sources.base import EVERYONE, collection
from knowledge.sources.folder import FolderSource
from tests.knowledge.conftest import write_docs


@pytest.fixture
def folder(tmp_path):
    root = write_docs(tmp_path / "docs")
    (root / "hr/logo.psd").write_bytes(b"8BPS")
    (root / ".git").mkdir()
    (root / ".git/config.md").write_text("# Verborgen\n")
    (tmp_path / "buiten.md").write_text("# Buiten\n")
    (root / "buiten.md").symlink_to(tmp_path / "buiten.md")
    return root


def test_it_lists_what_scan_folder_finds_with_the_same_ids(folder):
    result = FolderSource("bedrijf", folder).sync(None)
    scan = scan_folder(folder)
    assert sorted(d.id for d in result.added) == sorted(document_id(p, folder) for p in scan.documents)
    assert result.not_read == scan.not_read == {".psd": 1}
    assert result.skipped == [SkippedFile("buiten.md", OUTSIDE_LINK_REASON)]
    assert all(d.readers == {EVERYONE} for d in result.added)
    vakantie = next(d for d in result.added if d.id == "hr/vakantie.md")
    assert vakantie.url == (folder / "hr/vakantie.md").as_uri()
    assert (vakantie.name, vakantie.suffix) == ("vakantie.md", ".md")
    assert FolderSource("bedrijf", folder).fetch(vakantie) == (folder / "hr/vakantie.md").read_bytes()


def test_a_second_sync_sees_changes_additions_and_deletions_only(folder):
    source = FolderSource("hr", folder, readers=frozenset({collection("hr")}))
    first = source.sync(None)
    assert source.sync(first.cursor).unchanged == 3
    (folder / "it/vpn.md").write_text("# VPN\n\nNieuwe client.\n")
    os.utime(folder / "it/vpn.md", ns=(1, 1))  # another modification time, whatever the clock's resolution
    (folder / "facilitair/fietsen.txt").unlink()
    (folder / "hr/nieuw.md").write_text("# Nieuw\n")
    second = source.sync(first.cursor)
    assert [d.id for d in second.changed] == ["it/vpn.md"]
    assert [d.id for d in second.added] == ["hr/nieuw.md"]
    assert second.deleted == ["facilitair/fietsen.txt"] and second.unchanged == 1
    assert second.added[0].readers == {collection("hr")}


def test_a_file_over_the_limit_is_reported_before_it_is_read(folder):
    (folder / "groot.md").write_text("# Groot\n\n" + "x" * 5000)
    source = FolderSource("bedrijf", folder, limits=FileLimits(max_file_bytes=1000))
    big = next(d for d in source.sync(None).added if d.id == "groot.md")
    with pytest.raises(DocumentError, match="te groot"):
        source.fetch(big)


def test_a_missing_folder_says_so_in_dutch(tmp_path):
    with pytest.raises(SourceNotFoundError, match="bestaat niet"):
        FolderSource("weg", tmp_path / "weg").sync(None)
