"""A summary says only what the thread says: the model's output is checked against the thread, and
when it invents (or the model is the tiny offline one) the thread's own sentences are shown,
grouped under the template's headings, with the decision as last taken."""

from __future__ import annotations

import json

import pytest

from bot.errors import TemplateError
from bot.model_files.resolving import is_packaged_llm
from bot.templates.faithful import NOTE, extractive_output, names_in, unfaithful, values_of
from bot.templates.files import parse_template_file
from bot.templates.filling import TemplateFiller
from bot.templates.library import TemplateLibrary
from bot.templates.template import TemplateFileError
from tests.templates.builders import MINIMAL_TEMPLATE, ScriptedModel, write_template

# A thread as the "Vat deze thread samen" shortcut writes it: the decision moves from 13 to 12 juni.
THREAD = "\n".join([
    "Anna: Zullen we de presentatie voor het managementteam op vrijdag 13 juni houden? Ik heb de grote "
    "vergaderzaal al gereserveerd.",
    "Bram: 13 juni kan ik niet, dan ben ik op cursus in Utrecht. Kan het donderdag 12 juni?",
    "Anna: Prima, dan doen we de presentatie op donderdag 12 juni om 14:00.",
    "Chris: Ik neem de cijfers van het eerste kwartaal mee. Wie regelt de beamer?",
])
DECISION = "Anna: Prima, dan doen we de presentatie op donderdag 12 juni om 14:00."
VALUES = {"tekst": THREAD, "focus": None}
FAITHFUL = {"samenvatting": "De presentatie is verplaatst naar donderdag 12 juni om 14:00.",
            "kernpunten": ["Bram is op 13 juni op cursus in Utrecht.",
                           "Chris neemt de cijfers van het eerste kwartaal mee."],
            "besluiten": ["De presentatie is op donderdag 12 juni om 14:00."],
            "open_vragen": ["Wie regelt de beamer?"]}
# What the probe saw from the offline model, and the other ways a summary invents.
INVENTED = {
    "the first date as the decision": {"besluiten": ["De presentatie is op vrijdag 13 juni."]},
    "the first date as the outcome": {"samenvatting": "De presentatie is op vrijdag 13 juni."},
    "a prompt echo and a made-up word": {"besluiten": ["geef een zin", "sammenwachsenen"]},
    "a field name as a bullet": {"kernpunten": ["tekst"]},
    "a heading as a bullet": {"kernpunten": ["Besluiten"]},
    "a name the thread does not have": {"open_vragen": ["Regelt Dirk de beamer?"]},
    "a date the thread does not have": {"kernpunten": ["De presentatie duurt tot 20 juni."]},
    "a weekday the thread does not have": {"besluiten": ["De presentatie is op maandag 12 juni."]},
}


@pytest.fixture(scope="module")
def summary():
    return TemplateLibrary.load().get("samenvatting")


def thread_sentences() -> str:
    return THREAD.replace("\n", " ")


def assert_says_only_what_the_thread_says(output: dict) -> None:
    """Every date, number and name occurs in the thread; the decision is the last one taken; no
    heading, field name or placeholder stands as content."""
    thread_words = {w.lower() for w in THREAD.replace(":", " ").split()}
    for name, items in output.items():
        for item in items if isinstance(items, list) else [items]:
            assert values_of(item) <= values_of(THREAD), (name, item)
            assert {w for w in names_in(item)} <= {w.strip(".,?") for w in thread_words}, (name, item)
            assert item.strip(" .").lower() not in {"tekst", "kernpunten", "besluiten", "open vragen"}, item
    for outcome in [output["samenvatting"], *output["besluiten"]]:
        assert "13" not in values_of(outcome) and "vrijdag" not in values_of(outcome), outcome


def test_the_threads_own_sentences_grouped_with_the_decision_as_last_taken(summary):
    output = extractive_output(summary, VALUES)
    assert output["samenvatting"] == DECISION and output["besluiten"] == [DECISION]
    assert output["open_vragen"] == ["Chris: Wie regelt de beamer?"], "Anna's question was taken up, Chris' not"
    assert "Bram: 13 juni kan ik niet, dan ben ik op cursus in Utrecht." in output["kernpunten"]
    assert not any("vrijdag 13 juni" in item for item in output["kernpunten"]), "the replaced proposal"
    for item in [output["samenvatting"], *output["kernpunten"], *output["besluiten"], *output["open_vragen"]]:
        author, sentence = item.split(": ", 1)
        assert f"{author}: " in THREAD and sentence in thread_sentences(), item
    assert_says_only_what_the_thread_says(output)


def test_a_faithful_summary_in_the_models_words_passes(summary):
    assert unfaithful(summary, FAITHFUL, VALUES) == []


@pytest.mark.parametrize("change", INVENTED.values(), ids=INVENTED.keys())
def test_what_the_thread_does_not_say_is_found(summary, change):
    assert unfaithful(summary, {**FAITHFUL, **change}, VALUES)


def test_an_inventing_model_gives_way_to_the_threads_sentences_labelled_as_such(summary):
    probe = {"samenvatting": "Vrijdag 13 juni is de presentatie.", "kernpunten": ["tekst", "tekst"],
             "besluiten": ["geef een zin", "sammenwachsenen"], "open_vragen": []}
    model = ScriptedModel(json.dumps(probe))
    result = TemplateFiller(model).fill(summary, VALUES)
    assert len(model.requests) == 1 and result.output == extractive_output(summary, VALUES)
    assert result.warnings == (NOTE,) and result.sources == []
    assert_says_only_what_the_thread_says(result.output)


def test_a_faithful_model_keeps_its_own_words(summary):
    model = ScriptedModel(json.dumps(FAITHFUL))
    result = TemplateFiller(model).fill(summary, VALUES)
    assert result.output == FAITHFUL and result.warnings == ()


def test_no_valid_output_twice_gives_the_threads_sentences_instead_of_an_error(summary):
    model = ScriptedModel("{ niet af", "ook niet")
    result = TemplateFiller(model).fill(summary, VALUES)
    assert len(model.requests) == 2 and result.output["besluiten"] == [DECISION] and result.warnings == (NOTE,)


def test_a_template_without_extractive_still_fails_on_invalid_output():
    model = ScriptedModel("{ niet af", "ook niet")
    with pytest.raises(TemplateError):
        TemplateFiller(model).fill(TemplateLibrary.load().get("brainstorm"),
                                   {"onderwerp": "minder papier", "doel": "duurzaam", "aantal": "3"})


def test_extractive_only_leaves_the_model_out(summary):
    model = ScriptedModel(json.dumps(FAITHFUL))
    result = TemplateFiller(model, extractive_only=True).fill(summary, VALUES)
    assert model.requests == [] and result.output["besluiten"] == [DECISION] and result.timings["attempts"] == 0


@pytest.mark.parametrize("extractive, error", [
    ('source = "onbekend"\nopening = "punten"', "output.extractive.source"),
    ('source = "thema"\npoints = "bestaat_niet"', "output.extractive.points"),
    ('source = "thema"\nopening = "punten"', "output.extractive.opening"),
    ('source = "thema"', "output.extractive.opening"),
])
def test_a_wrong_extractive_table_names_the_key(tmp_path, extractive, error):
    path = write_template(tmp_path, "weekstart", MINIMAL_TEMPLATE + f"\n[output.extractive]\n{extractive}\n")
    with pytest.raises(TemplateFileError) as failed:
        parse_template_file(path)
    assert failed.value.field == error


def test_a_right_extractive_table_is_read(tmp_path):
    path = write_template(tmp_path, "weekstart", MINIMAL_TEMPLATE + '\n[output.extractive]\nsource = "thema"\n'
                                                                     'points = "punten"\n')
    extractive = parse_template_file(path).extractive
    assert extractive is not None and (extractive.source, extractive.points, extractive.opening) == \
        ("thema", "punten", None)


@pytest.mark.slow
def test_the_offline_model_summarises_with_the_threads_own_sentences(generator, summary):
    """As the services build it: the tiny model is not asked for a summary it would invent."""
    assert is_packaged_llm(generator.model_name)
    result = TemplateFiller(generator, extractive_only=is_packaged_llm(generator.model_name)).fill(summary, VALUES)
    assert result.output["besluiten"] == [DECISION] and result.warnings == (NOTE,)
    assert_says_only_what_the_thread_says(result.output)


@pytest.mark.slow
def test_whatever_the_offline_model_writes_the_summary_says_only_what_the_thread_says(generator, summary):
    """Asked anyway, the real SmolLM2's output is kept only when faithful: this holds whatever
    greedy text this CPU's build writes."""
    result = TemplateFiller(generator).fill(summary, VALUES)
    assert result.timings["attempts"] >= 1
    assert_says_only_what_the_thread_says(result.output)
