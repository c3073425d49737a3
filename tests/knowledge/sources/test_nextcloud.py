"""Nextcloud: real WebDAV (WsgiDAV with Nextcloud's properties) and the OCS share, group and user
endpoints, over real sockets, read by the real httpx2 client."""

from __future__ import annotations

import os
import shutil

import pytest

from knowledge.errors import DocumentError
from knowledge.file_limits import FileLimits
from knowledge.sources.base import EVERYONE, SourceAuthError, group, user
from knowledge.sources.nextcloud import NextcloudSource
from tests.fakes.nextcloud.server import NextcloudServer
from tests.knowledge.conftest import write_docs

USER, GROUP, LINK, EMAIL, FEDERATED = 0, 1, 3, 4, 6
ROOT = "/remote.php/dav/files/vraagbaak/Personeel/"


@pytest.fixture
def files(tmp_path):
    return write_docs(tmp_path / "files", {
        "Personeel/loon/schalen.md": "# Schalen\n\nSchaal 8 begint bij 3.000 euro.\n",
        "Personeel/loon/2026.txt": "Loonsverhoging 2026\n\nVier procent.\n",
        "Personeel/beleid/verlof.md": "# Verlof\n\n25 dagen.\n",
        "Personeel/kantine.md": "# Kantine\n\nOpen van 12 tot 14 uur.\n",
        "Personeel/foto.jpg": "JFIF",
        "Personeel/.verborgen.md": "# Niet\n",
        "Personeel/beleid/~$verlof.md": "lock",
        "Elders/geheim.md": "# Buiten de map\n"})


@pytest.fixture
def nextcloud(files):
    with NextcloudServer(files) as server:
        ocs = server.ocs
        for uid, email in {"anna": "Anna@polderlicht.nl", "bart": "bart@polderlicht.nl", "vraagbaak": None,
                           "hr-lead": "lead@polderlicht.nl"}.items():
            ocs.add_user(uid, email)
        ocs.groups["hr"] = ["anna", "hr-lead"]
        ocs.share("/Personeel/loon", GROUP, "hr")
        ocs.share("/Personeel/beleid/verlof.md", USER, "bart")
        ocs.share("/Personeel/kantine.md", LINK)
        yield server


@pytest.fixture
def source(nextcloud, sleeps):
    source = NextcloudSource("nextcloud", base_url=nextcloud.url, username="vraagbaak", password="app-wachtwoord",
                             folder="Personeel", sleep=sleeps, limits=FileLimits(max_file_bytes=1000))
    yield source
    source.close()


def by_path(documents) -> dict:
    return {d.path: d for d in documents}


def test_first_sync_lists_documents_with_ids_links_and_readers_from_shares(source, nextcloud):
    result = source.sync(None)
    docs = by_path(result.added)
    assert set(docs) == {"loon/schalen.md", "loon/2026.txt", "beleid/verlof.md", "kantine.md"}
    assert docs["loon/schalen.md"].readers == {group("nextcloud", "hr")}  # through the folder's share
    assert docs["beleid/verlof.md"].readers == {user("bart@polderlicht.nl")}
    assert docs["kantine.md"].readers == {EVERYONE}  # a public link
    assert result.not_read == {".jpg": 1}
    schalen = docs["loon/schalen.md"]
    assert schalen.id == str(os.stat(nextcloud.root / "Personeel/loon/schalen.md").st_ino)
    assert schalen.url == f"{nextcloud.url}/f/{schalen.id}"
    assert source.fetch(schalen) == "# Schalen\n\nSchaal 8 begint bij 3.000 euro.\n".encode()


def test_a_second_sync_with_nothing_changed_is_one_propfind(source, nextcloud):
    first = source.sync(None)
    mark = len(nextcloud.requests)
    second = source.sync(first.cursor)
    assert (second.added, second.changed, second.renamed, second.deleted) == ([], [], [], [])
    assert second.unchanged == 4 and second.not_read == {".jpg": 1}
    assert nextcloud.requests[mark:] == [("PROPFIND", ROOT)]


def test_a_changed_file_lists_only_the_folders_above_it_again(source, nextcloud, files):
    first = source.sync(None)
    (files / "Personeel/loon/2026.txt").write_text("Loonsverhoging 2026\n\nVijf procent in juli.\n", encoding="utf-8")
    mark = len(nextcloud.requests)
    second = source.sync(first.cursor)
    assert [d.path for d in second.changed] == ["loon/2026.txt"] and second.unchanged == 3
    assert second.changed[0].readers == {group("nextcloud", "hr")}
    propfinds = [path for method, path in nextcloud.requests[mark:] if method == "PROPFIND"]
    assert propfinds == [ROOT, ROOT + "loon/"]  # beleid/ did not change: not asked
    assert "Vijf procent" in source.fetch(second.changed[0]).decode()


def test_a_moved_file_keeps_its_id_and_its_own_share_and_gains_the_new_folders_readers(source, nextcloud, files):
    first = source.sync(None)
    before = by_path(first.added)["beleid/verlof.md"]
    os.rename(files / "Personeel/beleid/verlof.md", files / "Personeel/loon/verlof.md")
    mark = len(nextcloud.requests)
    second = source.sync(first.cursor)
    [renamed] = second.renamed
    assert (renamed.document.id, renamed.previous_path, renamed.document.path) == (
        before.id, "beleid/verlof.md", "loon/verlof.md")
    assert renamed.document.readers == {group("nextcloud", "hr"), user("bart@polderlicht.nl")}
    assert not second.added and not second.deleted and not second.changed
    assert ("GET", ROOT + "loon/verlof.md") not in nextcloud.requests[mark:]


def test_deleted_files_and_folders(source, files):
    first = source.sync(None)
    ids = {d.path: d.id for d in first.added}
    shutil.rmtree(files / "Personeel/loon")
    (files / "Personeel/kantine.md").unlink()
    second = source.sync(first.cursor)
    assert sorted(second.deleted) == sorted([ids["loon/schalen.md"], ids["loon/2026.txt"], ids["kantine.md"]])
    assert second.unchanged == 1


def test_group_members_and_owners_come_from_the_ocs_api(source, nextcloud):
    nextcloud.owners["/Personeel/beleid"] = "hr-lead"
    docs = by_path(source.sync(None).added)
    assert docs["beleid/verlof.md"].readers == {user("bart@polderlicht.nl"), user("lead@polderlicht.nl")}
    assert source.members(group("nextcloud", "hr")) == {"anna@polderlicht.nl", "lead@polderlicht.nl"}
    assert source.members(group("nextcloud", "onbekend")) == frozenset()
    nextcloud.ocs.group_listing_allowed = False
    with pytest.raises(SourceAuthError, match="groepsleden"):
        source.members(group("nextcloud", "hr"))


def test_a_revoked_share_shrinks_the_readers_after_a_permission_only_refresh(source, nextcloud):
    first = source.sync(None)
    docs = by_path(first.added)
    [bart_share] = [s["id"] for s in nextcloud.ocs.shares if s["share_with"] == "bart"]
    nextcloud.ocs.unshare(bart_share)
    nextcloud.ocs.share("/Personeel/beleid", EMAIL, "extern@adviseur.nl")
    mark = len(nextcloud.requests)
    readers = source.refresh_readers(first.cursor)
    assert readers[docs["beleid/verlof.md"].id] == {user("extern@adviseur.nl")}
    assert readers[docs["loon/schalen.md"].id] == {group("nextcloud", "hr")}
    assert {method for method, _ in nextcloud.requests[mark:]} == {"GET"}
    assert all(path.startswith("/ocs/") for _, path in nextcloud.requests[mark:])  # no WebDAV at all


def test_expired_and_federated_shares_grant_nothing(source, nextcloud):
    nextcloud.ocs.share("/Personeel/kantine.md", USER, "anna", expiration="2020-01-01 00:00:00")
    nextcloud.ocs.share("/Personeel/beleid/verlof.md", FEDERATED, "iemand@andere.cloud")
    docs = by_path(source.sync(None).added)
    assert docs["kantine.md"].readers == {EVERYONE}
    assert docs["beleid/verlof.md"].readers == {user("bart@polderlicht.nl")}


def test_a_share_on_the_configured_folder_itself_reaches_everything_in_it(source, nextcloud):
    nextcloud.ocs.share("/Personeel", USER, "anna")
    docs = by_path(source.sync(None).added)
    assert all(user("anna@polderlicht.nl") in d.readers for d in docs.values())


def test_a_wrong_app_password_is_refused_in_dutch(nextcloud):
    source = NextcloudSource("nextcloud", base_url=nextcloud.url, username="vraagbaak", password="fout",
                             folder="Personeel")
    with pytest.raises(SourceAuthError, match="weigert de gebruikersnaam"):
        source.sync(None)
    source.close()


def test_maintenance_mode_is_waited_out(source, nextcloud, sleeps):
    nextcloud.fail(2, status=503, retry_after="4")
    assert len(source.sync(None).added) == 4
    assert sleeps == [4.0, 4.0]


def test_a_file_over_the_size_limit_is_reported_without_downloading_it(source, nextcloud, files):
    (files / "Personeel/beleid/handboek.md").write_text("# Handboek\n\n" + "tekst " * 400, encoding="utf-8")
    docs = by_path(source.sync(None).added)
    mark = len(nextcloud.requests)
    with pytest.raises(DocumentError, match="te groot"):
        source.fetch(docs["beleid/handboek.md"])
    assert nextcloud.requests[mark:] == []
