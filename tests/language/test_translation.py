"""FreeDict's dictd files read word for word, both directions of a pair from its two files; no
dictionary, one log line and no translations. Dictionaries written in tmp_path in the real format."""

from __future__ import annotations

import gzip
import logging
from pathlib import Path

import pytest

from language.detection import collection_language
from language.translation import base_forms, load_dictionaries, read_dictd

from bot.settings.folders import Folders

INSTALLED = Folders().dictionaries_dir  # where Debian's dict-freedict-* packages put them

_DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


def _base64(number: int) -> str:
    digits = ""
    while True:
        digits = _DIGITS[number % 64] + digits
        number //= 64
        if not number:
            return digits


def write_dictd(folder: Path, name: str, entries: dict[str, str]) -> None:
    """A dictd dictionary as dictfmt writes it: headword -> entry text (its headword line first)."""
    folder.mkdir(parents=True, exist_ok=True)
    body, index = b"", ["00databaseshort\tA\tB"]
    for headword, entry in sorted(entries.items()):
        data = entry.encode("utf-8")
        index.append(f"{headword}\t{_base64(len(body))}\t{_base64(len(data))}")
        body += data
    (folder / f"{name}.index").write_text("\n".join(index) + "\n", encoding="utf-8")
    (folder / f"{name}.dict.dz").write_bytes(gzip.compress(body))


ENGLISH_DUTCH = {"colour": "colour /ˈkʌlə/\nkleur, tint\n", "text": "text /tekst/\ntekst\n",
                 "show": "show /ʃou/\n1. laten zien, tonen\n2. vertoning\n"}
DUTCH_ENGLISH = {"vast": "vast /vɑst/\n1. certain\n2. fixed\n", "ĳs": "ĳs /ɛis/\nice\n",
                 "ziek": "ziek /zik/\nill, sick\n"}


@pytest.fixture
def dictionaries(tmp_path):
    write_dictd(tmp_path, "freedict-eng-nld", ENGLISH_DUTCH)
    write_dictd(tmp_path, "freedict-nld-eng", DUTCH_ENGLISH)
    return load_dictionaries(tmp_path)


def test_an_entry_is_its_numbered_senses_of_comma_separated_translations(tmp_path):
    write_dictd(tmp_path, "freedict-eng-nld", ENGLISH_DUTCH)
    entries = read_dictd(tmp_path / "freedict-eng-nld.index", tmp_path / "freedict-eng-nld.dict.dz")
    assert entries["show"] == ["laten zien", "tonen", "vertoning"]
    assert entries["colour"] == ["kleur", "tint"]
    assert "00databaseshort" not in entries


def test_each_direction_reads_its_own_file_and_the_other_one_inverted(dictionaries):
    english_dutch, dutch_english = dictionaries[("en", "nl")], dictionaries[("nl", "en")]
    assert english_dutch.translations("colour") == {"kleur", "tint"}
    assert english_dutch.translations("fixed") == {"vast"}  # only in the Dutch -> English file
    assert english_dutch.translations("show") == {"tonen", "vertoning"}  # "laten zien" is two words
    assert dutch_english.translations("tekst") == {"text"}
    assert dutch_english.translations("ijs") == {"ice"}  # FreeDict's one-letter "ĳ" is "ij"


def test_an_inflected_word_is_looked_up_by_its_base_form(dictionaries):
    assert dictionaries[("en", "nl")].translations("shown") == {"tonen", "vertoning"}
    assert dictionaries[("en", "nl")].translations("Colours") == {"kleur", "tint"}
    assert dictionaries[("nl", "en")].translations("vaste") == {"certain", "fixed"}
    assert dictionaries[("en", "nl")].translations("unknown") == frozenset()
    assert base_forms("parties", "en")[:2] == ["parties", "party"]


def test_without_the_dictionaries_there_are_none_and_one_log_line(tmp_path, caplog):
    write_dictd(tmp_path, "freedict-eng-nld", ENGLISH_DUTCH)  # half a pair is no pair
    with caplog.at_level(logging.INFO, logger="language.translation"):
        assert load_dictionaries(tmp_path) == {}
    assert len(caplog.records) == 1
    assert "apt-get install dict-freedict-eng-nld dict-freedict-nld-eng" in caplog.records[0].getMessage()


def test_a_collection_is_in_the_language_of_most_of_its_function_words():
    dutch = {"de": 40, "het": 30, "van": 35, "the": 2, "is": 50}
    english = {"the": 40, "of": 30, "and": 20, "de": 1, "is": 50}
    assert collection_language(lambda w: dutch.get(w, 0)) == "nl"
    assert collection_language(lambda w: english.get(w, 0)) == "en"
    assert collection_language(lambda w: 0) == "nl"


@pytest.mark.skipif(not (INSTALLED / "freedict-eng-nld.index").is_file(),
                    reason="Debian's dict-freedict-eng-nld and dict-freedict-nld-eng are not installed "
                           "(tools/system-packages.sh --install)")
def test_the_installed_freedict_dictionaries_translate_both_ways():
    installed = load_dictionaries(INSTALLED)
    assert "kleur" in installed[("en", "nl")].translations("colour")
    assert "hypotheek" in installed[("en", "nl")].translations("mortgages")
    assert "sick" in installed[("nl", "en")].translations("ziek")
