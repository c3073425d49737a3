"""`vraagbaak ask`: a question answered from the documents, streamed while the model writes it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from bot.services import Services
from language.detection import detect_language

if TYPE_CHECKING:
    from bot.answering.types import Preview, Source


def register(sub: argparse._SubParsersAction) -> None:
    ask = sub.add_parser("ask", help="stel een vraag over de documenten; het antwoord verschijnt terwijl het "
                                     "geschreven wordt")
    ask.add_argument("question", help="de vraag, tussen aanhalingstekens")
    ask.add_argument("--json", action="store_true",
                     help="print één JSON-object: answer, sources, abstained, curated, preview, timings")
    ask.add_argument("--collection", action="append", dest="collections", metavar="NAAM",
                     help="zoek alleen in deze collectie (mag vaker)")
    ask.set_defaults(func=run_ask)


def run_ask(args: argparse.Namespace, services: Services) -> int:
    stream = services.engine.ask(args.question, collections=args.collections)
    preview = stream.preview  # known before the model's first token; None for a refusal
    if args.json:
        answer = stream.result()
        print(json.dumps({
            "answer": answer.text,
            "sources": [{"path": s.url or s.path, "title": s.title, "heading": s.heading, "page": s.page,
                         "copies": list(s.copies)} for s in answer.sources],
            "abstained": answer.abstained,
            "curated": {"id": answer.curated.id, "decided_by": answer.curated.decided_by,
                        "decided_at": answer.curated.created_at} if answer.curated else None,
            "preview": None if preview is None else {
                "text": preview.text, "path": preview.source.url or preview.source.path,
                "title": preview.source.title, "heading": preview.source.heading},
            "timings": answer.timings,
        }, ensure_ascii=False, indent=2))
        return 0
    if preview is not None:
        print(preview_line(preview, detect_language(args.question)), end="\n\n", flush=True)
    if stream.position() > 0:
        print(f"(je bent de {stream.position() + 1}e in de rij)", file=sys.stderr)
    for delta in stream:
        print(delta, end="", flush=True)
    answer = stream.result()
    print()
    if answer.curated is not None:
        from bot.curation.wording import curated_note
        print(f"\n({curated_note(answer.curated, answer.language)})")
    if answer.sources and not answer.abstained:
        print("\nBronnen:")
        for number, source in enumerate(answer.sources, 1):
            print(f"  [{number}] {source_line(source, answer.language)}")
    return 0


def source_line(source: Source, language: str = "nl") -> str:
    """`Titel — kop, p. 11, versie 7.0, 1 januari 2025 (pad)`, and the other files that hold it (a few
    named, the rest counted: Source.named_copies)."""
    from bot.answering.types import copies_text

    heading = f" — {source.heading}" if source.heading and source.heading != source.title else ""
    page = "".join(f", {label}" for label in (source.page_label, source.edition(language)) if label)
    named, more = source.named_copies()
    copies = f"; {copies_text(named, more, language)}" if named or more else ""
    return f"{source.title}{heading}{page} ({source.link or source.path}{copies})"


PREVIEW_FROM = {"nl": "Uit", "en": "From"}


def preview_line(preview: "Preview", language: str = "nl") -> str:
    """`Uit <title> — <heading>: “<quote>”`: the document's own words, marked as a quote, shown while
    the model is still reading the passages."""
    source = preview.source
    heading = source.heading.split(" > ")[-1] if source.heading else ""
    where = source.title + (f" — {heading}" if heading and heading != source.title else "")
    return f"{PREVIEW_FROM.get(language, PREVIEW_FROM['nl'])} {where}: “{preview.text}”"
