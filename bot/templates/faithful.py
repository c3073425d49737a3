"""Summaries that say only what the text says.

A model's output is checked against the text it summarises (`unfaithful`): every number, month,
weekday and name (a capitalised word inside a sentence) it writes must occur in the text; every
item must share a word with the text rather than only with our prompt ("tekst", "geef een zin");
and what it gives as the outcome or as a decision must not be a value the text itself replaced
later ("vrijdag 13 juni" when the thread settled on donderdag 12 juni).

When the output fails, or the model is known not to manage it (the tiny offline model), the summary
is made of the text's own sentences instead (`extractive_output`), each with who wrote it, grouped
under the template's headings: the outcome (the last decision that stands, else the opening), the
statements, the decisions as they were last taken, and the questions nobody took up afterwards.
Nothing in it is the model's.

The text is read as the thread shortcut writes it: one message a line, "Name: text". A decision is
a sentence that says one was taken ("laten we", "afgesproken", "let's", …); a later decision with a
date or number replaces an earlier sentence with a different one of the same kind when they share a
subject word or the later one says it changes something ("verplaatst", "toch", "instead", …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from bot.errors import TemplateError
from bot.templates.template import Template, Value
from language.sentences import split_sentences
from language.tokens import LETTER_WORD, letter_words
from language.words import FILLER_WORDS, FUNCTION_WORDS, MONTHS, WEEKDAYS

_DECISION = re.compile(
    r"\b(besloten|besluit|afgesproken|afspraak|spreken af|laten we|we doen|doen we|dan doen|we gaan|gaan we|"
    r"wordt het|het wordt|dan wordt|definitief|akkoord|vastgesteld|verplaatst|verschoven|verzet|gaat door|"
    r"we kiezen|gekozen|decided|agreed|let's|let us|we'll|we will|final|confirmed|moved to|going with)\b")
_CHANGE = re.compile(r"\b(verplaatst|verschoven|verzet|toch|in plaats van|niet meer|kan ik niet|gaat niet|"
                     r"gewijzigd|veranderd|instead|moved|rather|changed|can't make)\b")
_AUTHOR_LINE = re.compile(r"^([^:\n\[]{1,60}?):\s+(\S.*)$")
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_STOP = FILLER_WORDS | FUNCTION_WORDS
_OPENS_SENTENCE = re.compile(r"(^|[.!?:;•*\-–—\"'(\[\n])\s*$")
MIN_CONTENT_LETTERS = 4
NOTE = ("Het taalmodel kon deze tekst niet betrouwbaar samenvatten; dit zijn de eigen zinnen uit de "
        "tekst, per onderdeel gegroepeerd.")


@dataclass(frozen=True)
class Sentence:
    """One sentence of the text, with what the checks compare."""

    index: int
    author: str
    text: str
    words: frozenset[str]  # content words, lower case
    values: frozenset[str]  # numbers (separators as "."), months and weekdays
    question: bool
    decision: bool

    @property
    def dated(self) -> bool:
        return bool(self.values & (MONTHS | WEEKDAYS))

    def quoted(self) -> str:
        return f"{self.author}: {self.text}" if self.author else self.text


def sentences_of(text: str) -> list[Sentence]:
    """The text's sentences in order, each with its author when its line names one."""
    found: list[Sentence] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("[…"):  # the thread shortcut's "messages left out" marker
            continue
        match = _AUTHOR_LINE.match(line)
        author, body = (match.group(1).strip(), match.group(2)) if match and len(match.group(1).split()) <= 3 \
            else ("", line)
        for part in split_sentences(body):
            lower = part.lower()
            question = part.rstrip().endswith("?")
            found.append(Sentence(len(found), author, part, content_words(part), values_of(part), question,
                                  not question and bool(_DECISION.search(lower))))
    return found


def content_words(text: str) -> frozenset[str]:
    words = (w.lower() for w in letter_words(text))
    return frozenset(w for w in words if len(w) >= MIN_CONTENT_LETTERS and w not in _STOP
                     and w not in MONTHS and w not in WEEKDAYS)


def values_of(text: str) -> frozenset[str]:
    numbers = {re.sub(r"[,:]", ".", n) for n in _NUMBER.findall(text)}
    words = {w.lower() for w in letter_words(text)}
    return frozenset(numbers | (words & (MONTHS | WEEKDAYS)))


def names_in(text: str) -> set[str]:
    """Capitalised words inside a sentence (a sentence's first word may be capitalised anyway)."""
    return {m.group().lower() for m in LETTER_WORD.finditer(text)
            if m.group()[0].isupper() and len(m.group()) > 1 and not _OPENS_SENTENCE.search(text[:m.start()])}


# --- what the text settled on ------------------------------------------------------------------

def replaced(sentences: list[Sentence]) -> set[int]:
    """Indexes of sentences whose date or number a later decision replaced."""
    gone: set[int] = set()
    for later in sentences:
        if not later.decision or not later.values:
            continue
        for earlier in sentences[:later.index]:
            same_kind = earlier.values and earlier.dated == later.dated and earlier.values - later.values
            related = earlier.words & later.words or _CHANGE.search(later.text.lower())
            if same_kind and related:
                gone.add(earlier.index)
    return gone


def open_questions(sentences: list[Sentence]) -> list[Sentence]:
    """Questions no later sentence by someone else takes up (shares a word or value with)."""
    return [q for q in sentences if q.question and not any(
        s.index > q.index and (s.author != q.author or not q.author) and (s.words & q.words or s.values & q.values)
        for s in sentences)]


# --- checking a model's output -------------------------------------------------------------------

def unfaithful(template: Template, output: Mapping[str, Any], values: Mapping[str, Value]) -> list[str]:
    """What in the output the text does not say (kinds only, for the log: no text); [] when faithful."""
    spec = template.extractive
    assert spec is not None
    source = str(values.get(spec.source) or "")
    sentences = sentences_of(source)
    known_words = {w.lower() for w in letter_words(source)}
    known_values = values_of(source)
    gone = replaced(sentences)
    stale = set().union(*(s.values for s in sentences if s.index in gone)) - \
        set().union(*(s.values for s in sentences if s.decision and s.index not in gone))
    labels = _labels(template)
    outcome = {spec.opening, spec.decisions} - {None}
    problems: list[str] = []
    for name, item in _strings(output):
        lower = item.strip(" .:-•").lower()
        if lower in labels:
            problems.append("a heading or field name as content")
        elif (words := content_words(item)) and not words & known_words:
            problems.append("no word of the text")
        if values_of(item) - known_values:
            problems.append("a number, month or weekday not in the text")
        if names_in(item) - known_words:
            problems.append("a name not in the text")
        if name in outcome and values_of(item) & stale:
            problems.append("a replaced date or number as the outcome")
    return problems


def _strings(output: Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    for name, value in output.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str):
                yield name, item


def _labels(template: Template) -> set[str]:
    """Words of our own that are no content: field names and labels, output property names and titles."""
    labels = {f.name for f in template.fields} | {f.label.lower() for f in template.fields}
    for name, spec in template.schema.get("properties", {}).items():
        labels |= {name.lower(), name.replace("_", " ").lower(), str(spec.get("title", "")).lower()}
    return labels - {""}


# --- the text's own sentences ------------------------------------------------------------------

def extractive_output(template: Template, values: Mapping[str, Value]) -> dict[str, Any]:
    """The output made of the text's own sentences, valid under the template's schema."""
    spec = template.extractive
    assert spec is not None
    schema = template.output_schema(values)
    properties = schema["properties"]
    sentences = sentences_of(str(values.get(spec.source) or ""))
    if not sentences:
        raise TemplateError("Er staat geen tekst in om samen te vatten.")
    gone = replaced(sentences)
    decisions = [s for s in sentences if s.decision and s.index not in gone]
    opening = decisions[-1] if decisions else next((s for s in sentences if not s.question), sentences[0])
    statements = [s for s in sentences if not (s.question or s.decision or s.index in gone or s is opening)
                  and (s.words or s.values)]
    chosen = {spec.opening: [opening], spec.decisions: decisions, spec.questions: open_questions(sentences),
              spec.points: _most_telling(statements, int(properties.get(spec.points, {}).get("maxItems", 6)))}
    output: dict[str, Any] = {}
    for name in properties:
        if name in chosen:
            output[name] = _shaped(chosen[name], properties[name], fallback=[opening, *decisions])
        elif name in schema.get("required", []):
            raise TemplateError(f"Sjabloon '{template.name}' kan '{name}' niet uit de tekst zelf vullen.")
    return output


def _most_telling(statements: list[Sentence], limit: int) -> list[Sentence]:
    """The statements with the most words and values, at most `limit`, in the text's order."""
    best = sorted(statements, key=lambda s: (-(len(s.words) + 2 * len(s.values)), s.index))[:limit]
    return sorted(best, key=lambda s: s.index)


def _shaped(chosen: list[Sentence], schema: Mapping[str, Any], *, fallback: list[Sentence]) -> Any:
    """`chosen` as the property's schema wants it: a string, or a list within its item limits (the
    latest kept when there are too many; `fallback` sentences added when there are too few)."""
    if schema.get("type") == "string":
        return _cut(chosen[0].quoted(), int(schema.get("maxLength", 400)))
    items = list(chosen)
    at_least, at_most = int(schema.get("minItems", 0)), int(schema.get("maxItems", len(items) or 1))
    for extra in fallback:
        if len(items) >= at_least:
            break
        if extra not in items:
            items.append(extra)
    limit = int(schema.get("items", {}).get("maxLength", 400))
    return [_cut(s.quoted(), limit) for s in items[-at_most:]] if at_most else []


def _cut(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"
