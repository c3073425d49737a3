"""`vraagbaak doctor`: one line per source of the sources file, against the local Graph; a refused
secret and an unreadable sources file are failures with a Dutch reason, never a traceback."""

from __future__ import annotations

import pytest

from bot.operations.doctor import FAIL, OK, Doctor
from bot.services import Services
from tests.conftest import make_settings
from tests.fakes.graph.server import FakeGraph
from tests.fakes.graph.sources_file import graph_sources_file
from tests.fakes.graph.tenant import Tenant
from tests.fakes.tls import TestAuthority

SITE = "contoso.sharepoint.com:/sites/personeel"


@pytest.fixture
def graph(tmp_path):
    (tmp_path / "tls").mkdir()
    authority = TestAuthority(tmp_path / "tls")
    tenant = Tenant()
    tenant.add_app("vraagbaak-app", secret="goed-geheim")
    tenant.add_drive("Documenten", site=tenant.add_site(SITE))
    with FakeGraph(tenant, authority) as graph:
        yield graph, authority


def doctor_lines(tmp_path, sources_file) -> dict:
    services = Services(make_settings(tmp_path / "data", sources_file=sources_file))
    try:
        report = Doctor(services.settings, load_models=False, check_slack=False,
                        source_runs=lambda: services.source_runs).run()
    finally:
        services.close()
    return {r.key: r for r in report.results}


def test_a_reachable_source_with_good_credentials_is_ok(tmp_path, graph):
    lines = doctor_lines(tmp_path, graph_sources_file(tmp_path / "bronnen.toml", *graph, site=SITE,
                                                      secret="goed-geheim"))
    assert lines["source:sharepoint"].status == OK
    assert "collectie intranet" in lines["source:sharepoint"].detail


def test_a_refused_secret_is_a_failure_that_says_so_without_the_secret(tmp_path, graph):
    lines = doctor_lines(tmp_path, graph_sources_file(tmp_path / "bronnen.toml", *graph, site=SITE,
                                                      secret="fout-geheim"))
    line = lines["source:sharepoint"]
    assert line.status == FAIL and line.fix and "fout-geheim" not in line.detail + line.fix
    assert "Traceback" not in line.detail


def test_a_sources_file_others_may_read_fails_with_the_fix(tmp_path, graph):
    path = graph_sources_file(tmp_path / "bronnen.toml", *graph, site=SITE, secret="goed-geheim")
    path.chmod(0o644)
    line = doctor_lines(tmp_path, path)["sources_file"]
    assert line.status == FAIL and "chmod 600" in line.detail
