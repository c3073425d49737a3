"""Questions: normalised for searching and recognised when asked again, their subject words, what they
ask for, and chat replies that are no question."""

from __future__ import annotations

from language.questions import (
    asks_amount,
    asks_for,
    content_words,
    has_number,
    is_acknowledgement,
    modality,
    normalise_question,
    question_key,
    question_terms,
    reads_as_follow_up,
)


def test_normalise_question_folds_unicode_and_spaces():
    assert normalise_question("  ﬁets\n\tstalling  ") == "fiets stalling"
    assert normalise_question("Hoeveel dagen?") == "Hoeveel dagen?"  # searched and shown: case and "?" kept


def test_the_same_question_asked_again_has_the_same_key():
    assert question_key("  Hoeveel   Vakantiedagen?? ") == question_key("hoeveel vakantiedagen")
    assert question_key("hoeveel vakantiedagen") != question_key("hoeveel ziektedagen")
    assert question_key("Waar is de ﬁetsenstalling?!") == question_key("waar is de fietsenstalling")
    assert question_key("Hoe laat begint het:") == "hoe laat begint het"


def test_question_terms_leave_out_filler_function_words_and_numbers():
    assert question_terms("hoe zit het eigenlijk met de parkeerplaatsen bij kantoor 2?") == ["parkeerplaatsen",
                                                                                              "kantoor"]


def test_content_words_keep_negations_particles_and_numbers():
    assert content_words("Hoe lang duurt het buddyprogramma?") == ["duurt", "buddyprogramma"]
    assert content_words("Zet ik MFA niet uit voor 2 apparaten?") == ["zet", "mfa", "niet", "uit", "2", "apparaten"]
    assert question_terms("Zet ik MFA niet uit voor 2 apparaten?") == ["zet", "mfa", "apparaten"]


def test_what_a_question_asks_for():
    assert asks_for("Hoe lang duurt het?") == {"duration"} and asks_for("hoe laat begin ik?") == {"time"}
    assert asks_for("How many days do I get?") == {"amount"} and asks_for("Wie is mijn buddy?") == {"person"}
    assert asks_for("Mag ik thuiswerken?") == frozenset()
    assert modality("Mag ik mijn laptop meenemen?") == {"permission"} and modality("Moet ik?") == {"duty"}


def test_a_question_for_an_amount_and_a_text_that_holds_one():
    assert asks_amount("hoeveel plekken zijn er?") and asks_amount("Wat kost een lunch?")
    assert not asks_amount("waar is de receptie?")
    assert has_number("open van 8 tot 18 uur") and has_number("€ 4,50") and has_number("twee weken")
    assert not has_number("sinds 2023 op niveau EH3 en via ipv6")  # a year and codes are not amounts


def test_a_short_question_or_one_that_starts_like_a_continuation_follows_up():
    assert reads_as_follow_up("en voor parttimers?")
    assert reads_as_follow_up("En, hoe zit dat dan voor iemand die parttime werkt bij ons?")
    assert not reads_as_follow_up("Hoe stel ik de VPN-verbinding in op mijn nieuwe laptop thuis?")
    assert not reads_as_follow_up("   ")


def test_what_counts_as_thanks():
    assert is_acknowledgement("Top, bedankt!") and is_acknowledgement(":+1:") and is_acknowledgement("ok")
    assert is_acknowledgement("Thx :Tada:")
    assert not is_acknowledgement("Bedankt, maar hoe zit het met parttimers?")
    assert not is_acknowledgement("En voor stagiairs") and not is_acknowledgement("top?")
