"""SharePoint/OneDrive through Microsoft Graph: the real MSAL and httpx2 against a local Graph and
Entra ID over https (tests/fakes/graph), in the shapes Microsoft documents."""

from __future__ import annotations

import logging

import pytest

from knowledge.errors import DocumentError
from knowledge.file_limits import FileLimits
from knowledge.sources.base import EVERYONE, SourceAuthError, SourceError, group, user
from knowledge.sources.transport import RetryPolicy
from tests.fakes.tls import client_certificate
from tests.knowledge.sources.conftest import ANNA, HR_GROUP, SECRET


def by_path(documents) -> dict:
    return {d.path: d for d in documents}


def kinds_after(graph, mark: int) -> list[str]:
    return [r.kind for r in graph.requests[mark:]]


def test_first_sync_lists_each_document_with_its_readers_and_fetches_its_content(make_source):
    source = make_source()
    result = source.sync(None)
    docs = by_path(result.added)
    assert set(docs) == {"Documenten/hr/salarissen.md", "Documenten/hr/verzuim.md", "Documenten/intranet/kantine.md"}
    assert docs["Documenten/hr/salarissen.md"].readers == {user("anna.de.vries@contoso.nl"),
                                                           user("bart.jansen@contoso.nl")}
    assert docs["Documenten/hr/verzuim.md"].readers == {group("sharepoint", "g-hr")}
    assert docs["Documenten/intranet/kantine.md"].readers == {EVERYONE}
    assert result.not_read == {".psd": 1} and not result.deleted and not result.changed
    salaries = docs["Documenten/hr/salarissen.md"]
    assert salaries.url.startswith("https://contoso.sharepoint.com/") and salaries.modified > 0
    assert source.fetch(salaries) == b"# Salarissen\n\nSchaal 8 begint bij 3.000 euro.\n"


def test_a_second_sync_with_nothing_changed_asks_only_for_the_delta(make_source, graph):
    source = make_source()
    first = source.sync(None)
    for document in first.added:
        source.fetch(document)
    mark = len(graph.requests)
    second = source.sync(first.cursor)
    assert (second.added, second.changed, second.renamed, second.deleted) == ([], [], [], [])
    assert second.unchanged == 3 and second.not_read == {".psd": 1}
    assert kinds_after(graph, mark) == ["site", "drives", "delta"]  # no content, no permissions


def test_a_changed_file_comes_back_as_changed_with_its_new_content(make_source, tenant, drive):
    source = make_source()
    first = source.sync(None)
    tenant.change_content(drive, "hr/verzuim.md", b"# Verzuim\n\nZiek melden voor 8 uur.\n")
    second = source.sync(first.cursor)
    assert [d.path for d in second.changed] == ["Documenten/hr/verzuim.md"] and not second.added
    changed = second.changed[0]
    assert changed.version != by_path(first.added)[changed.path].version
    assert changed.readers == {group("sharepoint", "g-hr")}
    assert source.fetch(changed) == b"# Verzuim\n\nZiek melden voor 8 uur.\n"
    assert second.unchanged == 2


def test_a_renamed_file_keeps_its_id_and_content_and_is_not_downloaded_again(make_source, tenant, drive, graph):
    source = make_source()
    first = source.sync(None)
    before = by_path(first.added)["Documenten/hr/salarissen.md"]
    tenant.rename(drive, "hr/salarissen.md", "lonen.md", into="intranet")
    mark = len(graph.requests)
    second = source.sync(first.cursor)
    assert not second.added and not second.changed and not second.deleted
    [renamed] = second.renamed
    assert renamed.previous_path == "Documenten/hr/salarissen.md"
    assert (renamed.document.id, renamed.document.path) == (before.id, "Documenten/intranet/lonen.md")
    assert renamed.document.version == before.version and renamed.document.readers == before.readers
    assert "content" not in kinds_after(graph, mark)


def test_a_renamed_folder_renames_what_is_in_it_though_delta_reports_only_the_folder(make_source, tenant, drive):
    source = make_source()
    first = source.sync(None)
    tenant.rename(drive, "hr", "personeelszaken")
    second = source.sync(first.cursor)
    assert sorted((r.previous_path, r.document.path) for r in second.renamed) == [
        ("Documenten/hr/salarissen.md", "Documenten/personeelszaken/salarissen.md"),
        ("Documenten/hr/verzuim.md", "Documenten/personeelszaken/verzuim.md")]
    assert second.unchanged == 1 and not second.deleted


def test_deleted_files_and_the_files_of_a_deleted_folder_are_reported(make_source, tenant, drive):
    source = make_source()
    first = source.sync(None)
    ids = {d.path: d.id for d in first.added}
    tenant.delete(drive, "intranet/kantine.md")
    tenant.delete(drive, "hr")
    second = source.sync(first.cursor)
    assert sorted(second.deleted) == sorted(ids.values())
    assert second.not_read == {".psd": 1}  # the Photoshop file in intranet/ is still there
    third = source.sync(second.cursor)
    assert (third.deleted, third.unchanged) == ([], 0)


def test_many_documents_come_in_several_pages(make_source, tenant, drive, graph):
    for n in range(23):
        tenant.add_file(drive, f"archief/{n:02d}.txt", f"Notitie {n}\n".encode(), [ANNA])
    graph.max_page = 5
    source = make_source(page_size=5)
    result = source.sync(None)
    assert len(result.added) == 26
    assert graph.count("delta") >= 6  # 32 items (folders and the root too) in pages of 5
    tenant.add_file(drive, "archief/nieuw.txt", b"Nieuw\n", [ANNA])
    assert [d.path for d in source.sync(result.cursor).added] == ["Documenten/archief/nieuw.txt"]


def test_a_group_share_names_the_group_and_its_members_come_from_entra_id(make_source, graph):
    source = make_source()
    verzuim = by_path(source.sync(None).added)["Documenten/hr/verzuim.md"]
    [hr] = verzuim.readers
    graph.max_page = 1  # transitiveMembers in pages of one
    assert source.members(hr) == {"anna.de.vries@contoso.nl", "carla@contoso.nl"}  # nested group included
    assert source.members(group("sharepoint", "g-gone")) == frozenset()
    assert source.members(group("nextcloud", "g-hr")) == frozenset()  # another source's group


def test_a_revoked_share_shrinks_the_readers_after_a_permission_only_refresh(make_source, tenant, drive, graph):
    source = make_source()
    first = source.sync(None)
    salaries = by_path(first.added)["Documenten/hr/salarissen.md"]
    tenant.set_permissions(drive, "hr/salarissen.md", [ANNA])  # Bart's access is revoked
    tenant.set_permissions(drive, "hr/verzuim.md", [HR_GROUP, ANNA])
    mark = len(graph.requests)
    readers = source.refresh_readers(first.cursor)
    assert readers[salaries.id] == {user("anna.de.vries@contoso.nl")}
    assert readers[by_path(first.added)["Documenten/hr/verzuim.md"].id] == {
        group("sharepoint", "g-hr"), user("anna.de.vries@contoso.nl")}
    assert len(readers) == 3
    assert set(kinds_after(graph, mark)) <= {"batch", "user"}  # no delta, no content


def test_throttling_is_waited_out_as_long_as_retry_after_says(make_source, graph, sleeps):
    source = make_source()
    graph.throttle(2, retry_after="7")
    result = source.sync(None)
    assert len(result.added) == 3
    assert sleeps == [7.0, 7.0]


def test_throttled_requests_inside_a_batch_are_sent_again(make_source, graph, sleeps):
    source = make_source()
    cursor = source.sync(None).cursor
    graph.throttle(2, retry_after="3", inside_batch=True)
    readers = source.refresh_readers(cursor)
    assert len(readers) == 3 and all(readers.values())
    assert sleeps == [3.0] and graph.count("batch") == 3  # one throttled answer, one sent again


def test_throttling_without_end_or_too_long_gives_up_with_a_dutch_reason(make_source, graph, sleeps):
    source = make_source(retry=RetryPolicy(attempts=3, max_wait_s=60))
    graph.throttle(100, retry_after="1")
    with pytest.raises(SourceError, match="beperkt het aantal verzoeken"):
        source.sync(None)
    assert sleeps == [1.0, 1.0]
    graph.throttle(1, retry_after="3600")
    sleeps.clear()
    with pytest.raises(SourceError, match="3600 s te wachten"):
        source.sync(None)
    assert sleeps == []


def test_an_expired_token_is_renewed_once_and_the_sync_goes_on(make_source, graph):
    source = make_source()
    first = source.sync(None)
    graph.expire_tokens()
    second = source.sync(first.cursor)
    assert second.unchanged == 3
    assert graph.count("token") == 2 and graph.count("refused") == 1


def test_wrong_credentials_are_refused_in_dutch_without_showing_the_secret(make_source, caplog):
    caplog.set_level(logging.DEBUG)
    source = make_source(secret="fout-geheim-123")
    with pytest.raises(SourceAuthError) as refused:
        source.sync(None)
    assert "weigert de inloggegevens" in str(refused.value) and "AADSTS7000215" in str(refused.value)
    assert "fout-geheim-123" not in str(refused.value) + caplog.text + repr(source.token)


def test_the_secret_and_the_tokens_never_reach_the_logs(make_source, graph, caplog):
    caplog.set_level(logging.DEBUG)
    source = make_source()
    result = source.sync(None)
    graph.expire_tokens()
    source.fetch(result.added[0])
    assert SECRET not in caplog.text
    assert not [token for token in graph.tokens if token in caplog.text]


def test_a_certificate_instead_of_a_secret(make_source, tenant):
    certificate = client_certificate()
    tenant.add_app("vraagbaak-app", certificate=certificate)
    source = make_source(secret=None, certificate=certificate.pem)
    assert len(source.sync(None).added) == 3
    tenant.add_app("vraagbaak-app", certificate=client_certificate())  # another certificate registered
    with pytest.raises(SourceAuthError):
        make_source(secret=None, certificate=certificate.pem).sync(None)


def test_files_graph_cannot_give_are_reported_like_unreadable_local_files(make_source, tenant, drive, graph):
    tenant.add_file(drive, "hr/leeg.docx", None, [ANNA])  # Graph has no content for it
    tenant.add_file(drive, "hr/groot.pdf", b"%PDF-", [ANNA], size=80 * 1024 * 1024)
    source = make_source(limits=FileLimits(max_file_bytes=50 * 1024 * 1024))
    docs = by_path(source.sync(None).added)
    with pytest.raises(DocumentError, match="itemNotFound"):
        source.fetch(docs["Documenten/hr/leeg.docx"])
    mark = len(graph.requests)
    with pytest.raises(DocumentError, match="te groot"):
        source.fetch(docs["Documenten/hr/groot.pdf"])
    assert kinds_after(graph, mark) == []  # known from the listing: nothing downloaded


def test_an_expired_delta_link_enumerates_the_drive_again_and_still_sees_deletions(make_source, tenant, drive, graph):
    source = make_source()
    first = source.sync(None)
    gone = by_path(first.added)["Documenten/intranet/kantine.md"].id
    tenant.delete(drive, "intranet/kantine.md")
    graph.expire_delta_links()
    second = source.sync(first.cursor)
    assert second.deleted == [gone] and second.unchanged == 2 and not second.added


def test_a_download_on_a_host_not_configured_is_not_followed(make_source):
    source = make_source(download_hosts=["*.sharepoint.com"])
    document = source.sync(None).added[0]
    with pytest.raises(DocumentError, match="andere server"):
        source.fetch(document)


def test_a_cursor_of_another_source_kind_is_refused(make_source):
    with pytest.raises(SourceError, match="hoort niet bij"):
        make_source().sync('{"kind": "webdav"}')
