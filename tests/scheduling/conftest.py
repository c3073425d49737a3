"""Tiny corpora on disk, and the composition root with the session's real embedder given, over a
real LanceDB in tmp_path: what the scheduler, the Reindexer and the status read in production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.services import Services
from tests.conftest import make_settings

HR_DOCS = {
    "verlof.md": "# Verlof\n\nIedereen heeft 25 vakantiedagen per jaar bij een volledige werkweek.\n",
    "ziek.md": "# Ziekmelding\n\nMeld je ziek voor negen uur bij je leidinggevende.\n",
}
IT_DOCS = {
    "vpn.md": "# VPN\n\nDe VPN-client heet Tunnelbaas en vraagt elke dag om je MFA-code.\n",
    "printen.md": "# Printen\n\nDe printer op de tweede verdieping heet Kopieerkanon.\n",
}


def write_docs(folder: Path, docs: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in docs.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def services_for(tmp_path: Path, embedder, sources: dict[str, Path], **overrides: Any) -> Services:
    """The real composition root with the session's embedder given instead of built."""
    values = {"reindex_cron": "", "consistency_cron": "", **overrides}
    settings = make_settings(tmp_path / "data", sources=sources, **values)
    return Services(settings, embedder=embedder)


@pytest.fixture
def two_collections(tmp_path: Path) -> dict[str, Path]:
    return {"hr": write_docs(tmp_path / "docs" / "hr", HR_DOCS),
            "it": write_docs(tmp_path / "docs" / "it", IT_DOCS)}


USER = "U0ALICE"
ADMIN = "U0BEHEER"


@pytest.fixture
def slack():
    """The local fake Slack (tests/fakes/slack) with a user and an admin."""
    from tests.fakes.slack import FakeSlack

    with FakeSlack() as fake:
        fake.workspace.add_user(USER, "alice")
        fake.workspace.add_user(ADMIN, "beheer")
        yield fake
