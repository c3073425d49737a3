"""The "Bronnen" part of the Home tab over the fake Slack (real Bolt, a real SourceRuns from a sources
file in tmp_path with its state as a sync writes it): what an admin sees of each source, that a
colleague sees none of it, that no secret of the sources file reaches the view, and that without a
sources file there is no such part."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from bot.indexing.source_runs import SourceState
from bot.slack.ui.home_sources import ago, plain_error
from tests.slack.conftest import ADMIN, USER
from tests.slack.test_app_home import Stats, open_home, texts

GRAPH_SECRET = "Zeer~Geheim-app-wachtwoord-8f3k"
NEXTCLOUD_PASSWORD = "nc-wachtwoord-Qx7!"


class SourceStats(Stats):
    """The index's counts, with the sources' collections in them."""

    def stats(self) -> dict:
        stats = super().stats()
        stats["collections"].update({"intranet": {"documents": 42, "chunks": 400},
                                     "dossiers": {"documents": 7, "chunks": 30}})
        return stats


def sources_file(tmp_path):
    path = tmp_path / "bronnen.toml"
    path.write_text(f"""
[[source]]
name = "sharepoint"
kind = "graph"
collection = "intranet"
tenant_id = "00000000-0000-0000-0000-000000000001"
client_id = "vraagbaak-app"
client_secret = "{GRAPH_SECRET}"
sites = ["contoso.sharepoint.com:/sites/personeel"]

[[source]]
name = "nextcloud"
kind = "nextcloud"
collection = "dossiers"
url = "https://cloud.example.nl"
username = "vraagbaak"
password = "{NEXTCLOUD_PASSWORD}"
""", encoding="utf-8")
    path.chmod(0o600)
    return path


def stamp(ago_: timedelta) -> str:
    return (datetime.now(timezone.utc) - ago_).isoformat(timespec="seconds")


def write_states(bot) -> None:
    """Each source's state file as SourceRuns writes it after a sync."""
    runs = bot.services.source_runs
    runs._save("sharepoint", SourceState(
        cursor="https://graph.example/delta?token=abc", last_sync=stamp(timedelta(minutes=12, seconds=5)),
        last_permission_sync=stamp(timedelta(minutes=3, seconds=5)), added=5, changed=2, removed=1, unchanged=34,
        skipped=[{"path": f"Personeel/scan-{i}.pdf", "reason": "geen tekst gevonden"} for i in range(5)]))
    runs._save("nextcloud", SourceState(
        cursor=None, last_sync_error="RuntimeError: https://cloud.example.nl/?token=lek antwoordde 500",
        last_permission_error="Nextcloud weigert de inloggegevens (401); controleer gebruikersnaam en wachtwoord."))


@pytest.fixture
def sources_bot(tmp_path, scripted_bot_with):
    bot = scripted_bot_with(store=SourceStats(), settings={"sources_file": sources_file(tmp_path)})
    write_states(bot)
    return bot


def test_an_admin_sees_each_source_with_its_syncs_counts_errors_and_unreadable_documents(sources_bot):
    text = texts(open_home(sources_bot, ADMIN))
    assert "Bronnen" in text
    assert "*sharepoint* (SharePoint/OneDrive) → collectie *intranet*" in text
    assert "Inhoud gesynchroniseerd: 12 minuten geleden" in text
    assert "leesrechten: 3 minuten geleden" in text
    assert "42 documenten; laatste keer 5 nieuw, 2 gewijzigd, 1 verwijderd" in text
    assert "Niet gelezen: 5 documenten (`Personeel/scan-0.pdf`, `Personeel/scan-1.pdf`, " \
           "`Personeel/scan-2.pdf` en nog 2)" in text
    assert "*nextcloud* (Nextcloud) → collectie *dossiers*" in text
    assert "Inhoud gesynchroniseerd: nog nooit" in text
    assert "*Fout bij leesrechten:* Nextcloud weigert de inloggegevens (401)" in text
    assert "*Fout bij synchroniseren:* een onverwachte fout (RuntimeError)" in text
    assert "token=lek" not in text, "an unexpected error's text may carry anything: only its kind is shown"


def test_no_secret_of_the_sources_file_reaches_the_published_view(sources_bot):
    open_home(sources_bot, ADMIN)
    published = json.dumps([c.params for c in sources_bot.slack.calls_to("views.publish")], ensure_ascii=False)
    assert "sharepoint" in published
    for secret in (GRAPH_SECRET, NEXTCLOUD_PASSWORD, "token=abc"):
        assert secret not in published


def test_a_colleague_sees_nothing_of_the_sources(sources_bot):
    text = texts(open_home(sources_bot, USER))
    for admin_only in ("Bronnen", "sharepoint", "scan-0.pdf", "Nextcloud weigert", "gesynchroniseerd"):
        assert admin_only not in text


def test_without_a_sources_file_there_is_no_sources_part(scripted_bot_with):
    bot = scripted_bot_with(store=Stats())
    text = texts(open_home(bot, ADMIN))
    assert "Beheer" in text and "Bronnen" not in text


def test_ages_in_dutch_words_and_unexpected_errors_in_plain_dutch():
    now = datetime(2026, 1, 5, 12, 0, tzinfo=timezone.utc)
    assert ago((now - timedelta(seconds=20)).isoformat(), now) == "zojuist"
    assert ago((now - timedelta(minutes=1, seconds=30)).isoformat(), now) == "1 minuut geleden"
    assert ago((now - timedelta(hours=3, minutes=5)).isoformat(), now) == "3 uur geleden"
    assert ago((now - timedelta(days=2, hours=1)).isoformat(), now) == "2 dagen geleden"
    assert ago("", now) == "nog nooit"
    assert plain_error("De site bestaat niet: controleer 'sites'.") == "De site bestaat niet: controleer 'sites'."
    assert plain_error("KeyError: 'value'").startswith("een onverwachte fout (KeyError)")
