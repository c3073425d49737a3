"""bot.indexing.reindexer.Reindexer over configured collections, with the real embedder and LanceDB."""

from __future__ import annotations

import pytest

from bot.errors import ReindexBusyError, VraagbaakError
from bot.indexing.reindexer import Reindexer, RunReport
from bot.services import Services
from tests.conftest import make_settings
from tests.knowledge.conftest import write_docs

pytestmark = pytest.mark.slow


def services_for(tmp_path, embedder, sources) -> Services:
    # the session's model instead of loading another
    return Services(make_settings(tmp_path / "data", sources=sources), embedder=embedder)


def test_run_indexes_all_collections_and_persists_the_report(tmp_path, embedder):
    hr = write_docs(tmp_path / "hr")
    it = tmp_path / "it"
    it.mkdir()
    (it / "vpn.md").write_text("# VPN\n\nGlobalProtect.\n", encoding="utf-8")
    services = services_for(tmp_path, embedder, {"hr": hr, "it": it})
    steps: list[tuple[str, int, int]] = []
    run = services.reindexer.run(progress=lambda c, d, t: steps.append((c, d, t)))
    assert run.ok and set(run.reports) == {"hr", "it"}
    assert len(run.reports["hr"].added) == 3 and run.reports["it"].added == ["vpn.md"]
    assert {c for c, _, _ in steps} == {"hr", "it"}
    assert services.store.stats()["collections"].keys() == {"hr", "it"}

    saved = services.settings.folders.state_dir / "last_reindex.json"
    assert saved.is_file()
    def never() -> None:
        raise AssertionError("reading the last run must not build the indexer or the store")

    elsewhere = Reindexer(services.settings, indexer=never, store=never)  # e.g. `vraagbaak status`
    last = elsewhere.last_run()
    assert last == RunReport.from_json(run.to_json())
    assert last.reports["hr"].added == run.reports["hr"].added

    again = services.reindexer.run(["it"])
    assert set(again.reports) == {"it"} and again.reports["it"].unchanged == 1
    assert not again.changed_anything


def test_a_failing_collection_is_reported_and_the_others_still_run(tmp_path, embedder):
    hr = write_docs(tmp_path / "hr")
    services = services_for(tmp_path, embedder, {"weg": tmp_path / "bestaat-niet", "hr": hr})
    run = services.reindexer.run()
    assert not run.ok
    assert "bestaat niet" in run.failures["weg"]
    assert len(run.reports["hr"].added) == 3
    assert services.reindexer.last_run().failures == run.failures


def test_busy_when_another_run_holds_the_lock(tmp_path, embedder):
    services = services_for(tmp_path, embedder, {"hr": write_docs(tmp_path / "hr")})
    with services.indexer.lock():
        other = services_for(tmp_path, embedder, {"hr": tmp_path / "hr"})
        with pytest.raises(ReindexBusyError, match="Er loopt al een herindexering"):
            other.reindexer.run()
    assert other.reindexer.run().ok
    assert not other.reindexer.is_running()


def test_unknown_collection_is_refused(tmp_path, embedder):
    services = services_for(tmp_path, embedder, {"hr": write_docs(tmp_path / "hr")})
    with pytest.raises(VraagbaakError, match="Onbekende collectie"):
        services.reindexer.run(["finance"])
