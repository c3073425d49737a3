"""Trimming the chosen excerpts to the passages' budget drops the weakest segment first, and a segment
that others lean on (an office table's header) is worth its best row: the answering row and its
header stay, a weaker sentence of another passage goes."""

from __future__ import annotations

from bot.answering.prompts import passage_block
from bot.answering.segments import render, sections_of
from bot.answering.selection import _fit
from knowledge.formats.tables import table_to_text
from tests.answering.builders import make_hit


def _shown(sections, chosen) -> int:
    return sum(len(passage_block(1, s.hit, render(s.segments, chosen[n])).split()) + 2
               for n, s in enumerate(sections) if chosen[n])


def test_a_tables_header_goes_no_sooner_than_its_best_row():
    table = make_hit(table_to_text([("Naam", "Rol"), ("Gert Peremans", "voorzitter"), ("Jos Minten", "materiaal")]),
                     doc_id="organigram.docx")
    other = make_hit("De voorzitter opent de vergadering. Het bestuur komt maandelijks samen.", doc_id="nieuws.md",
                     rank=2)
    sections = sections_of([table, other])
    header, answer = sections[0].segments[0], sections[0].segments[1]
    assert (header.text, answer.needs) == ("Naam | Rol", (0,))
    header.score, answer.score = 0.0, 0.9  # the header holds none of the question's words
    sections[1].segments[0].score, sections[1].segments[1].score = 0.5, 0.4
    chosen = [{0, 1}, {0, 1}]
    _fit(sections, chosen, lambda text: len(text.split()), _shown(sections, chosen) - 1,
         lambda hit, text: passage_block(1, hit, text))
    assert chosen == [{0, 1}, {0}]
