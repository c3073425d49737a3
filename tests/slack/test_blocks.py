"""Block Kit for answers within Slack's limits: the answer's Markdown in markdown blocks (12,000
characters a message), sources in a context block, Slack's feedback buttons."""

from __future__ import annotations

import pytest

from bot.answering.types import Answer, Source
from bot.slack.ui.blocks import (ACTION_FEEDBACK, ACTION_SHARE, ANSWER_CHARS_PER_MESSAGE, FEEDBACK_BLOCK_ID,
                              answer_links, answer_messages, blocks_text, fallback_text, footer_blocks,
                              is_answer_message,
                              parse_vote, sources_block, split_text, to_mrkdwn)
from tests.fakes.slack.workspace import SlackApiFailure, check_blocks

SOURCES = [Source("Vakantie en verlof", "hr/vakantie-en-verlof.md", heading="Vakantiedagen", collection="hr"),
           Source("Intranet", "intranet", url="https://intranet.example.nl/verlof?a=1&b=2")]


def paragraphs(count: int, size: int = 900) -> str:
    return "\n\n".join(f"Alinea {i}: " + "woord " * (size // 6) for i in range(count))


def test_short_answer_is_one_message_markdown_sources_and_feedback_buttons():
    messages = answer_messages(Answer("v", "Je hebt **25** dagen [1].", SOURCES), "a1")
    assert len(messages) == 1
    blocks = messages[0]
    assert blocks[0] == {"type": "markdown", "text": "Je hebt **25** dagen [1]."}  # standard Markdown, as written
    context = blocks[1]["elements"]
    assert context[0]["text"].endswith("[1] Vakantie en verlof › Vakantiedagen (`hr/vakantie-en-verlof.md`)")
    assert context[1]["text"] == "[2] <https://intranet.example.nl/verlof?a=1&b=2|Intranet>"
    feedback = blocks[2]
    assert feedback["type"] == "context_actions" and feedback["block_id"] == FEEDBACK_BLOCK_ID
    element = feedback["elements"][0]
    assert element["type"] == "feedback_buttons" and element["action_id"] == ACTION_FEEDBACK
    assert parse_vote(element["positive_button"]["value"]) == ("up", "a1")
    assert parse_vote(element["negative_button"]["value"]) == ("down", "a1")
    assert is_answer_message({"blocks": blocks})
    check_blocks(blocks)


def test_the_markdown_keeps_only_the_links_of_its_sources_and_mentions_nobody():
    sources = [Source("Verlof", "hr/verlof.md", links=("https://intranet.example/verlof",))]
    text = ("Via [het portaal](https://intranet.example/verlof) of [hier](https://evil.example/x) "
            "<!channel> <@U0OTHER> <!subteam^S0HR|@hr> @here ![logo](https://evil.example/p.png)")
    markdown = answer_messages(Answer("v", text, sources), "a1")[0][0]["text"]
    assert "[het portaal](https://intranet.example/verlof)" in markdown
    assert "evil.example" not in markdown and "](" not in markdown.replace("](https://intranet", "")
    for raw in ("<!channel>", "<@U0OTHER>", "<!subteam", "@here"):
        assert raw not in markdown


def test_a_long_answer_is_split_into_messages_of_at_most_12000_markdown_characters_and_no_text_is_lost():
    text = paragraphs(40)  # ~36,000 characters
    messages = answer_messages(Answer("v", text, SOURCES), "a1", share=True, question="Een vraag?")
    assert len(messages) == 4
    for blocks in messages:
        check_blocks(blocks)
        markdown = [b["text"] for b in blocks if b["type"] == "markdown"]
        assert len(markdown) == 1 and len(markdown[0]) <= ANSWER_CHARS_PER_MESSAGE
        assert markdown[0].startswith("Alinea")  # cut between paragraphs
    assert " ".join(blocks_text([b for m in messages for b in m]).split()) == " ".join(text.split())
    assert messages[0][0]["type"] == "context"  # the question on top
    assert [b["type"] for b in messages[-1][-3:]] == ["context", "context_actions", "actions"]
    assert messages[-1][-1]["elements"][0]["action_id"] == ACTION_SHARE


def test_a_paragraph_without_breaks_is_cut_between_words_and_a_word_soup_hard():
    assert all(len(p) <= 3000 and not p.startswith(" ") for p in split_text("woord " * 2000))
    pieces = split_text("x" * 7000)
    assert [len(p) for p in pieces] == [3000, 3000, 1000]


def test_many_sources_fit_one_context_block():
    many = [Source(f"Document {i}", f"d{i}.md") for i in range(14)]
    block = sources_block(many)
    assert len(block["elements"]) == 10
    assert block["elements"][-1]["text"] == "en nog 5 andere"


def test_a_source_names_its_page_links_a_pdf_to_it_and_lists_its_copies():
    sources = [Source("Jaarverslag", "verslag.pdf", page=11, url="https://intranet.example.nl/docs/verslag.pdf"),
               Source("Introductie", "hr/intro.pptx", heading="Lunch", page=3),
               Source("Akte", "lloyds/2021/akte.docx", copies=("lloyds/2025/akte.docx",))]
    texts = [e["text"] for e in sources_block(sources)["elements"]]
    assert texts[0].endswith("[1] <https://intranet.example.nl/docs/verslag.pdf#page=11|Jaarverslag, p. 11>")
    assert texts[1] == "[2] Introductie › Lunch, dia 3 (`hr/intro.pptx`)"
    assert texts[2] == "[3] Akte (`lloyds/2021/akte.docx`) — ook in `lloyds/2025/akte.docx`"
    check_blocks([sources_block(sources)])


def test_the_page_link_is_one_the_answer_may_keep():
    source = Source("Jaarverslag", "verslag.pdf", page=2, url="https://intranet.example.nl/verslag.pdf#page=1")
    assert source.link == "https://intranet.example.nl/verslag.pdf#page=2"
    assert source.link in answer_links([source])
    assert Source("Wiki", "wiki", page=2, url="https://wiki.example.nl/verlof").link == "https://wiki.example.nl/verlof"


def test_markdown_becomes_mrkdwn_and_slack_markup_is_escaped():
    assert to_mrkdwn("## Kop\n**vet** en __ook__") == "*Kop*\n*vet* en *ook*"
    assert to_mrkdwn("- een\n* twee") == "• een\n• twee"
    assert to_mrkdwn("a < b & c > d <!channel>") == "a &lt; b &amp; c &gt; d &lt;!channel&gt;"
    assert to_mrkdwn("[site](https://x.nl/?a=1&b=2)") == "<https://x.nl/?a=1&b=2|site>"


def test_abstained_answer_without_sources_still_has_buttons():
    messages = answer_messages(Answer("v", "Dat kan ik niet vinden in de documenten.", [], abstained=True), "a1")
    assert [b["type"] for b in messages[0]] == ["markdown", "context_actions"]


def test_under_a_streamed_answer_the_links_it_may_keep_are_listed():
    sources = [Source("Verlof", "hr/verlof.md", links=("https://intranet.example/verlof",)),
               Source("Intranet", "intranet", url="https://intranet.example.nl/")]
    answer = Answer("v", "Zie [het portaal](https://intranet.example/verlof) en [weg](https://evil.example) [1][2].",
                    sources)
    context = footer_blocks(answer, "a1", streamed=True)[0]["elements"]
    assert context[-1]["text"] == ":link: *Links:* <https://intranet.example/verlof|het portaal>"
    assert "evil" not in str(context)
    assert len(footer_blocks(answer, "a1")[0]["elements"]) == 2  # not streamed: the text links itself


def test_reading_an_answer_back_from_markdown_sections_or_rich_text():
    rich = {"type": "rich_text", "elements": [{"type": "rich_text_section", "elements": [
        {"type": "text", "text": "Je hebt "}, {"type": "text", "text": "25", "style": {"bold": True}},
        {"type": "text", "text": " dagen."}]}]}
    assert blocks_text([{"type": "markdown", "text": "**25** dagen"}]) == "**25** dagen"
    assert blocks_text([rich]).strip() == "Je hebt 25 dagen."
    assert blocks_text([{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}]) == "x"


@pytest.mark.parametrize("blocks, error", [
    ([{"type": "markdown", "text": "x" * 12001}], "12001"),
    ([{"type": "markdown", "text": "x" * 7000}, {"type": "markdown", "text": "x" * 5001}], "markdown blocks"),
    ([{"type": "context_actions", "elements": [{"type": "button", "action_id": "b",
                                                "text": {"type": "plain_text", "text": "x"}}]}], "feedback_buttons"),
    ([{"type": "context_actions", "elements": [{"type": "feedback_buttons", "action_id": "f",
                                                "positive_button": {"text": {"type": "plain_text", "text": "ja"},
                                                                    "value": "up:1"}}]}], "negative_button"),
    ([{"type": "divider"}] * 51, "50"),
])
def test_the_fake_slack_refuses_what_slack_refuses(blocks, error):
    with pytest.raises(SlackApiFailure) as refused:
        check_blocks(blocks)
    assert refused.value.error == "invalid_blocks" and error in str(refused.value.extra)


def test_fallback_text_is_short():
    assert len(fallback_text("x" * 10_000)) == 3000
    assert fallback_text("") == "(geen antwoord)"
