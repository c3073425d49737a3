"""Block Kit rendering within Slack's limits (3,000 characters a section, 50 blocks a message)."""

from __future__ import annotations

from bot.answering.answer import Answer, Source
from bot.slack.blocks import (ACTION_SHARE, ACTION_VOTE_DOWN, ACTION_VOTE_UP, answer_messages, blocks_text,
                              fallback_text, sources_block, split_text, to_mrkdwn)
from tests.fakeslack.workspace import check_blocks

SOURCES = [Source("Vakantie en verlof", "hr/vakantie-en-verlof.md", heading="Vakantiedagen", collection="hr"),
           Source("Intranet", "intranet", url="https://intranet.example.nl/verlof?a=1&b=2")]


def paragraphs(count: int, size: int = 900) -> str:
    return "\n\n".join(f"Alinea {i}: " + "woord " * (size // 6) for i in range(count))


def test_short_answer_is_one_message_with_sources_and_buttons():
    messages = answer_messages(Answer("v", "Je hebt **25** dagen [1].", SOURCES), "a1")
    assert len(messages) == 1
    blocks = messages[0]
    assert blocks[0]["text"]["text"] == "Je hebt *25* dagen [1]."
    context = blocks[1]["elements"]
    assert context[0]["text"].endswith("[1] Vakantie en verlof › Vakantiedagen (`hr/vakantie-en-verlof.md`)")
    assert context[1]["text"] == "[2] <https://intranet.example.nl/verlof?a=1&b=2|Intranet>"
    assert [e["action_id"] for e in blocks[2]["elements"]] == [ACTION_VOTE_UP, ACTION_VOTE_DOWN]
    assert all(e["value"] == "a1" for e in blocks[2]["elements"])
    check_blocks(blocks)


def test_every_section_stays_within_3000_characters_and_no_text_is_lost():
    text = paragraphs(12)
    messages = answer_messages(Answer("v", text, SOURCES), "a1")
    sections = [b for m in messages for b in m if b["type"] == "section"]
    assert len(sections) >= 4
    assert all(len(s["text"]["text"]) <= 3000 for s in sections)
    assert " ".join(blocks_text(sections).split()) == " ".join(text.split())
    # cut between paragraphs: every section starts with an "Alinea"
    assert all(s["text"]["text"].startswith("Alinea") for s in sections)


def test_a_paragraph_without_breaks_is_cut_between_words_and_a_word_soup_hard():
    assert all(len(p) <= 3000 and not p.startswith(" ") for p in split_text("woord " * 2000))
    pieces = split_text("x" * 7000)
    assert [len(p) for p in pieces] == [3000, 3000, 1000]


def test_very_long_answer_continues_in_more_messages_of_at_most_50_blocks():
    text = paragraphs(120, size=2900)  # ~120 sections
    messages = answer_messages(Answer("v", text, SOURCES), "a1", share=True, question="Een vraag?")
    assert len(messages) == 3
    for blocks in messages:
        assert len(blocks) <= 50
        check_blocks(blocks)
    assert messages[0][0]["type"] == "context"  # the question on top
    assert messages[-1][-1]["type"] == "actions"  # the buttons at the very end
    assert ACTION_SHARE in [e["action_id"] for e in messages[-1][-1]["elements"]]
    assert sum(b["type"] == "section" for m in messages for b in m) == 120


def test_many_sources_fit_one_context_block():
    many = [Source(f"Document {i}", f"d{i}.md") for i in range(14)]
    block = sources_block(many)
    assert len(block["elements"]) == 10
    assert block["elements"][-1]["text"] == "en nog 5 andere"


def test_markdown_becomes_mrkdwn_and_slack_markup_is_escaped():
    assert to_mrkdwn("## Kop\n**vet** en __ook__") == "*Kop*\n*vet* en *ook*"
    assert to_mrkdwn("- een\n* twee") == "• een\n• twee"
    assert to_mrkdwn("a < b & c > d <!channel>") == "a &lt; b &amp; c &gt; d &lt;!channel&gt;"
    assert to_mrkdwn("[site](https://x.nl/?a=1&b=2)") == "<https://x.nl/?a=1&b=2|site>"


def test_abstained_answer_without_sources_still_has_buttons():
    messages = answer_messages(Answer("v", "Dat kan ik niet vinden in de documenten.", [], abstained=True), "a1")
    assert [b["type"] for b in messages[0]] == ["section", "actions"]


def test_fallback_text_is_short():
    assert len(fallback_text("x" * 10_000)) == 3000
    assert fallback_text("") == "(geen antwoord)"
