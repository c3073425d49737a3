"""Markdown and MDX -> the plain Markdown the chunker reads: front matter, JSX and MDX syntax removed.

Documentation sites (Docusaurus and the like) write their pages in MDX, and Docusaurus reads its
``.md`` files as MDX too, so both go through the same cleaning: ``import``/``export`` blocks dropped,
JSX components and HTML tags stripped while the text between them stays, the readable attributes of a
component (``label``, ``title``, ``heading``, ``description``) kept as text, ``{/* … */}`` and
``<!-- … -->`` comments dropped, admonitions (``:::tip Titel`` … ``:::``) reduced to their title and
text. Fenced code and inline code stay exactly as written. Lower-case tags that are not HTML
(``<leeg>``, ``<type>``) are placeholders in prose, not markup, and stay too.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Iterator

import yaml

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?:(.*?)\n)?---[ \t]*(?:\n|\Z)", re.DOTALL)
_TITLE_KEYS = ("title", "titel")  # Dutch sites write `titel:`
_FRONT_MATTER_TITLE = re.compile(rf"^(?:{'|'.join(_TITLE_KEYS)}):[ \t]*(.+?)[ \t]*$", re.MULTILINE | re.IGNORECASE)
# `date: 2024-05-01` (Jekyll, Hugo), also quoted or with a time after it; `lastmod:` is Hugo's last change.
_FRONT_MATTER_DATE = re.compile(r"^(?:lastmod|last_update|updated|date|datum):[ \t]*[\"']?(\d{4}-\d{2}-\d{2})",
                                re.MULTILINE | re.IGNORECASE)

_FENCE_OPEN = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")
_LEVEL_ONE = re.compile(r"^ {0,3}#[ \t]+\S")
_INDENTED_HEADING = re.compile(r"^ {1,3}(#{1,6}[ \t])")

_INLINE_CODE = re.compile(r"(?<!`)(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.DOTALL)
_COMMENTS = re.compile(r"\{/\*.*?\*/\}|<!--.*?-->", re.DOTALL)
_ADMONITION = re.compile(r"^[ \t]*:{3,}[ \t]*(?:[A-Za-z][\w-]*)?[ \t]*(?:\[(.*)\]|(.*?))[ \t]*$",
                         re.MULTILINE)
_HEADING_ID = re.compile(r"^(#{1,6}[ \t].*?)[ \t]+\{#[\w-]+\}[ \t]*$", re.MULTILINE)

_BRACES = r"\{(?:[^{}]|\{(?:[^{}]|\{[^{}]*\})*\})*\}"  # a JSX expression, up to three levels deep
_ATTR_VALUE = rf"""(?:"[^"]*"|'[^']*'|{_BRACES}|[^\s"'=<>`{{}}]+)"""
_ATTRIBUTE = rf"(?:\s+[A-Za-z_:@][\w:.@-]*(?:\s*=\s*{_ATTR_VALUE})?|\s*{_BRACES})"
# An opening tag right after a letter is prose (`List<String>`); a closing tag may follow a word.
_TAG = re.compile(rf"(?:(?<![\w`])<|<(/))([A-Za-z][\w.:-]*)((?:{_ATTRIBUTE})*)\s*(/?)>|<>|</>")
_TEXT_ATTRIBUTES = ("title", "heading", "label", "description", "caption", "alt")  # name first
_TEXT_ATTRIBUTE = re.compile(rf"""\b({'|'.join(_TEXT_ATTRIBUTES)})\s*=\s*(?:"([^"]*)"|'([^']*)')""")

# HTML elements that show up in Markdown; any other lower-case <word> is left as written.
_HTML_TAGS = frozenset("""a abbr address article aside audio b bdi bdo blockquote br caption center
cite code col colgroup dd del details dfn div dl dt em figcaption figure font footer h1 h2 h3 h4 h5
h6 header hr i iframe img ins kbd li main mark nav ol p picture pre q s samp section small source
span strong sub summary sup table tbody td tfoot th thead time tr track u ul var video wbr""".split())
_HEADING_TAG = re.compile(r"h([1-6])")


def markdown_to_markdown(source: str) -> str:
    """Markdown or MDX as the chunker should see it; a front-matter `title:` becomes the `#` title
    when the page has no `#` heading of its own. A page whose front matter is all it says (a CMS's
    event or form page: title, date, place, description) is read from its front matter's values."""
    source = source.replace("\r\n", "\n").replace("\r", "\n")
    title, body = split_front_matter(source)
    body = strip_mdx(body)
    if not _prose(body):
        body = "\n\n".join(part for part in (body.strip(), front_matter_text(source)) if part)
    if title and not has_level_one_heading(body):
        body = f"# {title}\n\n{body}"
    return body


def _prose(body: str) -> bool:
    """Whether the body says anything besides headings."""
    return any(line.strip() and not line.lstrip().startswith("#") for line in body.splitlines())


_IMAGE_PATH = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|avif|ico)$", re.IGNORECASE)


def front_matter_text(source: str) -> str:
    """The readable values of a front matter, a line `key: value` each (a list's items as `- …`):
    words, dates and document names; not the title (it is the heading), a single word (`layout:
    post`, `color: yellow`), a number, a switch or an image path, which are a site's settings."""
    match = _FRONT_MATTER.match(source)
    if match is None or not match.group(1):
        return ""
    try:
        fields = yaml.load(match.group(1), Loader=_PlainYaml)
    except (yaml.YAMLError, ValueError, RecursionError):  # ValueError: an impossible date ("2024-02-30")
        return ""
    if not isinstance(fields, dict):
        return ""
    lines = []
    for key, value in fields.items():
        if str(key).lower() in _TITLE_KEYS:
            continue
        if isinstance(value, list):
            items = [text for item in value if (text := _readable_item(item))]
            if items:
                lines.append(f"{key}:")
                lines.extend(f"- {item}" for item in items)
        elif (text := _readable(value)) is not None:
            lines.append(f"{key}: {text}")
    return "\n".join(lines)


class _PlainYaml(yaml.SafeLoader):
    """YAML without aliases: `*a` repeated would write one value out thousands of times (a small page
    that fills the indexer's memory); a front matter that uses them is not read."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "aliases are not read", self.peek_event().start_mark)
        return super().compose_node(parent, index)


def _readable(value: object) -> str | None:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if not isinstance(value, str):
        return None  # numbers, switches, nested maps: settings
    text = " ".join(value.split())
    if len(text.split()) < 2 or _IMAGE_PATH.search(text):
        return None
    return text


def _readable_item(item: object) -> str | None:
    """A list item: a readable value, or a map's values together when one of them is readable."""
    if isinstance(item, dict):
        values = [" ".join(str(v).split()) for v in item.values()
                  if isinstance(v, (str, int, float, date)) and not isinstance(v, bool)]
        if any(_readable(v) for v in item.values()):
            return " — ".join(v for v in values if v and not _IMAGE_PATH.search(v))
        return None
    return _readable(item)


def split_front_matter(source: str) -> tuple[str | None, str]:
    """(the front matter's title, the text after the front matter)."""
    match = _FRONT_MATTER.match(source)
    if match is None:
        return None, source
    title_match = _FRONT_MATTER_TITLE.search(match.group(1) or "")
    title = _unquote(title_match.group(1)) if title_match else None
    return title or None, source[match.end():]


def front_matter_date(source: str) -> date | None:
    """The day a front matter's `lastmod:` (else `date:`) gives; None without one, or an impossible one."""
    match = _FRONT_MATTER.match(source.replace("\r\n", "\n"))
    found = {m.group(0).split(":", 1)[0].strip().lower(): m.group(1)
             for m in _FRONT_MATTER_DATE.finditer(match.group(1) or "")} if match else {}
    for key in ("lastmod", "last_update", "updated", "date", "datum"):
        if key in found:
            try:
                return date.fromisoformat(found[key])
            except ValueError:
                return None
    return None


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value.strip()


def has_level_one_heading(text: str) -> bool:
    """True when a `# ` heading stands outside fenced code."""
    return any(not is_code and any(_LEVEL_ONE.match(line) for line in block.splitlines())
               for is_code, block in split_code(text))


def split_code(text: str) -> Iterator[tuple[bool, str]]:
    """(is fenced code, text) blocks in order. A backtick line whose info string holds a backtick
    (```` ```npm i``` ````) is inline code, not a fence; an ``mdx-code-block`` fence holds MDX."""
    lines = text.splitlines(keepends=True)
    prose: list[str] = []
    i = 0
    while i < len(lines):
        opener = _FENCE_OPEN.match(lines[i].rstrip("\n"))
        if opener is None or (opener.group(1)[0] == "`" and "`" in opener.group(2)):
            prose.append(lines[i])
            i += 1
            continue
        end = _fence_end(lines, i, opener.group(1))
        if opener.group(2).strip() == "mdx-code-block":  # Docusaurus: MDX written inside a fence
            prose.extend(lines[i + 1:end])
        else:
            if prose:
                yield False, "".join(prose)
                prose = []
            yield True, "".join(lines[i:end + 1])
        i = end + 1
    if prose:
        yield False, "".join(prose)


def _fence_end(lines: list[str], start: int, fence: str) -> int:
    """The index of the line closing the fence opened at `start`; an unclosed fence runs to the end."""
    closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
    return next((j for j in range(start + 1, len(lines)) if closing.match(lines[j].rstrip("\n"))),
                len(lines))


def strip_mdx(text: str) -> str:
    """The text without MDX/JSX syntax; fenced code untouched."""
    return "".join(block if is_code else _clean_prose(block) for is_code, block in split_code(text))


def _clean_prose(text: str) -> str:
    spans: list[str] = []

    def keep_code(match: re.Match) -> str:
        spans.append(_inline_code(match.group(1), match.group(2)))
        return f"\x00{len(spans) - 1}\x00"

    text = _INLINE_CODE.sub(keep_code, text)
    text = _COMMENTS.sub("", text)
    text = _drop_esm(text)
    text = _ADMONITION.sub(lambda m: (m.group(1) or m.group(2) or "").strip(), text)
    text = _TAG.sub(lambda m: _EDITED + _replace_tag(m) + _EDITED, text)
    text = _HEADING_ID.sub(r"\1", text)
    text = "".join(_dedent_edited(part) for part in re.split(r"(\n[ \t]*\n)", text))
    lines = [_INDENTED_HEADING.sub(r"\1", line) if line.strip() else "" for line in text.split("\n")]
    text = "\n".join(lines)
    return re.sub("\x00(\\d+)\x00", lambda m: spans[int(m.group(1))], text)


_EDITED = "\x01"  # marks where a tag was taken out


def _dedent_edited(paragraph: str) -> str:
    """A paragraph that lost tags also loses the indentation it had inside them: MDX knows no
    indented code, and four leading spaces would read as code to Markdown tools."""
    if _EDITED not in paragraph:
        return paragraph
    return "\n".join(line.lstrip() for line in paragraph.replace(_EDITED, "").split("\n"))


def _inline_code(ticks: str, code: str) -> str:
    """Inline code as written, except that ```` ```x``` ```` becomes `` `x` ``: a line that starts
    with three backticks reads as a code fence to anything that scans line by line."""
    if len(ticks) >= 3 and "`" not in code:
        return f"`{code.strip()}`"
    return f"{ticks}{code}{ticks}"


_ESM_START = re.compile(r"^(?:import|export)\s")
_ESM = re.compile(r"""^(?:import\s+(?:["']|[\w*{][^\n]*?(?:\n[^\n]*?)*?\bfrom\s*["'])"""
                  r"""|export\s+(?:default|const|let|var|function|async|class|\{|\*))""")


def _drop_esm(text: str) -> str:
    """Drops paragraphs that are ES module statements (MDX's import/export blocks)."""
    paragraphs = re.split(r"(\n[ \t]*\n)", text)
    return "".join("" if _is_esm(p.lstrip("\n")) else p for p in paragraphs)


def _is_esm(paragraph: str) -> bool:
    return bool(_ESM_START.match(paragraph) and _ESM.match(paragraph))


def _replace_tag(match: re.Match) -> str:
    if match.group(2) is None:  # a fragment, <> or </>
        return ""
    closing, name, attributes = match.group(1), match.group(2), match.group(3)
    if name[0].isupper() or "." in name:  # a JSX component: its readable attributes stay
        if closing:
            return ""
        found = sorted(_TEXT_ATTRIBUTE.finditer(_top_level(attributes)),
                       key=lambda m: _TEXT_ATTRIBUTES.index(m.group(1)))
        texts = [t for m in found if (t := _attribute_value(m).strip())]
        return f"\n\n{' — '.join(texts)}\n\n" if texts else ""
    lower = name.lower()
    if lower not in _HTML_TAGS:
        return match.group(0)
    heading = _HEADING_TAG.fullmatch(lower)
    if heading:
        return "\n\n" if closing else "\n\n" + "#" * int(heading.group(1)) + " "
    if lower in {"br", "td", "th"}:
        return " "
    if lower == "li" and not closing:
        return "\n- "
    if lower == "img":
        return next((_attribute_value(m) for m in _TEXT_ATTRIBUTE.finditer(attributes)
                     if m.group(1) == "alt"), "")
    return ""


def _attribute_value(match: re.Match) -> str:
    """The quoted value of a `_TEXT_ATTRIBUTE` match, in double or single quotes; `alt=""` is ""."""
    return match.group(2) if match.group(2) is not None else match.group(3)


def _top_level(attributes: str) -> str:
    """The attributes without their {…} expressions, whose strings are code, not text."""
    return re.sub(_BRACES, "", attributes)
