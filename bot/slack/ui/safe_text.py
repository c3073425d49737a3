"""What Vraagbaak sends to Slack never broadcasts, never mentions anyone it should not, and never carries
a clickable link that no cited source has: documents and model output are text, not Slack markup.

`neutralise()` is the one function every outgoing path uses (answers, streamed text, ephemeral
replies, template results, modals, error messages), on mrkdwn or on Slack's `markdown_text`:
- `<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>` become plain `@channel` (a zero-width space
  after the @), as do the words `@channel`/`@here`/`@everyone` themselves;
- `<@U…>` and `<#C…>` stay only for the ids in `mentions` (ours: the asker, their channel); others
  become plain `@name` / `#name`;
- a link (`<url|label>`, `[label](url)`, or a bare URL, which Slack would make clickable itself) stays
  only when its URL is in `links` (the cited sources and the links in the cited passages); otherwise
  the label is kept, or the URL shown defanged (`https[:]//host[.]example/…`), which Slack does not link;
- so does a domain written without a scheme, which Slack links as well (`evil.example/login`,
  `www.evil.example`, `login-bank.com`): a host followed by a path, or ending in a common top-level
  domain. It stays only when it is an allowed link without its scheme (the model writing a cited
  source's `intranet.example/verlof`). File names (`handboek.pdf`, `README.md` without a path) and
  e-mail addresses stay as written.
Slack's formatting reference: `&`, `<` and `>` escaped as `&amp;` `&lt;` `&gt;` are shown as text.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

ZWSP = "\u200b"  # shown as nothing; `@\u200bchannel` notifies nobody
_TOKEN = re.compile(r"<([^<>\n]*)>")
_BROADCAST_WORD = re.compile(r"(?<![\w@])@(channel|here|everyone|group)\b", re.IGNORECASE)
_URL = re.compile(r"(?:\b(?:https?|ftp)://|\bwww\.)[^\s<>|\"'`\])]+", re.IGNORECASE)
# Top-level domains Slack links without a scheme that a Dutch company's text is likely to meet; any
# other one is linked when a path follows (`evil.example/login`).
_COMMON_TLDS = ("com|net|org|nl|be|de|eu|fr|uk|io|co|info|biz|app|dev|ai|me|xyz|online|site|shop|"
                "link|click|top|ru|cn|us|ly|gl|gd|to|tk|cc|ws|ms")
_BARE_DOMAIN = re.compile(
    r"(?<![\w@.\-/:])(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    rf"(?:[a-z]{{2,24}}(?=/)[^\s<>|\"'`\])]*|(?:{_COMMON_TLDS})\b(?![.\-@]\w))", re.IGNORECASE)
_LINKISH = re.compile(f"{_URL.pattern}|{_BARE_DOMAIN.pattern}", re.IGNORECASE)
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\(\s*([^)\s]+)\s*\)")
_TRAILING = ".,;:!?*_~"


def neutralise(text: str, *, links: Collection[str] = (), mentions: Collection[str] = (),
               markdown: bool = False) -> str:
    """`text` (Slack mrkdwn, or Markdown for `markdown_text` when `markdown`) made safe to send."""
    allowed = {_bare(u) for u in links}
    kept: list[str] = []
    if markdown:  # Markdown links first: an allowed one is set aside, the others lose their URL
        def markdown_link(match: re.Match[str]) -> str:
            label, url = match.group(1), match.group(2)
            if _bare(url) not in allowed:
                return label if label and label != url else defang(url)
            kept.append(f"[{_plain(label, allowed)}]({url})")
            return f"\x00{len(kept) - 1}\x00"
        text = _MD_LINK.sub(markdown_link, text.replace("\x00", ""))
    pieces, last = [], 0
    for match in _TOKEN.finditer(text):
        pieces.append(_plain(text[last:match.start()], allowed))
        pieces.append(_token(match.group(1), allowed, set(mentions), markdown))
        last = match.end()
    pieces.append(_plain(text[last:], allowed))
    result = "".join(pieces)
    if markdown:
        result = result.replace("](", f"]{ZWSP}(")  # a link the pattern above missed never forms
        result = re.sub("\x00(\\d+)\x00", lambda m: kept[int(m.group(1))], result)
    return result


def neutralise_blocks(blocks: Any, *, links: Collection[str] = (), mentions: Collection[str] = ()) -> Any:
    """Every mrkdwn text in Block Kit blocks (or a view) neutralised; plain_text is shown as typed."""
    if isinstance(blocks, list):
        return [neutralise_blocks(b, links=links, mentions=mentions) for b in blocks]
    if not isinstance(blocks, dict):
        return blocks
    if blocks.get("type") == "mrkdwn" and isinstance(blocks.get("text"), str):
        return {**blocks, "text": neutralise(blocks["text"], links=links, mentions=mentions)}
    return {k: neutralise_blocks(v, links=links, mentions=mentions) for k, v in blocks.items()}


def links_in(text: str) -> list[str]:
    """The URLs written in a text (a passage), as a reader would copy them."""
    return [m.group(0).rstrip(_TRAILING) for m in _URL.finditer(text)]


def defang(url: str) -> str:
    """A URL as text that Slack does not turn into a link."""
    return url.replace("://", "[:]//").replace(".", "[.]")


# --- the parts -----------------------------------------------------------------------------------------

def _bare(url: str) -> str:
    return url.strip().rstrip("/")


def _without_scheme(url: str) -> str:
    return re.sub(r"^[a-z]+://", "", _bare(url), flags=re.IGNORECASE)


def _plain(text: str, allowed: set[str]) -> str:
    text = text.replace("<", "&lt;").replace(">", "&gt;")
    text = _BROADCAST_WORD.sub(lambda m: f"@{ZWSP}{m.group(1)}", text)

    without_scheme = {_without_scheme(a) for a in allowed}  # `ok.example/a` is the cited https://ok.example/a

    def url(match: re.Match[str]) -> str:
        found = match.group(0)
        core = found.rstrip(_TRAILING)
        if _bare(core) in allowed or ("://" not in core and _without_scheme(core) in without_scheme):
            return found
        return defang(core) + found[len(core):]
    return _LINKISH.sub(url, text)


def _token(inner: str, allowed: set[str], mentions: set[str], markdown: bool) -> str:
    target, _, label = inner.partition("|")
    if target.startswith("!date"):
        return _plain(label, allowed)
    if target.startswith("!"):  # <!channel>, <!here>, <!everyone>, <!subteam^S…|@hr>: never sent as such
        return f"@{ZWSP}" + (label or target[1:].split("^")[-1]).lstrip("@")
    if target[:1] in "@#" and target[1:2].isalpha():
        if target[1:] in mentions and not markdown:
            return f"<{inner}>"
        return f"{target[0]}{ZWSP}{label or target[1:]}"
    if _URL.match(target) or target.startswith("mailto:"):
        if _bare(target) in allowed and not markdown:
            return f"<{inner}>"
        return _plain(label, allowed) if label and label != target else defang(target)
    return _plain(f"<{inner}>", allowed)  # not Slack markup: shown as typed
