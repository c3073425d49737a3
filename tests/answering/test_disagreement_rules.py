"""When two of an answer's documents disagree, and when not: only a value of the asked kind, only
the same statement in two files, never two documents that each name their own subject (two banks'
models), never a question that asks for no value."""

from __future__ import annotations

from bot.answering.disagreement import disagreement_line, find_disagreement
from bot.answering.types import Source

QUESTION = "Voor welke datum moet ik de aanvraag voor de thuiswerkvergoeding indienen?"
OLD = Source("Thuiswerkregeling", "hr/Thuiswerkregeling v1.0.docx", dated="2023-01-15", dated_by="document")
NEW = Source("Thuiswerkregeling", "hr/Thuiswerkregeling v2.0.docx", dated="2024-06-01", dated_by="document")
SAYS = "Je moet de aanvraag voor de thuiswerkvergoeding indienen voor {}."


def test_two_versions_with_two_days_disagree_the_newer_named_first():
    found = find_disagreement(QUESTION, [(OLD, SAYS.format("1 maart")), (NEW, SAYS.format("15 april"))])
    assert found is not None and found.first == (NEW, "15 april") and found.second == (OLD, "1 maart")
    line = disagreement_line(found, "nl", {NEW: 1, OLD: 2})
    assert line == ("Let op: de documenten zeggen hier niet hetzelfde: „Thuiswerkregeling v2.0” [1] (1 juni 2024) "
                    "noemt 15 april, „Thuiswerkregeling v1.0” [2] (15 januari 2023) noemt 1 maart.")


def test_the_same_day_written_two_ways_agrees():
    assert find_disagreement(QUESTION, [(OLD, SAYS.format("1 maart")), (NEW, SAYS.format("1 maart 2025"))]) is None


def test_one_file_never_disagrees_with_itself():
    assert find_disagreement(QUESTION, [(NEW, SAYS.format("1 maart")), (NEW, SAYS.format("15 april"))]) is None


def test_a_question_that_asks_for_no_value_gets_no_line():
    texts = [(OLD, SAYS.format("1 maart")), (NEW, SAYS.format("15 april"))]
    assert find_disagreement("Hoe dien ik de aanvraag voor de thuiswerkvergoeding in?", texts) is None


def test_two_documents_about_different_subjects_do_not_disagree():
    ing = Source("Modeldocument ING", "ING/Modeldocument ING v3.0.docx", dated="2025-01-01", dated_by="name")
    abn = Source("Modeldocument ABN AMRO", "ABN/Modeldocument ABN AMRO v2.0.docx", dated="2025-02-01",
                 dated_by="name")
    question = "Welke versie van het modeldocument moet ik gebruiken?"
    texts = [(ing, "Gebruik versie 3.0 van het modeldocument van ING."),
             (abn, "Gebruik versie 2.0 van het modeldocument van ABN AMRO.")]
    assert find_disagreement(question, texts) is None


def test_two_documents_that_make_one_statement_with_two_values_disagree():
    policy = Source("Thuiswerkbeleid", "hr/thuiswerkbeleid.md", dated="2024-02-01", dated_by="document")
    faq = Source("Veelgestelde vragen", "intranet/faq.md", dated="2024-09-01", dated_by="document")
    found = find_disagreement(QUESTION, [(policy, SAYS.format("1 maart")), (faq, SAYS.format("15 april"))])
    assert found is not None and found.first[0] == faq


def test_different_statements_with_different_days_do_not_disagree():
    texts = [(OLD, SAYS.format("1 maart")),
             (NEW, "De thuiswerkvergoeding wordt vanaf 15 april met je salaris uitbetaald na je aanvraag.")]
    assert find_disagreement(QUESTION, texts) is None
