"""Documents answered only to those who may read them, end to end: a SharePoint site on the local
Graph (real https), indexed through the sources file into a real LanceDB with the real small
embedder, and the real Bolt app over real sockets to the fake Slack with a scripted model.

The HR file is readable by Anna and Bart: it is cited in their DMs, never in a channel (not even to
them), never to someone without a known e-mail address; after Bart's share is revoked at the source
and one permission sync has run, it is no longer used for him."""

from __future__ import annotations

import pytest

from bot.insights.feedback import FeedbackStore
from bot.services import Services
from bot.storage.database import Storage
from tests.fakes.graph.server import FakeGraph
from tests.fakes.graph.sources_file import graph_sources_file
from tests.fakes.graph.tenant import Tenant
from tests.fakes.tls import TestAuthority
from tests.slack.conftest import CHANNEL, USER, bot_settings, running_bot
from tests.slack.test_answer_flow import ask_in_channel, final_message

pytestmark = pytest.mark.slow

ANNA, BART = "U0ANNA", "U0BART"
SITE = "contoso.sharepoint.com:/sites/personeel"
SALARIES = {"roles": ["read"], "grantedToV2": {"user": {"id": "u-anna", "email": "anna@contoso.nl"}}}
BART_SHARE = {"roles": ["read"], "grantedToV2": {"user": {"id": "u-bart", "email": "bart@contoso.nl"}}}
ORG = {"roles": ["read"], "link": {"scope": "organization", "type": "view"}}
QUESTION = "Hoeveel verdient iemand in salarisschaal 8?"


@pytest.fixture
def site(tmp_path):
    tenant = Tenant()
    tenant.add_app("vraagbaak-app", secret="geheim-app-wachtwoord")
    tenant.add_user("u-anna", "anna@contoso.nl")
    tenant.add_user("u-bart", "bart@contoso.nl")
    drive = tenant.add_drive("Documenten", site=tenant.add_site(SITE))
    tenant.add_file(drive, "hr/salarisschalen.md",
                    b"# Salarisschalen\n\nIn salarisschaal 8 verdient iemand 3.000 tot 4.200 euro bruto per maand.\n",
                    [SALARIES, BART_SHARE])
    tenant.add_file(drive, "intranet/kantine.md", b"# Kantine\n\nDe kantine is open van 12 tot 14 uur.\n", [ORG])
    (tmp_path / "tls").mkdir()
    authority = TestAuthority(tmp_path / "tls")
    with FakeGraph(tenant, authority) as graph:
        yield tenant, drive, graph, authority


@pytest.fixture
def bot(tmp_path, slack, site, embedder, scripted_generator):
    tenant, drive, graph, authority = site
    slack.workspace.add_user(ANNA, "anna", email="Anna@contoso.nl")
    slack.workspace.add_user(BART, "bart", email="bart@contoso.nl")
    folder = tmp_path / "bedrijf"
    folder.mkdir()
    (folder / "fietsen.md").write_text("# Fietsen\n\nDe fietsenstalling is in de kelder.\n", encoding="utf-8")
    sources = graph_sources_file(tmp_path / "bronnen.toml", graph, authority, site=SITE, secret="geheim-app-wachtwoord")
    settings = bot_settings(tmp_path, slack, sources={"bedrijf": folder}, sources_file=sources, min_relevance=0.0)
    services = Services(settings, embedder=embedder, generator=scripted_generator,
                        feedback=FeedbackStore(Storage().database(settings.folders.feedback_path)))
    run = services.reindexer.run(wait=True)
    assert not run.failures, run.failures
    with running_bot(slack, services) as running:
        yield running, tenant, drive
    services.close()


def dm(bot, user: str, text: str = QUESTION) -> str:
    channel = "D" + user[1:]
    event = bot.slack.user_posts(text, user=user, channel=channel)
    bot.slack.push_event(event)
    return str(final_message(bot, channel, event["ts"]))


def test_the_hr_file_is_used_only_in_the_dms_of_its_readers_until_a_share_is_revoked(bot):
    running, tenant, drive = bot
    assert "Salarisschalen" in dm(running, ANNA)
    assert "Salarisschalen" in dm(running, BART)
    assert "Salarisschalen" not in dm(running, USER)  # no e-mail address at Slack: organisation-wide only
    event = ask_in_channel(running, QUESTION, user=ANNA)
    assert "Salarisschalen" not in str(final_message(running, CHANNEL, event["ts"]))  # a channel: everyone's

    tenant.set_permissions(drive, "hr/salarisschalen.md", [SALARIES])  # Bart's share revoked
    assert running.services.sync_permissions() == {"sharepoint": 1}
    assert "Salarisschalen" not in dm(running, BART)
    assert "Salarisschalen" in dm(running, ANNA)
    assert running.slack.calls_to("users.info", lambda c: c.params["user"] == BART)


def test_vraagbaak_sources_lists_the_source_with_its_counts_and_no_secrets(bot):
    running, _, _ = bot
    [row] = running.services.source_runs.overview()
    assert row["name"] == "sharepoint" and row["collection"] == "intranet" and row["documents"] == 2
    assert row["last_sync"] and row["last_sync_error"] is None
    assert "geheim-app-wachtwoord" not in str(row)
