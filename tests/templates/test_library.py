"""Template files: shipped ones load, dropped-in ones add or replace, bad ones are reported by file
and field while the rest keep working; field values are checked with Dutch messages."""

from __future__ import annotations

import pytest

from bot.templates.library import SHIPPED_DIR, TemplateLibrary
from bot.templates.template import TemplateInputError, TemplateNotFoundError
from tests.templates.builders import MINIMAL_TEMPLATE, write_template

SHIPPED = ["actiepunten", "brainstorm", "nieuwsbericht", "samenvatting"]


def test_the_shipped_templates_load_without_errors():
    library = TemplateLibrary.load()
    assert library.names() == SHIPPED
    assert library.errors == []
    brainstorm = library.get("brainstorm")
    assert [f.name for f in brainstorm.fields] == ["onderwerp", "doel", "doelgroep", "aantal", "randvoorwaarden"]
    assert brainstorm.retrieval is not None and library.get("nieuwsbericht").retrieval is not None
    assert library.get("samenvatting").retrieval is None and library.get("actiepunten").retrieval is None


def test_a_file_dropped_in_the_folder_adds_a_template(tmp_path):
    write_template(tmp_path, "weekstart")
    library = TemplateLibrary.load(tmp_path)
    assert library.names() == sorted(SHIPPED + ["weekstart"])
    weekstart = library.get("weekstart")
    assert weekstart.title == "Weekstart" and not weekstart.shipped and weekstart.path == tmp_path / "weekstart.toml"


def test_an_admin_file_with_a_shipped_name_replaces_the_shipped_template(tmp_path):
    text = (SHIPPED_DIR / "samenvatting.toml").read_text(encoding="utf-8").replace(
        'title = "Samenvatting"', 'title = "Samenvatting (eigen versie)"')
    write_template(tmp_path, "samenvatting", text)
    template = TemplateLibrary.load(tmp_path).get("samenvatting")
    assert template.title == "Samenvatting (eigen versie)" and not template.shipped


BROKEN = [
    # (what is wrong, the file's text, the field the error must name)
    ("unknown field type", MINIMAL_TEMPLATE.replace('type = "text"', 'type = "getal"'), "fields.thema.type"),
    ("a typo in a key", MINIMAL_TEMPLATE.replace("required = true", "requird = true"), "fields.thema.requird"),
    ("not TOML", MINIMAL_TEMPLATE.replace('title = "Weekstart"', 'title = Weekstart'), "TOML"),
    ("unknown placeholder", MINIMAL_TEMPLATE.replace("{thema}", "{onderwerp}"), "prompt.user"),
    ("a lone accolade", MINIMAL_TEMPLATE.replace("{thema}.", "{thema} }."), "prompt.user"),
    ("no title", MINIMAL_TEMPLATE.replace('title = "Weekstart"\n', ""), "title"),
    ("invalid schema", MINIMAL_TEMPLATE.replace('type = "array"', 'type = "lijst"'),
     "output.schema.properties.punten.type"),
    ("count placeholder on a text field", MINIMAL_TEMPLATE.replace("maxItems = 3", 'maxItems = "{thema}"'),
     "output.schema.properties.punten.maxItems"),
    ("output not an object",
     MINIMAL_TEMPLATE.replace('[output.schema]\ntype = "object"', '[output.schema]\ntype = "array"'),
     "output.schema"),
    ("name differs from file name", 'name = "anders"\n' + MINIMAL_TEMPLATE, "name"),
    ("choice without choices", MINIMAL_TEMPLATE.replace('type = "text"', 'type = "choice"'), "fields.thema.choices"),
    ("default outside the range", MINIMAL_TEMPLATE + '\n[[fields]]\nname = "aantal"\nlabel = "Aantal"\n'
     'type = "number"\nmin = 1\nmax = 3\ndefault = 7\n', "fields.aantal.default"),
    ("retrieval without {passages}", MINIMAL_TEMPLATE + '\n[retrieval]\nquery = "weekstart {thema}"\n', "prompt.user"),
    ("a query that is not text", MINIMAL_TEMPLATE.replace("{thema}.", "{thema}. {passages}")
     + '\n[retrieval]\nquery = ["weekstart", 3]\n', "retrieval.query"),
]


@pytest.mark.parametrize("text,field", [(t, f) for _, t, f in BROKEN], ids=[w for w, _, _ in BROKEN])
def test_an_invalid_file_names_file_and_field_and_the_others_keep_working(tmp_path, text, field):
    write_template(tmp_path, "weekstart", text)
    write_template(tmp_path, "goed", MINIMAL_TEMPLATE)
    library = TemplateLibrary.load(tmp_path)
    assert library.names() == sorted(SHIPPED + ["goed"])
    [error] = library.errors
    assert error.path == tmp_path / "weekstart.toml" and error.field == field
    assert "weekstart.toml" in str(error) and field in str(error)


def test_an_invalid_override_keeps_the_shipped_template_and_says_so(tmp_path):
    write_template(tmp_path, "brainstorm", "title = 3\n")
    library = TemplateLibrary.load(tmp_path)
    assert library.get("brainstorm").shipped
    [error] = library.errors
    assert error.field == "title" and "meegeleverde sjabloon blijft in gebruik" in str(error)


def test_a_missing_admin_folder_is_reported_and_the_shipped_templates_still_load(tmp_path):
    library = TemplateLibrary.load(tmp_path / "bestaat-niet")
    assert library.names() == SHIPPED
    [error] = library.errors
    assert error.field == "templates_dir" and "bestaat niet" in error.reason


def test_an_unknown_template_is_a_dutch_error_listing_the_known_ones():
    with pytest.raises(TemplateNotFoundError, match="Onbekend sjabloon 'kerst'.*brainstorm"):
        TemplateLibrary.load().get("kerst")


# --- field values ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def brainstorm():
    return TemplateLibrary.load().get("brainstorm")


def test_missing_required_fields_are_named_in_dutch(brainstorm):
    with pytest.raises(TemplateInputError) as caught:
        brainstorm.check_values({"doelgroep": "iedereen"})
    assert caught.value.errors == {"onderwerp": "Vul dit veld in.", "doel": "Vul dit veld in."}
    assert "onderwerp (Onderwerp): Vul dit veld in." in str(caught.value)


@pytest.mark.parametrize("raw,message", [
    ("veel", "Vul een geheel getal in."),
    ("2,5", "Vul een geheel getal in."),
    ("11", "Kies een getal van 1 tot en met 10."),
    ("0", "Kies een getal van 1 tot en met 10."),
])
def test_a_bad_number_is_refused_with_the_reason(brainstorm, raw, message):
    with pytest.raises(TemplateInputError) as caught:
        brainstorm.check_values({"onderwerp": "x", "doel": "y", "aantal": raw})
    assert caught.value.errors == {"aantal": message}


def test_values_are_typed_trimmed_and_defaults_filled_in(brainstorm):
    values = brainstorm.check_values({"onderwerp": "  minder papier ", "doel": "duurzaam", "aantal": " 3 "})
    assert values == {"onderwerp": "minder papier", "doel": "duurzaam", "doelgroep": None, "aantal": 3,
                      "randvoorwaarden": None}
    assert brainstorm.check_values({"onderwerp": "x", "doel": "y", "aantal": ""})["aantal"] == 5


def test_unknown_fields_too_long_texts_and_bad_choices_are_refused(tmp_path):
    text = MINIMAL_TEMPLATE.replace("required = true", "required = true\nmax_length = 10") + (
        '\n[[fields]]\nname = "toon"\nlabel = "Toon"\ntype = "choice"\nchoices = ["formeel", "luchtig"]\n')
    write_template(tmp_path, "weekstart", text)
    template = TemplateLibrary.load(tmp_path).get("weekstart")
    with pytest.raises(TemplateInputError) as caught:
        template.check_values({"thema": "een veel te lang thema", "toon": "boos", "kleur": "rood"})
    assert caught.value.errors == {"kleur": "onbekend veld; dit sjabloon kent: thema, toon.",
                                   "thema": "Gebruik hoogstens 10 tekens (nu 22).",
                                   "toon": "Kies een van: formeel, luchtig."}


def test_the_schema_of_a_request_has_exactly_aantal_ideas(brainstorm):
    for aantal in (1, 4, 10):
        ideas = brainstorm.output_schema({"aantal": aantal})["properties"]["ideeen"]
        assert ideas["minItems"] == ideas["maxItems"] == aantal
    assert brainstorm.schema["properties"]["ideeen"]["minItems"] == "{aantal}", "the template itself is unchanged"


def test_the_library_notices_files_added_changed_and_removed_without_a_restart(tmp_path):
    library = TemplateLibrary.load(tmp_path)
    assert "weekstart" not in library.names()
    path = write_template(tmp_path, "weekstart")
    assert library.get("weekstart").title == "Weekstart"
    path.write_text(MINIMAL_TEMPLATE.replace('type = "text"', 'type = "getal"'), encoding="utf-8")
    assert "weekstart" not in library.names() and library.errors[0].field == "fields.thema.type"
    path.unlink()
    assert library.names() == SHIPPED and library.errors == []
