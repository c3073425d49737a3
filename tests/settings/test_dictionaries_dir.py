"""The folder of the Dutch-English dictionaries is a setting: the search reads the folder configured
(VRAAGBAAK_DICTIONARIES_DIR), and a folder without them gives the one log line that says so."""

from __future__ import annotations

import logging

from bot.services import Services
from bot.settings import load_settings
from tests.conftest import TEST_EMBEDDING, make_settings
from tests.language.test_translation import DUTCH_ENGLISH, ENGLISH_DUTCH, write_dictd


class NoEmbedder:
    """Building the retriever embeds nothing; reaching this is a failure."""

    name = "geen"
    dimension = 4

    def embed_query(self, text):
        raise AssertionError("the retriever embedded a question")


def test_the_search_translates_with_the_dictionaries_of_the_configured_folder(tmp_path):
    folder = tmp_path / "woordenboeken"
    write_dictd(folder, "freedict-eng-nld", ENGLISH_DUTCH)
    write_dictd(folder, "freedict-nld-eng", DUTCH_ENGLISH)
    settings = load_settings(environ={"VRAAGBAAK_DICTIONARIES_DIR": str(folder)}, config_path=None,
                             data_dir=tmp_path / "data", models_dir=tmp_path / "models", embedding_model=TEST_EMBEDDING)
    assert settings.folders.dictionaries_dir == folder
    dictionaries = Services(settings, embedder=NoEmbedder()).retriever.query_terms.dictionaries
    assert dictionaries[("en", "nl")].translations("colour") == {"kleur", "tint"}
    assert dictionaries[("nl", "en")].translations("ziek") == {"ill", "sick"}


def test_a_folder_without_the_dictionaries_gives_one_log_line_and_no_translations(tmp_path, caplog):
    missing = tmp_path / "geen-woordenboeken"
    services = Services(make_settings(tmp_path / "data", dictionaries_dir=missing), embedder=NoEmbedder())
    with caplog.at_level(logging.INFO, logger="language.translation"):
        assert services.retriever.query_terms.dictionaries == {}
    [line] = [r.getMessage() for r in caplog.records if r.name == "language.translation"]
    assert str(missing) in line and "apt-get install dict-freedict-eng-nld dict-freedict-nld-eng" in line
