"""`vraagbaak` commands for the answers area: `ask`, `models pull`, `models list`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING

from bot.answering.language import detect_language
from bot.services import Services

if TYPE_CHECKING:
    from bot.answering.engine import Preview


def register(sub: argparse._SubParsersAction) -> None:
    """Adds this area's sub-commands."""
    ask = sub.add_parser("ask", help="stel een vraag over de documenten; het antwoord verschijnt terwijl het "
                                     "geschreven wordt")
    ask.add_argument("question", help="de vraag, tussen aanhalingstekens")
    ask.add_argument("--json", action="store_true",
                     help="print één JSON-object: answer, sources, abstained, curated, preview, timings")
    ask.add_argument("--collection", action="append", dest="collections", metavar="NAAM",
                     help="zoek alleen in deze collectie (mag vaker)")
    ask.set_defaults(func=run_ask)

    models = sub.add_parser("models", help="taalmodel, embeddingmodel en herordeningsmodel: ophalen en tonen")
    actions = models.add_subparsers(dest="models_command", metavar="ACTIE", required=True)
    pull = actions.add_parser("pull", help="haal het taalmodel van een profiel (GGUF), multilingual-e5-base en "
                                           "de mmarco-cross-encoder op in de modellenmap, gecontroleerd "
                                           "(grootte + sha256) via HF_ENDPOINT")
    pull.add_argument("--profile", metavar="PROFIEL",
                      help="standaard, klein, gpu of mistral7b (zie `vraagbaak models list`); zonder deze "
                           "optie het profiel uit VRAAGBAAK_LLM_PROFILE")
    pull.add_argument("--quiet", action="store_true", help="geen voortgangsbalken")
    pull.set_defaults(func=run_models_pull)
    listing = actions.add_parser("list", help="de profielen, en welke modellen ingesteld, aanwezig en in gebruik zijn")
    listing.set_defaults(func=run_models_list)


def run_ask(args: argparse.Namespace, services: Services) -> int:
    stream = services.engine.ask(args.question, collections=args.collections)
    preview = stream.preview  # known before the model's first token; None for a refusal
    if args.json:
        answer = stream.result()
        print(json.dumps({
            "answer": answer.text,
            "sources": [{"path": s.url or s.path, "title": s.title, "heading": s.heading} for s in answer.sources],
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
        from bot.curation.answers import curated_note
        print(f"\n({curated_note(answer.curated, answer.language)})")
    if answer.sources and not answer.abstained:
        print("\nBronnen:")
        for number, source in enumerate(answer.sources, 1):
            heading = f" — {source.heading}" if source.heading and source.heading != source.title else ""
            print(f"  [{number}] {source.title}{heading} ({source.url or source.path})")
    return 0


PREVIEW_FROM = {"nl": "Uit", "en": "From"}


def preview_line(preview: "Preview", language: str = "nl") -> str:
    """`Uit <title> — <heading>: “<quote>”`: the document's own words, marked as a quote, shown while
    the model is still reading the passages."""
    source = preview.source
    heading = source.heading.split(" > ")[-1] if source.heading else ""
    where = source.title + (f" — {heading}" if heading and heading != source.title else "")
    return f"{PREVIEW_FROM.get(language, PREVIEW_FROM['nl'])} {where}: “{preview.text}”"


def run_models_pull(args: argparse.Namespace, services: Services) -> int:
    from bot.model_files.hub import HubClient
    from bot.model_files.profiles import profile_named, pull_models

    settings = services.settings
    profile = profile_named(args.profile or settings.llm_profile)
    print(f"Profiel {profile.name}: {profile.title} ({profile.size_bytes / 1e9:.1f} GB) en de zoekmodellen ophalen "
          f"van {settings.hf_endpoint} naar {settings.models_dir} …", file=sys.stderr)
    pulled = pull_models(settings.models_dir, HubClient(settings.hf_endpoint), profile=profile,
                         show_progress=not args.quiet)
    for item in pulled:
        print(f"{item.action:>10}  {_size(item.size):>9}  {item.path}")
    if profile.name != settings.llm_profile:
        print(f"Het profiel in gebruik is {settings.llm_profile}. Zet VRAAGBAAK_LLM_PROFILE={profile.name} om "
              f"{profile.title} te gebruiken.", file=sys.stderr)
    return 0


def run_models_list(args: argparse.Namespace, services: Services) -> int:
    from bot.model_files.profiles import DEFAULT_PROFILE, list_models, list_profiles

    settings = services.settings
    print(f"Profielen (VRAAGBAAK_LLM_PROFILE={settings.llm_profile}; `vraagbaak models pull --profile NAAM`):")
    for row in list_profiles(settings):
        p = row.profile
        marks = [m for m, on in (("ingesteld", row.chosen), ("in gebruik", row.active),
                                 ("standaard", p.name == DEFAULT_PROFILE)) if on]
        state = "aanwezig" if row.present else "niet opgehaald"
        languages = ", ".join(p.languages[:8]) + (" …" if len(p.languages) > 8 else "") or "niet vermeld"
        print(f"  {'*' if row.chosen else ' '} {p.name:<10} {p.title}, {p.size_bytes / 1e9:.1f} GB  [{state}]"
              + (f"  ← {', '.join(marks)}" if marks else ""))
        print(f"    {'':<10} {p.parameters} parameters, {p.licence}, GGUF van {p.publisher}; talen: {languages}; "
              f"herordening: {'ja' if p.reranker else 'nee'}; voor {p.for_whom}")
    print()
    print(f"Modellenmap: {settings.models_dir}    taalmodel-instelling: {settings.llm_model} "
          f"({settings.llm_backend})    embedding-instelling: {settings.embedding_model}")
    for entry in list_models(settings):
        state = "aanwezig" if entry.present else "ontbreekt"
        active = "  ← in gebruik" if entry.active else ""
        size = _size(entry.size) if entry.present else "-"
        print(f"{entry.kind:<10} {state:<10} {size:>9}  {entry.name}  [{entry.path}]{active}")
    if settings.llm_backend == "openai":
        print(f"taalmodel via server: {settings.llm_server_url} ({settings.llm_server_model or 'standaard'})")
    return 0


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"

