"""HTML -> Markdown-style text: the visible text of a page, through BeautifulSoup; h1..h6 become
`#` headings, list items `- `, table rows `a | b`."""

from __future__ import annotations

import re

_DROPPED_TAGS = ("script", "style", "nav", "footer", "noscript", "template", "svg", "iframe", "aside",
                 "form", "button")
_BLOCK_TAGS = ("p", "div", "section", "article", "main", "header", "aside", "blockquote", "pre",
               "table", "ul", "ol", "dl", "dt", "dd", "figure", "figcaption", "address")


def html_to_markdown(html: str) -> str:
    """Visible text of a page; h1..h6 become headings, list items `- `, table rows `a | b`."""
    from bs4 import BeautifulSoup, NavigableString

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(_DROPPED_TAGS):
        tag.decompose()
    for tag in soup.find_all("header"):  # the site's banner, not an article's own header
        if tag.find_parent(["main", "article", "section"]) is None:
            tag.decompose()
    root = soup.body or soup
    for node in root.find_all(string=True):
        if node.find_parent("pre") is None and isinstance(node, NavigableString):
            node.replace_with(re.sub(r"\s+", " ", str(node)))
    for level in range(1, 7):
        for tag in root.find_all(f"h{level}"):
            tag.insert(0, "\n\n" + "#" * level + " ")
            tag.append("\n\n")
    for tag in root.find_all("li"):
        tag.insert(0, "\n- ")
        tag.append("\n")
    for row in root.find_all("tr"):
        cells = row.find_all(["td", "th"], recursive=False)
        for cell in cells[:-1]:
            cell.append(" | ")
        row.insert(0, "\n")
        row.append("\n")
    for tag in root.find_all("br"):
        tag.replace_with("\n")
    for tag in root.find_all(_BLOCK_TAGS):
        tag.insert(0, "\n\n")
        tag.append("\n\n")
    text = root.get_text()
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.split("\n")]
    if not any(line.startswith("#") for line in lines) and soup.title and soup.title.string:
        lines.insert(0, f"# {soup.title.string.strip()}")
    return "\n".join(lines)
