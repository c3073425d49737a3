"""A plain WebDAV server (WsgiDAV, no folder ETags): everything the account reads is the
collection's, listed folder by folder, and only files with a new ETag are fetched."""

from __future__ import annotations

import pytest

from knowledge.sources.base import EVERYONE, SourceAuthError, collection
from knowledge.sources.webdav import WebDavSource
from tests.fakes.nextcloud.server import WebDavServer
from tests.knowledge.conftest import write_docs


@pytest.fixture
def share(tmp_path):
    return write_docs(tmp_path / "share", {
        "handboek.md": "# Handboek\n\nWelkom.\n", "it/vpn.txt": "VPN\n\nGebruik GlobalProtect.\n",
        "it/oud/printer.md": "# Printer\n\nTweede verdieping.\n", "it/logo.png": "PNG",
        ".config/x.md": "# Verborgen\n", "~$handboek.md": "lock"})


@pytest.fixture
def dav(share):
    with WebDavServer(share) as server:
        yield server


@pytest.fixture
def source(dav):
    source = WebDavSource("wiki", url=dav.dav_url, username="lezer", password="geheim")
    yield source
    source.close()


def test_first_sync_lists_what_the_account_reads_as_the_collections(source, dav):
    result = source.sync(None)
    assert sorted(d.id for d in result.added) == ["handboek.md", "it/oud/printer.md", "it/vpn.txt"]
    assert all(d.readers == {EVERYONE} for d in result.added)
    assert result.not_read == {".png": 1}
    vpn = next(d for d in result.added if d.id == "it/vpn.txt")
    assert vpn.url == f"{dav.dav_url}it/vpn.txt" and vpn.size == len("VPN\n\nGebruik GlobalProtect.\n")
    assert source.fetch(vpn) == b"VPN\n\nGebruik GlobalProtect.\n"


def test_a_restricted_collection_gives_its_documents_the_collections_principal(dav):
    source = WebDavSource("hr", url=dav.dav_url, username="lezer", password="geheim",
                          readers=frozenset({collection("hr")}))
    result = source.sync(None)
    assert {d.readers for d in result.added} == {frozenset({collection("hr")})}
    assert set(source.refresh_readers(result.cursor).values()) == {frozenset({collection("hr")})}
    source.close()


def test_without_folder_etags_every_folder_is_listed_but_nothing_is_fetched_again(source, dav):
    first = source.sync(None)
    mark = len(dav.requests)
    second = source.sync(first.cursor)
    assert (second.added, second.changed, second.deleted, second.unchanged) == ([], [], [], 3)
    assert dav.requests[mark:] == [("PROPFIND", "/dav/"), ("PROPFIND", "/dav/it/"), ("PROPFIND", "/dav/it/oud/")]


def test_changed_renamed_and_deleted_files(source, share):
    first = source.sync(None)
    (share / "handboek.md").write_text("# Handboek\n\nWelkom bij Polderlicht.\n", encoding="utf-8")
    (share / "it/vpn.txt").rename(share / "it/vpn-thuiswerken.txt")
    (share / "it/oud/printer.md").unlink()
    second = source.sync(first.cursor)
    assert [d.id for d in second.changed] == ["handboek.md"]
    assert [d.id for d in second.added] == ["it/vpn-thuiswerken.txt"]  # the id is the path: a rename is new
    assert second.deleted == ["it/oud/printer.md", "it/vpn.txt"]


def test_a_wrong_password_is_refused_in_dutch(dav):
    source = WebDavSource("wiki", url=dav.dav_url, username="lezer", password="fout")
    with pytest.raises(SourceAuthError, match="weigert de gebruikersnaam"):
        source.check()
    source.close()
