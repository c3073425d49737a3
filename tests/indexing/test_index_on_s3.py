"""The index on S3-compatible object storage (the SeaweedFS the tests start), reached through the
VRAAGBAAK_INDEX_S3_* settings alone: a re-index writes a new version while a replica keeps reading
the old one, and that replica reads the new one once it is committed, without reopening; a wrong
secret, an unknown bucket or a store that does not answer is a Dutch error that names no secret;
`doctor` checks the bucket."""

from __future__ import annotations

import logging

import pytest

from bot.indexing.index_store import open_index
from bot.operations.doctor import FAIL, OK, WARN, Doctor
from knowledge.errors import IndexUnreachableError
from knowledge.retrieval import Retriever
from tests.conftest import make_settings
from tests.scheduling.conftest import services_for, write_docs
from tests.scheduling.test_schedule_runs import HeldRun
from tests.servers.objectstore import ACCESS_KEY, REGION, SECRET_KEY

WRONG_SECRET = "dit-is-het-verkeerde-geheim-4711"


def s3_settings(bucket, **overrides) -> dict:
    """The settings that put the index in `bucket`: the URI, the endpoint and the credentials."""
    return {"index_uri": bucket.uri(), "index_s3_endpoint": bucket.endpoint, "index_s3_region": REGION,
            "index_s3_access_key_id": ACCESS_KEY, "index_s3_secret_access_key": SECRET_KEY, **overrides}


def found(store, embedder, question: str) -> list[str]:
    return [hit.chunk.doc_id for hit in Retriever(embedder, store).search(question, k=3)]


@pytest.mark.slow
def test_a_replica_reads_the_old_version_during_a_reindex_and_the_new_one_after(tmp_path, embedder, s3_bucket,
                                                                               two_collections):
    services = services_for(tmp_path, embedder, two_collections, **s3_settings(s3_bucket))
    services.reindexer.run()
    replica = open_index(services.settings)  # another process's store, opened once and kept
    before = replica.version()
    assert replica.stats()["documents"] == 4 and not (tmp_path / "data" / "index").exists()
    assert "hr/fiets.md" not in found(replica, embedder, "Hoe werkt het fietsplan?")

    write_docs(two_collections["hr"], {"fiets.md": "# Fietsplan\n\nMet het fietsplan koop je belastingvrij "
                                                   "een fiets via de werkgever.\n"})
    with HeldRun(services.reindexer.run):  # the re-index is half-way: embedding the new document
        assert replica.version() == before, "a write in progress is not visible"
        assert replica.stats()["documents"] == 4
        assert "hr/fiets.md" not in found(replica, embedder, "Hoe werkt het fietsplan?")
    assert replica.version() > before, "the replica reads the committed version without reopening"
    assert replica.stats()["documents"] == 5
    assert found(replica, embedder, "Hoe werkt het fietsplan?")[0].endswith("fiets.md")


@pytest.mark.parametrize("fault,expected", [
    ({"index_s3_secret_access_key": WRONG_SECRET}, "weigert de toegangsgegevens (SignatureDoesNotMatch)"),
    ({"index_s3_access_key_id": "onbekend"}, "weigert de toegangsgegevens (InvalidAccessKeyId)"),
    ({"index_uri": "s3://bestaat-niet/index"}, "de bucket bestaat niet"),
    ({"index_s3_endpoint": "http://127.0.0.1:9"}, "is niet bereikbaar"),
])
def test_an_unusable_store_is_a_dutch_error_without_the_secret(tmp_path, s3_bucket, caplog, fault, expected):
    settings = make_settings(tmp_path / "data", **s3_settings(s3_bucket, **fault))
    caplog.set_level(logging.DEBUG)
    with pytest.raises(IndexUnreachableError) as raised:
        open_index(settings).stats()
    message = str(raised.value)
    assert expected in message and message.startswith("De zoekindex s3://"), message
    assert settings.folders.index_s3_endpoint in message, "the message names the store it tried"
    for secret in (SECRET_KEY, WRONG_SECRET):
        assert secret not in message and secret not in caplog.text
        assert secret not in repr(open_index(settings).storage)


def test_doctor_checks_the_bucket(tmp_path, s3_bucket):
    def index_check(**fault):
        settings = make_settings(tmp_path / "data", **s3_settings(s3_bucket, **fault))
        return Doctor(settings, load_models=False, check_slack=False).check_index()

    empty = index_check()
    assert empty.status == WARN and "nog leeg" in empty.detail and s3_bucket.uri() in empty.detail
    refused = index_check(index_s3_secret_access_key=WRONG_SECRET)
    assert refused.status == FAIL and "weigert de toegangsgegevens" in refused.detail
    assert WRONG_SECRET not in refused.detail + refused.fix and "VRAAGBAAK_INDEX_S3_" in refused.fix
    assert index_check(index_s3_endpoint="http://127.0.0.1:9").status == FAIL


@pytest.mark.slow
def test_doctor_reads_a_whole_index_in_the_bucket(tmp_path, embedder, s3_bucket, two_collections):
    services = services_for(tmp_path, embedder, two_collections, **s3_settings(s3_bucket))
    services.reindexer.run()
    result = Doctor(services.settings, load_models=False, check_slack=False).check_index()
    assert result.status == OK and "4 documenten" in result.detail, result
