"""Dutch compounds: one word written for several ("parkeervergunning", "kalenderjaar",
"thuiswerkvergoeding"). Known here as rules on spelling, without a dictionary: a word at the start
or end of a longer one, and two words written as one. matching.py and questions.py ask these.
"""

from __future__ import annotations

import os.path

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
