"""A local tenant (Graph and Entra ID over https) with a small SharePoint site, and sources on it."""

from __future__ import annotations

import pytest

from knowledge.file_limits import FileLimits
from knowledge.sources.graph import GraphSource
from knowledge.sources.graph_auth import GraphToken
from knowledge.sources.transport import RetryPolicy
from tests.fakes.graph.server import FakeGraph
from tests.fakes.graph.tenant import Tenant
from tests.fakes.tls import TestAuthority

SECRET = "geheim-7f3a9c-niet-loggen"
SITE_PATH = "contoso.sharepoint.com:/sites/personeel"

ANNA = {"roles": ["read"], "grantedToV2": {"user": {"id": "u-anna", "displayName": "Anna de Vries"}}}
BART = {"roles": ["write"], "grantedToV2": {"user": {"id": "u-bart", "displayName": "Bart Jansen",
                                                      "email": "Bart.Jansen@contoso.nl"}}}
HR_GROUP = {"roles": ["read"], "grantedToV2": {"group": {"id": "g-hr", "displayName": "HR"}}}
ORG_LINK = {"roles": ["read"], "link": {"scope": "organization", "type": "view"}}


@pytest.fixture(scope="session")
def authority(tmp_path_factory) -> TestAuthority:
    return TestAuthority(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def tenant() -> Tenant:
    """Anna and Bart, the HR group (Anna, and the nested group of payroll with Carla), one site with
    one document library: an HR file for Anna and Bart, one for the HR group, an intranet page for
    everyone, and a Photoshop file that is not read."""
    tenant = Tenant()
    tenant.add_app("vraagbaak-app", secret=SECRET)
    tenant.add_user("u-anna", "Anna.de.Vries@contoso.nl")
    tenant.add_user("u-bart", "bart.jansen@contoso.nl")
    tenant.add_user("u-carla", "carla@contoso.nl")
    tenant.add_group("g-payroll", ["u-carla"])
    tenant.add_group("g-hr", ["u-anna", "g-payroll"])
    site = tenant.add_site(SITE_PATH)
    drive = tenant.add_drive("Documenten", site=site)
    tenant.add_file(drive, "hr/salarissen.md", b"# Salarissen\n\nSchaal 8 begint bij 3.000 euro.\n", [ANNA, BART])
    tenant.add_file(drive, "hr/verzuim.md", b"# Verzuim\n\nZiek melden voor 9 uur.\n", [HR_GROUP])
    tenant.add_file(drive, "intranet/kantine.md", b"# Kantine\n\nOpen van 12 tot 14 uur.\n", [ORG_LINK])
    tenant.add_file(drive, "intranet/logo.psd", b"8BPS")
    return tenant


@pytest.fixture
def drive(tenant) -> str:
    return next(iter(tenant.drives))


@pytest.fixture
def graph(tenant, authority):
    with FakeGraph(tenant, authority) as graph:
        yield graph


class Sleeps(list):
    """Records the waits a source asks for instead of waiting them."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def make_source(graph, authority, tenant, sleeps):
    made = []

    def make(*, secret: str | None = SECRET, certificate: str | None = None, page_size: int = 200,
             limits: FileLimits = FileLimits(), download_hosts=None, retry: RetryPolicy = RetryPolicy(),
             **kwargs) -> GraphSource:
        token = GraphToken(tenant_id=tenant.tenant_id, client_id="vraagbaak-app", client_secret=secret,
                           certificate_pem=certificate, authority_host=graph.url, ca_file=str(authority.ca_file))
        source = GraphSource("sharepoint", token=token, sites=[SITE_PATH], graph_url=f"{graph.url}/v1.0",
                             download_hosts=[graph.download_host] if download_hosts is None else download_hosts,
                             limits=limits, page_size=page_size, ca_file=str(authority.ca_file), retry=retry,
                             sleep=sleeps, **kwargs)
        made.append(source)
        return source

    yield make
    for source in made:
        source.close()
