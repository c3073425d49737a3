"""Word for word between Dutch and English, from FreeDict's bilingual dictionaries: what lets the
full-text search match an English question's words in Dutch documents (and the reverse).

The dictionaries are Debian's `dict-freedict-eng-nld` and `dict-freedict-nld-eng` (GPL-2+, read as
data at run time, not shipped with Vraagbaak), in the dictd format: `NAME.index` holds a line per
headword, "word TAB offset TAB length" with offset and length in base 64, into the text of
`NAME.dict.dz`, which is gzip with a random-access table in its header (dictzip) that a whole read
ignores. Each entry is its headword line, then numbered senses of comma-separated translations.
Both files of a pair are read, the second one inverted: English -> Dutch has 7,700 headwords of its
own, and the 22,700 of Dutch -> English name many more English words. The translations of a word
are candidates, several senses mixed ("model" -> "voorbeeld", "mal", "schema", ...); which of them a
search can use is decided against the index (knowledge/crosslingual.py).
"""

from __future__ import annotations

import gzip
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)

DEBIAN_PACKAGES = ("dict-freedict-eng-nld", "dict-freedict-nld-eng")
FREEDICT_CODES = {"nl": "nld", "en": "eng"}

_BASE64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_SENSE_NUMBER = re.compile(r"^\s*\d+\.\s*")


def _number(digits: str) -> int:
    value = 0
    for digit in digits:
        value = value * 64 + _BASE64[digit]
    return value


def read_dictd(index: Path, text: Path) -> dict[str, list[str]]:
    """A dictd dictionary: headword (lower case, NFKC: FreeDict writes the Dutch "ĳ" as one letter)
    -> its translations in order, multi-word ones included. The dictionary's own `00database…`
    entries are left out."""
    body = gzip.decompress(text.read_bytes())
    entries: dict[str, list[str]] = {}
    for line in index.read_text(encoding="utf-8").splitlines():
        headword, offset, length = line.split("\t")[:3]
        if headword.startswith("00database"):
            continue
        start = _number(offset)
        entry = unicodedata.normalize("NFKC", body[start:start + _number(length)].decode("utf-8"))
        translations = entries.setdefault(unicodedata.normalize("NFKC", headword).lower(), [])
        for sense in entry.split("\n")[1:]:
            sense = _SENSE_NUMBER.sub("", sense)
            translations += [t.strip().lower() for t in sense.split(",") if t.strip()]
    return entries


@dataclass(frozen=True)
class BilingualDictionary:
    """One direction, e.g. English -> Dutch: single words to the single words they may translate to."""

    source: str  # "en" or "nl"
    target: str
    words: dict[str, frozenset[str]] = field(repr=False)

    def translations(self, word: str) -> frozenset[str]:
        """The target-language words `word` may mean, tried as written and then as its base forms
        ("documents" -> "document"); empty when the dictionary does not know it."""
        for form in base_forms(word.lower(), self.source):
            if form in self.words:
                return self.words[form]
        return frozenset()


def dictionary_of(forward: dict[str, list[str]], backward: dict[str, list[str]], source: str,
                  target: str) -> BilingualDictionary:
    """One direction from both files of a pair: `forward` read as it is, `backward` (the other
    direction) inverted; multi-word headwords and translations are left out."""
    words: dict[str, set[str]] = {}
    for headword, translations in forward.items():
        if " " not in headword:
            words.setdefault(headword, set()).update(t for t in translations if " " not in t)
    for headword, translations in backward.items():
        if " " not in headword:
            for translation in translations:
                if " " not in translation:
                    words.setdefault(translation, set()).add(headword)
    return BilingualDictionary(source, target, {w: frozenset(t) for w, t in words.items()})


def load_dictionaries(folder: Path) -> dict[tuple[str, str], BilingualDictionary]:
    """(source, target) -> dictionary, for English -> Dutch and Dutch -> English, from the FreeDict
    files in `folder` (the setting dictionaries_dir); empty, with one log line, when they are not
    there (questions are then searched untranslated)."""
    stems = {pair: folder / f"freedict-{FREEDICT_CODES[pair[0]]}-{FREEDICT_CODES[pair[1]]}"
             for pair in (("en", "nl"), ("nl", "en"))}
    files = {pair: (stem.with_suffix(".index"), stem.with_suffix(".dict.dz")) for pair, stem in stems.items()}
    if not all(path.is_file() for paths in files.values() for path in paths):
        log.info("no Dutch-English dictionaries in %s (apt-get install %s): a question in the other language "
                 "than the documents is searched without translating its words", folder, " ".join(DEBIAN_PACKAGES))
        return {}
    read = {pair: read_dictd(*paths) for pair, paths in files.items()}
    return {("en", "nl"): dictionary_of(read[("en", "nl")], read[("nl", "en")], "en", "nl"),
            ("nl", "en"): dictionary_of(read[("nl", "en")], read[("en", "nl")], "nl", "en")}


# Endings a word may carry beyond its dictionary form, per language, longest first: plurals,
# past tenses and participles, "-ing", a Dutch adjective's "-e".
_ENDINGS = {"en": (("ies", "y"), ("ing", ""), ("ing", "e"), ("es", ""), ("ed", ""), ("ed", "e"), ("s", ""), ("n", "")),
            "nl": (("en", ""), ("te", ""), ("de", ""), ("es", ""), ("e", ""), ("s", ""), ("t", ""), ("n", ""))}
MIN_BASE = 3  # letters a base form keeps


def base_forms(word: str, language: str) -> list[str]:
    """`word` as written, then the forms it may be an inflection of ("parties" -> "party",
    "shown" -> "show", "vaste" -> "vast"): dictionary look-ups try them in this order."""
    forms = [word]
    for ending, replacement in _ENDINGS.get(language, ()):
        if word.endswith(ending) and len(word) - len(ending) >= MIN_BASE:
            forms.append(word[: len(word) - len(ending)] + replacement)
    return list(dict.fromkeys(forms))


# Endings the same word may carry in a text of the target language: a dictionary's "kleur" is
# written "kleuren", "vast" "vaste".
INFLECTIONS = {"nl": ("", "e", "en", "s", "n", "er"), "en": ("", "s", "es", "ed", "ing")}


def inflections(word: str, language: str) -> tuple[str, ...]:
    """The forms of a dictionary word that a text in `language` may hold."""
    return tuple(word + ending for ending in INFLECTIONS.get(language, ("",)))
