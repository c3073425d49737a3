"""bench/answer.py's calibration: one known-terms threshold serves every question language, so it is
chosen on all questions together, not as the mean of each language's own choice."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def bench_answer():
    path = Path(__file__).resolve().parent.parent / "bench" / "answer.py"
    spec = importlib.util.spec_from_file_location("bench_answer", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_one_support_threshold_is_chosen_on_every_language_together(bench_answer):
    # (language, relevance, support, coverage alone, answerable): many Dutch questions whose
    # answerable ones hold 0.5 and up of known terms, a few English ones that would want 0.8.
    dutch = [("nl", 0.9, s, None, True) for s in (0.5, 0.6, 0.7, 0.9, 1.0)]
    dutch += [("nl", 0.9, s, None, False) for s in (0.2, 0.3)]
    english = [("en", 0.9, 0.9, None, True), ("en", 0.9, 0.7, None, False)]
    report = bench_answer.calibrate({"a": dutch, "b": english})
    assert report["per_language"]["en"]["min_support"] > 0.7  # English alone would want more
    # The mean of the two (about 0.6) would decline a Dutch answerable question; the threshold
    # chosen on all questions keeps every Dutch one right.
    assert 0.3 < report["min_support"] < 0.5
    assert report["per_corpus"]["a"] == {"unanswerable_declined": "2/2", "answerable_kept": "5/5"}


def test_each_languages_relevance_is_fitted_with_the_one_support_threshold(bench_answer):
    # English alone would decline its unanswerable question by its known terms (0.7 < 0.8); with the
    # Dutch questions' lower support threshold it must be its relevance (0.80 < 0.85) that declines it.
    dutch = [("nl", 0.9, s, None, True) for s in (0.5, 0.6, 0.7, 0.9, 1.0)]
    dutch += [("nl", 0.9, s, None, False) for s in (0.2, 0.3)]
    english = [("en", 0.85, 0.9, None, True), ("en", 0.80, 0.7, None, False)]
    report = bench_answer.calibrate({"a": dutch, "b": english})
    assert report["min_support"] < 0.5
    assert 0.80 < report["min_relevance"]["en"] < 0.85
    assert report["per_corpus"]["b"] == {"unanswerable_declined": "1/1", "answerable_kept": "1/1"}
