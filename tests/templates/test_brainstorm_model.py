"""Twenty brainstorms with the real small model (SmolLM2-135M): the content is weak, but the shape
must always be right: valid under the schema, with exactly `aantal` ideas."""

from __future__ import annotations

import pytest
from jsonschema import Draft202012Validator

from bot.templates.filling import TemplateFiller
from bot.templates.library import TemplateLibrary
from tests.templates.test_filling import HITS

# (onderwerp, doel, doelgroep, randvoorwaarden); aantal cycles over 1..5, small ones more often
# so the twenty runs stay short on two CPU cores.
SUBJECTS = [
    ("minder papier op kantoor", "duurzamer werken", "alle collega's", ""),
    ("nieuwe collega's inwerken", "sneller productief", "teamleiders", "geen extra budget"),
    ("de kerstborrel", "iedereen voelt zich welkom", "alle medewerkers", "binnen 2.000 euro"),
    ("thuiswerken en contact houden", "minder eenzaamheid", "thuiswerkers", ""),
    ("energie besparen in het pand", "lagere energierekening", "facilitair", "geen verbouwing"),
    ("kennis delen tussen teams", "minder dubbel werk", "projectleiders", "max. een uur per week"),
    ("vitaliteit", "minder verzuim", "iedereen", ""),
    ("klanttevredenheid", "hogere NPS", "klantenservice", "binnen dit kwartaal"),
    ("vergaderen", "kortere vergaderingen", "managers", ""),
    ("fietsen naar het werk", "meer collega's op de fiets", "forenzen", "veilig stallen"),
    ("het intranet", "informatie sneller vinden", "alle collega's", ""),
    ("stagiairs", "betere begeleiding", "begeleiders", "twee stagiairs per jaar"),
    ("afval scheiden", "minder restafval", "kantoorpersoneel", ""),
    ("de lunch", "gezonder eten", "iedereen op kantoor", "geen kantine-uitbreiding"),
    ("veiligheid van wachtwoorden", "minder phishing-incidenten", "alle medewerkers", ""),
    ("teamuitje", "betere samenwerking", "het IT-team", "een dag in juni"),
    ("feedback geven", "open cultuur", "leidinggevenden", ""),
    ("de ServicePunt", "snellere hulp bij IT-vragen", "alle collega's", "zelfde bezetting"),
    ("vrijwilligerswerk", "maatschappelijke betrokkenheid", "alle medewerkers", "een dag per jaar"),
    ("het nieuwe kantoor", "prettige werkplekken", "iedereen", "verhuizing in mei"),
]
AANTALLEN = [1, 2, 3, 4, 5, 1, 2, 3, 1, 2, 1, 2, 1, 3, 1, 2, 1, 2, 1, 2]


@pytest.mark.slow
def test_brainstorms_with_the_real_model_validate_with_exactly_aantal_ideas(generator):
    """The two ends, 1 and 5 ideas, here (each fill ~18 s on 2 cores); `bench/templates.py --runs 20`
    measures validity at scale."""
    template = TemplateLibrary.load().get("brainstorm")
    filler = TemplateFiller(generator, retrieve=lambda query, collections=None: HITS)
    wrong = []
    cases = [(SUBJECTS[i], AANTALLEN[i]) for i in (0, 4)]
    assert sorted(aantal for _, aantal in cases) == [1, 5]
    for (onderwerp, doel, doelgroep, randvoorwaarden), aantal in cases:
        result = filler.fill(template, {"onderwerp": onderwerp, "doel": doel, "doelgroep": doelgroep,
                                        "aantal": str(aantal), "randvoorwaarden": randvoorwaarden})
        schema = template.output_schema(result.values)
        errors = [e.message for e in Draft202012Validator(schema).iter_errors(result.output)]
        if errors or len(result.output["ideeen"]) != aantal:
            wrong.append((onderwerp, aantal, errors))
        assert {s.path for s in result.sources} == {"werkwijze/brainstormen.md", "organisatie/waarden.md"}
    assert wrong == []
