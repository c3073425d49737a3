"""Filling a template: check the fields, ground the prompt on company passages where the template
asks for it, generate JSON under the schema's grammar, validate it, and retry once."""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Callable, Mapping, Sequence

from jsonschema import Draft202012Validator

from bot.answering.engine import source_of
from bot.answering.generation import CHAT_OVERHEAD_TOKENS, GenerationRequest, Generator
from bot.answering.types import Source
from bot.answering.prompts import Passage, pack_passages
from bot.errors import TemplateError, VraagbaakError
from bot.templates.faithful import NOTE as EXTRACTIVE_NOTE
from bot.templates.faithful import extractive_output, unfaithful
from bot.templates.template import Template, Value
from knowledge.errors import KnowledgeError
from knowledge.models import Hit

log = logging.getLogger(__name__)

NOT_GIVEN = "(niet opgegeven)"
NO_PASSAGES = "(geen passages gevonden)"
NO_DOCUMENTS = "Er zijn geen passende bedrijfsdocumenten gevonden; dit resultaat steunt niet op eigen documenten."
MIN_OUTPUT_TOKENS = 200  # below this a template's output cannot be expected to fit
CHARS_PER_TOKEN = 1.5  # conservative: Dutch prose averages ~3.5, a small model's digits and junk ~1.8
UNBOUNDED_STRING_CHARS = 400  # budget for a string without maxLength
UNBOUNDED_ARRAY_ITEMS = 10  # budget for an array without maxItems
ATTEMPTS = 2  # the first try and one retry
RETRY_TEMPERATURE_STEP = 0.3

Retrieve = Callable[..., list[Hit]]  # retrieve(query, collections=[...] | None) -> hits


@dataclass(frozen=True)
class TemplateResult:
    """A filled template: its output (valid under the template's schema) and the documents it used."""

    template: Template
    values: dict[str, Value]
    output: dict[str, Any]
    sources: list[Source]
    timings: dict[str, float] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """What `vraagbaak template … --json` prints."""
        return {"template": self.template.name, "output": self.output,
                "sources": [asdict(source) for source in self.sources]}


class TemplateFiller:
    """Fills templates with one generator and, for grounded templates, a retrieval function.

    A template that must be faithful to a field (a summary: `Template.extractive`) gets the text's
    own sentences instead of the model's output when that output says what the text does not, when
    no valid output came, or always with `extractive_only` (a model known not to manage: the tiny
    offline one), which leaves the model out altogether (faithful.py)."""

    def __init__(self, generator: Generator, *, retrieve: Retrieve | None = None, temperature: float = 0.2,
                 top_p: float = 0.9, repeat_penalty: float = 1.1, extractive_only: bool = False) -> None:
        self.generator = generator
        self.retrieve = retrieve
        self.temperature = temperature
        self.top_p = top_p
        self.repeat_penalty = repeat_penalty
        self.extractive_only = extractive_only

    def fill(self, template: Template, values: Mapping[str, Any], *, collections: list[str] | None = None,
             on_queued: Callable[[int], None] | None = None) -> TemplateResult:
        """Raises TemplateInputError for bad field values, TemplateError when no valid output came."""
        started = time.perf_counter()
        checked = template.check_values(values)
        schema = generation_schema(template.output_schema(checked))
        hits, warnings, retrieve_s = self._retrieve(template, checked, collections)
        timings: dict[str, float] = {"retrieve_s": round(retrieve_s, 3)}
        if template.extractive is not None and self.extractive_only:
            return self._extractive(template, checked, warnings, timings, started, "the model is not asked")
        messages, passages, max_tokens, room = self._fit(template, checked, hits, schema)
        try:
            output = self._generate(template, messages, schema, max_tokens, room, timings, on_queued)
        except TemplateError:
            if template.extractive is None:
                raise
            return self._extractive(template, checked, warnings, timings, started, "no valid output")
        if template.extractive is not None and (problems := unfaithful(template, output, checked)):
            return self._extractive(template, checked, warnings, timings, started,
                                    "the model's output says " + ", ".join(sorted(set(problems))))
        timings["total_s"] = round(time.perf_counter() - started, 3)
        log.info("template %s filled in %.1fs (%d attempt(s), %d passages)", template.name,
                 timings["total_s"], timings["attempts"], len(passages))
        return TemplateResult(template, checked, output, sources_of(passages), timings, tuple(warnings))

    def _extractive(self, template: Template, values: dict[str, Value], warnings: list[str],
                    timings: dict[str, float], started: float, why: str) -> TemplateResult:
        """The text's own sentences instead of the model's output (faithful.py); `why` is logged."""
        output = extractive_output(template, values)
        timings.setdefault("attempts", 0)
        timings["total_s"] = round(time.perf_counter() - started, 3)
        log.info("template %s made of the text's own sentences: %s", template.name, why)
        return TemplateResult(template, values, output, [], timings, (*warnings, EXTRACTIVE_NOTE))

    # --- grounding -----------------------------------------------------------------------------
    def _retrieve(self, template: Template, values: Mapping[str, Value],
                  collections: list[str] | None) -> tuple[list[Hit], list[str], float]:
        if template.retrieval is None:
            return [], [], 0.0
        if self.retrieve is None:
            return [], ["Er zijn geen bedrijfsdocumenten gebruikt (zoeken is niet beschikbaar)."], 0.0
        fields = {k: _prompt_text(v, empty="") for k, v in values.items()}
        queries = [" ".join(q.format_map(fields).split()) for q in template.retrieval.queries]
        started = time.perf_counter()
        try:
            found = [self.retrieve(query, collections=collections) for query in queries]
        except (VraagbaakError, KnowledgeError) as exc:
            log.warning("template %s: retrieval failed, generating without passages: %s", template.name, exc)
            return [], [f"Er zijn geen bedrijfsdocumenten gebruikt: {exc}"], time.perf_counter() - started
        hits = interleave(found)
        if not hits:
            return [], [NO_DOCUMENTS], time.perf_counter() - started
        return hits[: template.retrieval.k], [], time.perf_counter() - started

    def _fit(self, template: Template, values: Mapping[str, Value], hits: Sequence[Hit],
             schema: Mapping[str, Any]) -> tuple[list[dict], list[Passage], int, int]:
        """Messages, passages and max_tokens such that prompt and output fit in the model's context;
        passages are dropped from the end (least relevant first) while the output would not fit."""
        wanted = output_token_bound(schema)
        if template.max_tokens is not None:
            wanted = min(wanted, template.max_tokens)
        budget = template.retrieval.passage_tokens if template.retrieval else 0
        passages = pack_passages(hits, self.generator.count_tokens, budget) if hits else []
        while True:
            messages = build_messages(template, values, passages)
            prompt_tokens = sum(self.generator.count_tokens(m["content"]) for m in messages)
            room = self.generator.n_ctx - prompt_tokens - CHAT_OVERHEAD_TOKENS
            if room >= wanted or not passages:
                break
            passages = passages[:-1]
        if room < min(wanted, MIN_OUTPUT_TOKENS):
            raise TemplateError(
                f"De ingevulde tekst is te lang voor het taalmodel (ongeveer {prompt_tokens} tokens; het "
                f"venster is {self.generator.n_ctx} tokens, inclusief de uitvoer). Maak de tekst korter.")
        return messages, passages, min(wanted, room), room

    # --- generation ----------------------------------------------------------------------------
    def _generate(self, template: Template, messages: list[dict], schema: dict[str, Any], max_tokens: int,
                  room: int, timings: dict[str, float], on_queued: Callable[[int], None] | None) -> dict:
        validator = Draft202012Validator(schema)
        base = template.temperature if template.temperature is not None else self.temperature
        problem = ""
        for attempt in range(1, ATTEMPTS + 1):
            request = GenerationRequest(
                messages=messages, max_tokens=max_tokens if attempt == 1 else room,
                temperature=base if attempt == 1 else min(base + RETRY_TEMPERATURE_STEP, 1.0),
                top_p=self.top_p, repeat_penalty=self.repeat_penalty, json_schema=schema)
            generation = self.generator.submit(request)
            if on_queued is not None and attempt == 1:
                on_queued(generation.position())
            text = generation.text()
            _add_stats(timings, generation.stats, attempt)
            output, problem = parse_output(text, validator)
            if output is not None:
                return output
            log.warning("template %s attempt %d gave invalid output: %s", template.name, attempt, problem)
        raise TemplateError(
            f"Het taalmodel gaf geen uitvoer in de vorm van sjabloon '{template.name}' ({problem}), ook niet "
            "bij een tweede poging. Probeer het opnieuw, eventueel met minder of kortere invoer.")


def interleave(results: Sequence[Sequence[Hit]]) -> list[Hit]:
    """The best hit of each search, then the second of each, …; a chunk found twice counts once."""
    hits: list[Hit] = []
    seen: set[str] = set()
    for rank in range(max((len(r) for r in results), default=0)):
        for result in results:
            if rank < len(result) and result[rank].chunk.id not in seen:
                seen.add(result[rank].chunk.id)
                hits.append(result[rank])
    return hits


def build_messages(template: Template, values: Mapping[str, Value], passages: Sequence[Passage]) -> list[dict]:
    """The template's prompt with the field values, today's date and the passages filled in."""
    substitutions = {name: _prompt_text(value) for name, value in values.items()}
    substitutions["vandaag"] = date.today().isoformat()
    substitutions["passages"] = "\n\n".join(p.text for p in passages) if passages else NO_PASSAGES
    messages = []
    if template.system_prompt.strip():
        messages.append({"role": "system", "content": template.system_prompt.format_map(substitutions)})
    messages.append({"role": "user", "content": template.user_prompt.format_map(substitutions)})
    return messages


def parse_output(text: str, validator: Draft202012Validator) -> tuple[dict | None, str]:
    """The output as a dict when it is JSON valid under the schema, else (None, what is wrong)."""
    try:
        data = json.loads(text, strict=False)  # a raw tab or newline inside a string is kept, not refused
    except json.JSONDecodeError as exc:
        return None, f"geen volledige JSON: {exc.msg} op teken {exc.pos} van {len(text)}"
    error = next(iter(sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.path)))), None)
    if error is not None:
        where = "/".join(str(p) for p in error.path) or "het geheel"
        log.debug("schema violation at %s: %s", where, error.message)
        return None, f"{where} voldoet niet aan het schema ({error.validator})"
    return data, ""


def generation_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema without our own "x-…" rendering hints (some backends reject unknown keywords)."""
    if isinstance(schema, list):
        return [generation_schema(item) for item in schema]  # type: ignore[return-value]
    if not isinstance(schema, Mapping):
        return schema  # type: ignore[return-value]
    return {k: generation_schema(v) for k, v in schema.items() if not k.startswith("x-")}


def output_token_bound(schema: Mapping[str, Any]) -> int:
    """Tokens enough for the longest output the schema allows, at CHARS_PER_TOKEN."""
    return int(output_char_bound(schema) / CHARS_PER_TOKEN) + 16


def output_char_bound(schema: Mapping[str, Any]) -> int:
    """Most characters of JSON the schema allows (one space of grammar whitespace per value)."""
    if "const" in schema:
        return len(json.dumps(schema["const"]))
    if "enum" in schema:
        return max(len(json.dumps(v)) for v in schema["enum"])
    kind = schema.get("type")
    if kind == "string":
        return 3 + int(schema.get("maxLength", UNBOUNDED_STRING_CHARS))
    if kind in ("integer", "number"):
        return 20
    if kind in ("boolean", "null"):
        return 6
    if kind == "array":
        items = schema.get("items", {})
        count = int(schema.get("maxItems", UNBOUNDED_ARRAY_ITEMS))
        return 3 + count * (2 + (output_char_bound(items) if isinstance(items, Mapping) else UNBOUNDED_STRING_CHARS))
    if kind == "object":
        props = schema.get("properties", {})
        return 3 + sum(len(json.dumps(key)) + 3 + output_char_bound(sub) for key, sub in props.items())
    return UNBOUNDED_STRING_CHARS


def sources_of(passages: Sequence[Passage]) -> list[Source]:
    """One Source per document the passages came from, in passage order."""
    sources: list[Source] = []
    for passage in passages:
        source = source_of(passage.hit)
        if not any((s.collection, s.path) == (source.collection, source.path) for s in sources):
            sources.append(source)
    return sources


def _prompt_text(value: Value, *, empty: str = NOT_GIVEN) -> str:
    if value is None or value == "":
        return empty
    return str(value)


def _add_stats(timings: dict[str, float], stats: Any, attempt: int) -> None:
    timings["attempts"] = attempt
    timings["queue_s"] = round(timings.get("queue_s", 0.0) + stats.queue_s, 3)
    timings["generate_s"] = round(timings.get("generate_s", 0.0) + stats.total_s - stats.queue_s, 3)
    timings["prompt_tokens"] = stats.prompt_tokens
    timings["completion_tokens"] = timings.get("completion_tokens", 0) + stats.completion_tokens
