"""`vraagbaak answers add|list|show|remove|reactivate`, in Dutch, with a clear error for bad input."""

from __future__ import annotations

import json

import pytest

from bot.cli import build_parser
from tests.curation.conftest import CURATED_QUESTION, OWNER, VERLOF

pytestmark = pytest.mark.slow


def run(services, capsys, *argv: str) -> tuple[int, str, str]:
    args = build_parser().parse_args(list(argv))
    code = args.func(args, services)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_add_list_show_remove(indexed, capsys, tmp_path):
    code, out, _ = run(indexed, capsys, "answers", "add", "--question", CURATED_QUESTION, "--answer", "25 dagen [1].",
                       "--source", "hr:verlof.md", "--source", str(tmp_path / "docs" / "it" / "vpn.md"),
                       "--owner", OWNER, "--decided-by", "Eva (HR)", "--json")
    assert code == 0
    added = json.loads(out)
    assert [(s["collection"], s["path"], s["title"]) for s in added["sources"]] == [("hr", "verlof.md", "Verlof"),
                                                                                    ("it", "vpn.md", "VPN")]
    assert set(added["source_fingerprints"]) == {"hr:verlof.md", "it:vpn.md"}

    code, out, _ = run(indexed, capsys, "answers", "list")
    assert code == 0 and added["id"] in out and "actief" in out and "Eva (HR)" in out
    code, out, _ = run(indexed, capsys, "answers", "show", added["id"])
    assert "Vastgesteld door Eva (HR)" in out and "[1] Verlof (hr:verlof.md)" in out
    assert json.loads(run(indexed, capsys, "answers", "list", "--json")[1])[0]["id"] == added["id"]

    code, out, _ = run(indexed, capsys, "answers", "remove", added["id"])
    assert code == 0 and "verwijderd" in out
    code, _, err = run(indexed, capsys, "answers", "remove", added["id"])
    assert code == 1 and "geen vast antwoord" in err


def test_from_a_stored_answer_optionally_edited(indexed, capsys):
    stored = indexed.feedback.record_answer(question="hoeveel vakantiedagen?", answer="Je hebt er 25 [1].",
                                            sources=[VERLOF], user="U0ALICE", channel="C1")
    code, out, _ = run(indexed, capsys, "answers", "add", "--from-answer", stored, "--question", CURATED_QUESTION,
                       "--owner", OWNER, "--json")
    added = json.loads(out)
    assert code == 0 and added["question"] == CURATED_QUESTION and added["answer"] == "Je hebt er 25 [1]."
    assert added["sources"][0]["path"] == "verlof.md" and added["decided_by"] == OWNER
    assert indexed.curated.match("Hoeveel vakantiedagen krijg ik?").id == added["id"]


def test_reactivate_after_a_change(indexed, capsys, tmp_path):
    curated = indexed.curated.add(question=CURATED_QUESTION, answer="25.", sources=[VERLOF], owner=OWNER)
    (tmp_path / "docs" / "hr" / "verlof.md").write_text("# Verlof\n\n26 dagen.\n", encoding="utf-8")
    indexed.reindexer.run()
    assert "OPGESCHORT" in run(indexed, capsys, "answers", "list")[1]
    assert "is gewijzigd" in run(indexed, capsys, "answers", "show", curated.id)[1]
    code, out, _ = run(indexed, capsys, "answers", "reactivate", curated.id)
    assert code == 0 and "weer aan" in out and indexed.curated.get(curated.id).active


@pytest.mark.parametrize("argv, message", [
    (["--question", "Hoe?", "--answer", "a", "--owner", OWNER], "alleen woorden"),
    (["--question", "Waar is de VPN?", "--answer", "a", "--owner", "eva"], "geen Slack-gebruikers-ID"),
    (["--question", "Waar is de VPN?", "--answer", "a", "--owner", OWNER, "--source", "nergens.md"],
     "niet gevonden in de index"),
    (["--question", "Waar is de VPN?", "--answer", "a", "--owner", OWNER, "--collection", "juridisch"],
     "Onbekende collectie"),
    (["--from-answer", "bestaat-niet", "--owner", OWNER], "geen gegeven antwoord"),
    (["--owner", OWNER], "Geef --question en --answer"),
])
def test_bad_input_is_a_dutch_error_not_a_traceback(indexed, capsys, argv, message):
    code, _, err = run(indexed, capsys, "answers", "add", *argv)
    assert code == 1 and message in err and "Traceback" not in err
    assert indexed.curated.list() == []


def test_vraagbaak_ask_marks_a_curated_answer(indexed, capsys):
    curated = indexed.curated.add(question=CURATED_QUESTION, answer="Je hebt 25 dagen [1].", sources=[VERLOF],
                                  owner=OWNER, decided_by="Eva (HR)")
    code, out, _ = run(indexed, capsys, "ask", "Hoeveel vakantiedagen krijg ik?")
    assert code == 0 and "Je hebt 25 dagen [1]." in out
    assert f"(Vast antwoord, vastgesteld door Eva (HR) op {curated.decided_on()}.)" in out and "[1] Verlof" in out
    code, out, _ = run(indexed, capsys, "ask", "Hoeveel vakantiedagen krijg ik?", "--json")
    assert json.loads(out)["curated"]["id"] == curated.id


def test_a_privacy_export_lists_the_curated_answers_someone_owns(indexed, capsys):
    curated = indexed.curated.add(question=CURATED_QUESTION, answer="25.", sources=[VERLOF], owner=OWNER)
    code, out, _ = run(indexed, capsys, "privacy", "export", "--user", OWNER)
    assert code == 0 and [a["id"] for a in json.loads(out)["curated_answers"]] == [curated.id]
    assert json.loads(run(indexed, capsys, "privacy", "export", "--user", "U0ANDER")[1])["curated_answers"] == []


def test_forget_takes_the_owner_off_a_curated_answer_that_stays_in_use(indexed, capsys):
    """The answer is company content; who decided it is personal data: forget keeps the one, erases the other."""
    mine = indexed.curated.add(question=CURATED_QUESTION, answer="Je hebt 25 dagen [1].", sources=[VERLOF],
                               owner=OWNER, decided_by="Eva de Vries")
    other = indexed.curated.add(question="Hoe vraag ik verlof aan?", answer="Via het portaal [1].", sources=[VERLOF],
                                owner="U0ANDER", decided_by="Piet")
    code, out, _ = run(indexed, capsys, "privacy", "forget", "--user", OWNER)
    assert code == 0 and "vaste antwoorden waarvan de persoon eigenaar is: 1" in out

    kept = indexed.curated.get(mine.id)
    assert (kept.owner, kept.decided_by, kept.active, kept.answer) == ("", "", True, mine.answer)
    assert indexed.curated.get(other.id).owner == "U0ANDER", "only this person's answers change"
    assert json.loads(run(indexed, capsys, "privacy", "export", "--user", OWNER)[1])["curated_answers"] == []
    code, out, _ = run(indexed, capsys, "ask", "Hoeveel vakantiedagen krijg ik?")
    assert "Je hebt 25 dagen [1]." in out and "vastgesteld door een beheerder" in out and "Eva" not in out
    code, out, _ = run(indexed, capsys, "answers", "show", mine.id)
    assert "eigenaar geen: gewist op verzoek van die persoon" in out and "Eva" not in out
