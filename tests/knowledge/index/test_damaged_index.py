"""A damaged LanceDB table on a real disk (tmp_path): the store names the file, every read says the
index must be rebuilt (Dutch, IndexDamagedError, no Lance traceback), and drop() clears the way for
`vraagbaak index --full`. Hand-made vectors: no model needed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from knowledge.errors import IndexDamagedError
from knowledge.index.schema import TABLE
from knowledge.index.store import ChunkStore
from tests.knowledge.index.damage import DAMAGES
from tests.knowledge.index.test_store import AXES, MODEL, chunk, rows

UNREADABLE = [name for name in DAMAGES if name != "deleted newest manifest"]  # that one serves the version before
NAMED_BY_A_READ = ["deleted data file", "truncated data file", "truncated newest manifest",
                   "every manifest deleted", "deleted full-text index file"]


def built(tmp_path: Path) -> tuple[ChunkStore, Path]:
    store = ChunkStore(str(tmp_path / "index"))
    store.replace_documents("hr", rows(
        [chunk("verlof.md", 0, "Je krijgt vijfentwintig vakantiedagen per jaar."),
         chunk("ww.md", 0, "Een wachtwoord heeft minstens veertien tekens.")],
        ["verlof", "wachtwoord"]), ["verlof.md", "ww.md"], model=MODEL)
    store.replace_documents("it", rows(
        [chunk("fiets.md", 0, "De fietsenstalling is in de kelder.", collection="it")],
        ["fiets"]), ["fiets.md"], model=MODEL)
    return store, tmp_path / "index" / f"{TABLE}.lance"


def hybrid(store: ChunkStore):
    return store.search(AXES["verlof"], "vakantiedagen wachtwoord fietsenstalling", mode="hybrid", k=3)


def test_a_whole_index_has_no_damage(tmp_path):
    store, _ = built(tmp_path)
    assert store.damage() == []
    assert ChunkStore(str(tmp_path / "nog-geen-index")).damage() == []  # no table is no damage


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_damage_names_the_file_and_its_version(tmp_path, damage):
    store, table = built(tmp_path)
    version = store.version()
    hit = DAMAGES[damage](table)

    problems = ChunkStore(str(tmp_path / "index")).damage()
    assert problems, damage
    assert hit in problems[0].file, (hit, problems)
    if damage != "every manifest deleted":  # then no version is left to name
        assert problems[0].version == version
        assert str(problems[0]).startswith(f"versie {version}: ")


@pytest.mark.parametrize("damage", UNREADABLE)
def test_reading_a_damaged_index_says_in_dutch_that_it_must_be_rebuilt(tmp_path, damage):
    store, table = built(tmp_path)
    before = [h.chunk.id for h in hybrid(store)]  # a reader that had the table open before the damage
    hit = DAMAGES[damage](table)

    with pytest.raises(IndexDamagedError) as raised:
        hybrid(ChunkStore(str(tmp_path / "index")))
    message = str(raised.value)
    assert message.startswith("De zoekindex is beschadigd (tabel 'chunks': ")
    assert message.endswith("moet opnieuw worden opgebouwd; de beheerder doet dat met `vraagbaak index --full`.")
    assert "LanceError" not in message and ".rs:" not in message
    if damage in NAMED_BY_A_READ:
        assert hit in message, message
    try:  # the open reader may still have the pages it read in its cache; if not, the same message
        assert [h.chunk.id for h in hybrid(store)] == before
    except IndexDamagedError as exc:
        assert str(exc).startswith("De zoekindex is beschadigd")


def test_a_deleted_newest_manifest_serves_the_version_before_it(tmp_path):
    store, table = built(tmp_path)
    version = store.version()
    DAMAGES["deleted newest manifest"](table)
    reader = ChunkStore(str(tmp_path / "index"))
    assert reader.version() == version - 1 and hybrid(reader)  # older, but whole: it still answers
    assert "ontbreekt: de index toont de oudere versie" in str(reader.damage()[0])


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_drop_clears_a_damaged_table_for_a_rebuild(tmp_path, damage):
    store, table = built(tmp_path)
    DAMAGES[damage](table)
    store.drop()
    assert not table.exists() and not store.exists() and store.damage() == []

    store.replace_documents("hr", rows([chunk("verlof.md", 0, "Vijfentwintig vakantiedagen.")], ["verlof"]),
                            ["verlof.md"], model=MODEL)
    assert store.damage() == [] and [h.chunk.doc_id for h in hybrid(store)] == ["verlof.md"]


def test_a_reader_follows_the_rebuilt_table(tmp_path):
    """The serving process keeps its store open while `index --full` drops and rebuilds the table."""
    store, table = built(tmp_path)
    DAMAGES["truncated newest manifest"](table)
    with pytest.raises(IndexDamagedError):
        hybrid(store)
    rebuilder = ChunkStore(str(tmp_path / "index"))
    rebuilder.drop()
    rebuilder.replace_documents("hr", rows([chunk("nieuw.md", 0, "Nieuwe vakantiedagen.")], ["verlof"]),
                                ["nieuw.md"], model=MODEL)
    assert [h.chunk.doc_id for h in hybrid(store)] == ["nieuw.md"]
    assert np.isclose(hybrid(store)[0].relevance, 1.0)


def test_a_first_write_on_its_way_to_its_commit_is_no_damage(tmp_path):
    """Data files without any manifest, freshly written: a first re-index between writing its rows and
    committing them. A reader then sees no index yet, not a damaged one (a race seen in the tests)."""
    _, table = built(tmp_path)
    for path in (table / "_versions").glob("*.manifest"):
        path.unlink()  # as before the first commit: the data files are new
    reader = ChunkStore(str(tmp_path / "index"))
    assert reader.damage() == [] and not reader.exists() and hybrid(reader) == []
