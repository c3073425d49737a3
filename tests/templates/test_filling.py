"""Filling a template with a scripted model: the request carries the per-request schema, output is
validated, a bad output is retried once, and grounded templates cite the passages they were given."""

from __future__ import annotations

import json

import pytest

from bot.errors import TemplateError
from bot.templates.faithful import NOTE as EXTRACTIVE_NOTE
from bot.templates.filling import TemplateFiller, interleave, output_token_bound
from bot.templates.library import TemplateLibrary
from bot.templates.template import TemplateInputError
from knowledge.errors import KnowledgeError
from knowledge.models import Chunk, Hit
from tests.templates.builders import ScriptedModel, instance_for, valid_reply

BRAINSTORM = {"onderwerp": "minder papier", "doel": "duurzamer werken", "aantal": "3"}


def hit(doc_id: str, title: str, text: str, rank: int) -> Hit:
    chunk = Chunk(id=f"bedrijf:{doc_id}#{rank}", doc_id=doc_id, collection="bedrijf", title=title,
                  headings=(title,), text=text, ordinal=rank, content_hash="h")
    return Hit(chunk, score=1.0 / rank, rank=rank, relevance=0.8)


HITS = [hit("werkwijze/brainstormen.md", "Brainstormen", "Eerst veel ideeën, pas daarna oordelen.", 1),
        hit("werkwijze/brainstormen.md", "Brainstormen", "Elk idee krijgt een eerste stap.", 2),
        hit("organisatie/waarden.md", "Onze waarden", "Duurzaam en dichtbij.", 3)]


@pytest.fixture(scope="module")
def library():
    return TemplateLibrary.load()


def test_the_request_is_constrained_by_the_schema_with_exactly_aantal_ideas(library):
    model = ScriptedModel()
    result = TemplateFiller(model).fill(library.get("brainstorm"), BRAINSTORM)
    [request] = model.requests
    ideas = request.json_schema["properties"]["ideeen"]
    assert ideas["minItems"] == ideas["maxItems"] == 3
    assert "x-weergave" not in json.dumps(request.json_schema), "rendering hints are not sent to the model"
    assert request.max_tokens == output_token_bound(request.json_schema)
    assert len(result.output["ideeen"]) == 3 and result.timings["attempts"] == 1
    assert result.values["aantal"] == 3
    user = request.messages[-1]["content"]
    assert "Bedenk precies 3 verschillende ideeën." in user and "Onderwerp: minder papier" in user
    assert "Doelgroep: (niet opgegeven)" in user


def test_an_invalid_output_is_retried_once(library):
    wrong_count = json.dumps({"ideeen": [], "aanbeveling": "geen"})
    model = ScriptedModel(wrong_count, valid_reply)
    result = TemplateFiller(model, temperature=0.2).fill(library.get("brainstorm"), BRAINSTORM)
    assert len(model.requests) == 2 and result.timings["attempts"] == 2
    first, second = model.requests
    assert second.temperature > first.temperature, "the retry does not repeat the same sampling"
    assert second.max_tokens >= first.max_tokens, "the retry may use all the room left in the context"
    assert len(result.output["ideeen"]) == 3


@pytest.mark.parametrize("reply", ['{"ideeen": [{"titel": "Half', '{"ideeen": [], "aanbeveling": "x"}', "geen json"])
def test_two_invalid_outputs_give_a_clear_error(library, reply):
    model = ScriptedModel(reply)
    with pytest.raises(TemplateError, match="geen uitvoer in de vorm van sjabloon 'brainstorm'"):
        TemplateFiller(model).fill(library.get("brainstorm"), BRAINSTORM)
    assert len(model.requests) == 2


def test_field_errors_come_before_the_model_is_asked(library):
    model = ScriptedModel()
    with pytest.raises(TemplateInputError) as caught:
        TemplateFiller(model).fill(library.get("brainstorm"), {"aantal": "3"})
    assert set(caught.value.errors) == {"onderwerp", "doel"}
    assert model.requests == []


def test_a_grounded_template_puts_passages_in_the_prompt_and_lists_their_documents(library):
    searches = []

    def retrieve(query, collections=None):
        searches.append((query, collections))
        return HITS

    model = ScriptedModel()
    result = TemplateFiller(model, retrieve=retrieve).fill(library.get("brainstorm"), BRAINSTORM,
                                                           collections=["bedrijf"])
    assert [collections for _, collections in searches] == [["bedrijf"], ["bedrijf"]]
    (guidelines, _), (values, _) = searches
    assert "brainstormrichtlijnen" in guidelines and "minder papier" in guidelines
    assert "kernwaarden" in values and "duurzamer werken" in values
    prompt = model.requests[0].messages[-1]["content"]
    assert "Eerst veel ideeën, pas daarna oordelen." in prompt and "Duurzaam en dichtbij." in prompt
    assert [(s.path, s.title) for s in result.sources] == [("werkwijze/brainstormen.md", "Brainstormen"),
                                                           ("organisatie/waarden.md", "Onze waarden")]
    assert result.to_json()["sources"][0]["path"] == "werkwijze/brainstormen.md"


def test_when_retrieval_fails_the_template_is_filled_without_passages_and_says_so(library):
    def retrieve(query, collections=None):
        raise KnowledgeError("de index is leeg")

    result = TemplateFiller(ScriptedModel(), retrieve=retrieve).fill(library.get("brainstorm"), BRAINSTORM)
    assert result.sources == [] and "de index is leeg" in result.warnings[0]


def test_passages_are_dropped_until_prompt_and_output_fit_in_the_context(library):
    long_hits = [hit(f"doc{i}.md", f"Document {i}", "woord " * 300, i) for i in range(1, 4)]
    template = library.get("brainstorm")
    bound = output_token_bound(template.output_schema({"aantal": 1}))
    model = ScriptedModel(n_ctx=bound + 600)  # room for the prompt and about one passage
    result = TemplateFiller(model, retrieve=lambda q, collections=None: long_hits).fill(
        template, {**BRAINSTORM, "aantal": "1"})
    assert 1 <= len(result.sources) < 3
    assert model.requests[0].max_tokens == bound


def test_a_text_too_long_for_the_model_is_refused_in_dutch(library):
    model = ScriptedModel(n_ctx=400)
    with pytest.raises(TemplateError, match="te lang voor het taalmodel"):
        TemplateFiller(model).fill(library.get("samenvatting"), {"tekst": "woord " * 450})
    assert model.requests == []


def test_every_shipped_template_fills_from_a_valid_output(library):
    for template in library:
        values = {f.name: ("3" if f.type == "number" else "iets") for f in template.fields if f.required}
        model = ScriptedModel()
        result = TemplateFiller(model).fill(template, values)
        assert result.template is template and result.timings["attempts"] == 1
        if template.extractive is None:
            assert result.output == instance_for(model.requests[0].json_schema)
        else:  # "kernpunten 1 voorbeeld" is not what "iets" says: the text's own sentences instead
            assert result.warnings == (EXTRACTIVE_NOTE,) and result.output["samenvatting"] == "iets"


def test_the_output_budget_grows_with_aantal(library):
    template = library.get("brainstorm")
    one, five = (output_token_bound(template.output_schema({"aantal": n})) for n in (1, 5))
    assert one < five < 4096


def test_a_grounded_template_without_any_passages_says_so(library):
    result = TemplateFiller(ScriptedModel(), retrieve=lambda q, collections=None: []).fill(
        library.get("brainstorm"), BRAINSTORM)
    assert result.sources == [] and "geen passende bedrijfsdocumenten" in result.warnings[0]


def test_several_searches_are_interleaved_best_first_without_duplicates():
    a, b, c = HITS
    assert interleave([[a, b], [c, a]]) == [a, c, b]
    assert interleave([[], []]) == []
