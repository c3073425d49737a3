"""Writes the data folder of this directory with the version BEFORE bot/storage (commit cda733e), so that
tests/storage/test_previous_version.py opens files that version really made. Run from a checkout of that
commit:  PYTHONPATH=<checkout> python tests/storage/previous/make.py tests/storage/previous/data

The pseudonym key is the fixed KEY below (the test makes the same pseudonyms with it)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from bot.answering.types import Source
from bot.curation.store import CuratedStore
from bot.curation.types import CuratedAnswer
from bot.insights.feedback import FeedbackStore
from bot.people.first_contact import FirstContacts
from bot.people.pseudonyms import Pseudonymizer
from bot.slack.features.followed_threads import FollowedThreads

KEY = b"sleutel-van-de-vorige-versie"
ALICE, BOB = "U0ALICE", "U0BOB"


def main(data: Path) -> None:
    stored = Pseudonymizer(KEY).stored_id
    state = data / "state"
    feedback = FeedbackStore(data / "feedback.sqlite3", pseudonymize=stored)
    asked = feedback.record_answer(question="Hoeveel vakantiedagen heb ik?", answer="25 [1].",
                                   sources=[Source("Verlof", "hr/verlof.md", collection="bedrijf")],
                                   user=ALICE, channel="C0KANAAL")
    declined = feedback.record_answer(question="Mag mijn hond mee?", answer="Dat kan ik niet vinden.",
                                      sources=[], user=ALICE, channel="D0ALICE", abstained=True)
    bobs = feedback.record_answer(question="Hoe meld ik me ziek?", answer="Bel je leidinggevende.",
                                  sources=[], user=BOB, channel="C0KANAAL")
    feedback.vote(asked, user=BOB, vote="down")
    feedback.vote(bobs, user=ALICE, vote="up")
    print("feedback:", asked, declined, bobs)

    curated = CuratedStore(data / "curated.sqlite3")
    for number, owner in ((1, ALICE), (2, BOB)):
        answer = CuratedAnswer(id=f"vast{number}", question=f"vraag {number}", answer=f"antwoord {number}",
                               sources=[Source("Verlof", "hr/verlof.md", collection="bedrijf")], owner=owner,
                               collection="bedrijf", created_at="2026-11-30T10:00:0%d+00:00" % number,
                               decided_by=f"Naam van {owner}", source_fingerprints={"bedrijf:hr/verlof.md": "h1"})
        curated.insert(answer, np.ones(4, dtype=np.float32) * number, "model-x")

    threads = FollowedThreads(state / "followed_threads.sqlite3", days=7, pseudonymize=stored)
    threads.remember("C0KANAAL", "1700000000.000100", ALICE)
    threads.remember("C0KANAAL", "1700000000.000100", BOB)

    FirstContacts(state / "greeted.txt", pseudonymize=stored).first_time(ALICE)
    told = FirstContacts(state / "ai_notice.txt", pseudonymize=stored)
    told.first_time(ALICE)
    told.first_time(BOB)


if __name__ == "__main__":
    main(Path(sys.argv[1]))
