"""Dutch or English, by counting function words."""

from __future__ import annotations

import pytest

from language.detection import detect_language


@pytest.mark.parametrize("question, language", [
    ("Hoeveel vakantiedagen krijg ik per jaar?", "nl"),
    ("Hoe meld ik me ziek?", "nl"),
    ("en voor parttimers?", "nl"),
    ("Wat is het wifi-wachtwoord voor gasten", "nl"),
    ("How many holidays do I get per year?", "en"),
    ("What is the guest wifi password?", "en"),
    ("Who do I call when my laptop is broken?", "en"),
    ("VPN", "nl"),
])
def test_language_detection(question, language):
    assert detect_language(question) == language
