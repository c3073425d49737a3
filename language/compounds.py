"""Dutch compounds: one word written for several ("parkeervergunning", "kalenderjaar",
"thuiswerkvergoeding"). Known here as rules on spelling, without a dictionary: a word at the start
or end of a longer one, two words written as one, and a word split into two known ones (the
full-text query, knowledge/query.py). matching.py and questions.py ask the rest.
"""

from __future__ import annotations

import os.path
from typing import Mapping

MIN_PART = 5  # a word this long also counts as the first or last part of a compound
MIN_HEAD = 4  # a word this long also counts as the last part of a compound, where that is what counts
MAX_JOIN_ENDING = 3  # letters an inflection may add to or drop from two words written as one


def is_part(part: str, whole: str) -> bool:
    """`part` (5+ letters) begins or ends `whole`: "vergunning" in "parkeervergunning", "thuiswerk"
    in "thuiswerkvergoeding". Shorter words begin too many others ("park", "dag")."""
    return len(part) >= MIN_PART and (whole.startswith(part) or whole.endswith(part))


def is_head(part: str, whole: str) -> bool:
    """`part` (4+ letters) ends `whole`: a Dutch compound is the kind of thing its last part names
    ("jaar" in "kalenderjaar")."""
    return len(part) >= MIN_HEAD and whole.endswith(part)


def joins_into(first: str, second: str, whole: str) -> bool:
    """`whole` is `first` + `second` written as one word, with at most a short ending more or less
    ("ziek" + "meld" -> "ziekmelden", "kennisbank" + "artikel" -> "kennisbankartikel")."""
    joined = first + second
    shared = len(os.path.commonprefix([joined, whole]))
    return shared == min(len(joined), len(whole)) and abs(len(joined) - len(whole)) <= MAX_JOIN_ENDING


MIN_SPLIT_PART = 4  # each part of a split compound has at least this many letters ("reis", "dagen")
LINKING_LETTERS = ("", "s", "e", "en")  # between the parts: "veiligheid-s-regels", "pann-en-koek"


def split_compound(word: str, known: Mapping[str, int]) -> tuple[str, ...]:
    """`word` as two `known` words written as one, possibly with a linking s, e or en between them:
    "vakantiedagen" -> ("vakantie", "dagen"), "veiligheidsregels" -> ("veiligheid", "regels").
    `known` maps words to how common they are (e.g. chunks of an index they occur in); of several
    splits the one whose rarer part is most common wins. Empty when no split has two known parts."""
    best: tuple[int, tuple[str, ...]] | None = None
    for cut in range(MIN_SPLIT_PART, len(word) - MIN_SPLIT_PART + 1):
        first, rest = word[:cut], word[cut:]
        if first not in known:
            continue
        for link in LINKING_LETTERS:
            second = rest[len(link):]
            if rest.startswith(link) and len(second) >= MIN_SPLIT_PART and second in known:
                score = min(known[first], known[second])
                if best is None or score > best[0]:
                    best = (score, (first, second))
    return best[1] if best else ()


def joined(first: str, second: str) -> tuple[str, ...]:
    """Two words as Dutch writes them as one compound, with each linking letter: "model" +
    "document" -> "modeldocument", "modelsdocument", ... (which of them a text holds decides)."""
    return tuple(first + link + second for link in LINKING_LETTERS)
