"""Rendering a filled template: Markdown for the CLI, Block Kit (plain dicts) within Slack's limits."""

from __future__ import annotations

import pytest

from bot.answering.types import Source
from bot.slack.ui.template_blocks import fallback_text, to_blocks
from bot.templates.filling import TemplateResult
from bot.templates.library import TemplateLibrary
from bot.templates.markdown import to_markdown
from tests.fakes.slack.workspace import check_blocks
from tests.templates.builders import instance_for

SOURCE = Source(title="Brainstormen", path="werkwijze/brainstormen.md", heading="Spelregels", collection="bedrijf")


@pytest.fixture(scope="module")
def library():
    return TemplateLibrary.load()


def result_for(library, name, values, output=None, sources=()):
    template = library.get(name)
    checked = template.check_values(values)
    output = output if output is not None else instance_for(template.output_schema(checked))
    return TemplateResult(template, checked, output, list(sources), {"total_s": 12.34})


def idea(n: int, text: str = "") -> dict:
    return {"titel": f"Idee {n}", "beschrijving": text or f"Beschrijving {n}", "voordelen": f"Voordeel {n}",
            "risicos": f"Risico {n}", "eerste_stap": f"Stap {n}"}


def test_brainstorm_as_markdown(library):
    output = {"ideeen": [idea(1), idea(2)], "aanbeveling": "Begin met idee 2."}
    result = result_for(library, "brainstorm", {"onderwerp": "minder papier", "doel": "duurzaam", "aantal": 2},
                        output, [SOURCE])
    text = to_markdown(result)
    assert text.startswith("# Brainstorm\n\n**Onderwerp:** minder papier · **Aantal ideeën:** 2")
    assert "**Doel:**" not in text, "long texts (textarea) are not repeated"
    assert "## Ideeën\n\n### 1. Idee 1\n\nBeschrijving 1\n\n- **Voordelen:** Voordeel 1\n- **Risico's:** Risico 1\n" \
           "- **Eerste stap:** Stap 1" in text
    assert "### 2. Idee 2" in text and "## Aanbeveling\n\nBegin met idee 2." in text
    assert "## Bronnen\n\n- Brainstormen — Spelregels (bedrijf/werkwijze/brainstormen.md)" in text
    assert text.rstrip().endswith("_Gemaakt met sjabloon brainstorm · 12,3 s_")


def test_nieuwsbericht_reads_as_an_announcement(library):
    output = {"titel": "Fijne feestdagen!", "intro": "Wat een jaar.", "alineas": ["Eerste alinea.", "Tweede alinea."],
              "afsluiting": "Groet, de directie"}
    result = result_for(library, "nieuwsbericht", {"aanleiding": "kerst", "kernboodschap": "dank", "alineas": 2},
                        output)
    text = to_markdown(result)
    assert text.startswith("# Fijne feestdagen!\n\n")
    assert "Wat een jaar.\n\nEerste alinea.\n\nTweede alinea.\n\nGroet, de directie" in text
    assert "## " not in text, "an announcement has no section labels"
    blocks = to_blocks(result)
    assert blocks[0]["text"]["text"] == "Fijne feestdagen!"
    assert fallback_text(result) == "Nieuwsbericht: Fijne feestdagen!"


def test_lists_of_texts_become_bullets_and_empty_lists_say_so(library):
    output = {"samenvatting": "Kort.", "kernpunten": ["a", "b"], "besluiten": [], "open_vragen": ["c?"]}
    text = to_markdown(result_for(library, "samenvatting", {"tekst": "lange draad"}, output))
    assert "## Kernpunten\n\n- a\n- b" in text and "## Besluiten\n\n_Geen._" in text
    assert "## Open vragen\n\n- c?" in text


def test_brainstorm_as_block_kit(library):
    output = {"ideeen": [idea(1, "Met <@U123> & <!channel>")], "aanbeveling": "Doen."}
    result = result_for(library, "brainstorm", {"onderwerp": "papier", "doel": "x", "aantal": 1}, output, [SOURCE])
    blocks = to_blocks(result, intro="<@U0ALICE> vroeg om deze brainstorm.")
    assert blocks[0] == {"type": "context",
                         "elements": [{"type": "mrkdwn", "text": "<@U0ALICE> vroeg om deze brainstorm."}]}
    assert blocks[1]["type"] == "header" and blocks[1]["text"]["text"] == "Brainstorm"
    texts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    item = next(t for t in texts if t.startswith("*1. Idee 1*"))
    assert "Met &lt;@U123&gt; &amp; &lt;!channel&gt;" in item, "model text cannot mention or ping"
    assert "*Voordelen:* Voordeel 1" in item
    assert "*Aanbeveling*\nDoen." in texts
    contexts = [b["elements"][0]["text"] for b in blocks if b["type"] == "context"]
    assert any(c.startswith("*Bronnen:* Brainstormen") for c in contexts)
    check_blocks(blocks)


def test_the_largest_outputs_stay_within_slack_limits(library):
    for template in library:
        values = {f.name: (f.max if f.type == "number" else "x") for f in template.fields if f.required}
        schema = template.output_schema(template.check_values(values))
        longest = _longest_instance(schema)
        blocks = to_blocks(result_for(library, template.name, values, longest, [SOURCE] * 6))
        check_blocks(blocks)


def test_more_items_than_one_message_holds_are_cut_with_a_notice(library):
    output = {"actiepunten": [{"actie": f"Actie {n}", "eigenaar": "Piet", "deadline": "vrijdag"} for n in range(80)]}
    blocks = to_blocks(result_for(library, "actiepunten", {"notulen": "notities"}, output))
    check_blocks(blocks)
    assert len(blocks) == 50
    assert any("ingekort" in b["elements"][0]["text"] for b in blocks if b["type"] == "context")


def _longest_instance(schema):
    kind = schema.get("type")
    if kind == "object":
        return {k: _longest_instance(s) for k, s in schema["properties"].items()}
    if kind == "array":
        return [_longest_instance(schema["items"]) for _ in range(schema.get("maxItems", 10))]
    return "é" * schema.get("maxLength", 500)


def test_a_source_heading_does_not_repeat_the_document_title(library):
    source = Source(title="Tone of voice", path="organisatie/tone-of-voice.md",
                    heading="Tone of voice > Hoe klinken we?", collection="bedrijf")
    text = to_markdown(result_for(library, "samenvatting", {"tekst": "x"}, sources=[source]))
    assert "- Tone of voice — Hoe klinken we? (bedrijf/organisatie/tone-of-voice.md)" in text
