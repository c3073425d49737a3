"""`vraagbaak` commands for the answers area: `ask`, `models pull`, `models list`."""

from __future__ import annotations

import argparse
import json
import sys

from bot.services import Services


def register(sub: argparse._SubParsersAction) -> None:
    """Adds this area's sub-commands."""
    ask = sub.add_parser("ask", help="stel een vraag over de documenten; het antwoord verschijnt terwijl het "
                                     "geschreven wordt")
    ask.add_argument("question", help="de vraag, tussen aanhalingstekens")
    ask.add_argument("--json", action="store_true",
                     help="print één JSON-object: answer, sources, abstained, timings")
    ask.add_argument("--collection", action="append", dest="collections", metavar="NAAM",
                     help="zoek alleen in deze collectie (mag vaker)")
    ask.set_defaults(func=run_ask)

    models = sub.add_parser("models", help="taalmodel, embeddingmodel en herordeningsmodel: ophalen en tonen")
    actions = models.add_subparsers(dest="models_command", metavar="ACTIE", required=True)
    pull = actions.add_parser("pull", help="haal Mistral-7B-Instruct (GGUF), multilingual-e5-base en de "
                                           "mmarco-cross-encoder op in de modellenmap, gecontroleerd "
                                           "(grootte + sha256) via HF_ENDPOINT")
    pull.add_argument("--quiet", action="store_true", help="geen voortgangsbalken")
    pull.set_defaults(func=run_models_pull)
    listing = actions.add_parser("list", help="welke modellen ingesteld, aanwezig en in gebruik zijn")
    listing.set_defaults(func=run_models_list)


def run_ask(args: argparse.Namespace, services: Services) -> int:
    stream = services.engine.ask(args.question, collections=args.collections)
    if args.json:
        answer = stream.result()
        print(json.dumps({
            "answer": answer.text,
            "sources": [{"path": s.url or s.path, "title": s.title, "heading": s.heading} for s in answer.sources],
            "abstained": answer.abstained,
            "curated": {"id": answer.curated.id, "decided_by": answer.curated.decided_by,
                        "decided_at": answer.curated.created_at} if answer.curated else None,
            "timings": answer.timings,
        }, ensure_ascii=False, indent=2))
        return 0
    if stream.position() > 0:
        print(f"(je bent de {stream.position() + 1}e in de rij)", file=sys.stderr)
    for delta in stream:
        print(delta, end="", flush=True)
    answer = stream.result()
    print()
    if answer.curated is not None:
        from bot.curated import curated_note
        print(f"\n({curated_note(answer.curated, answer.language)})")
    if answer.sources and not answer.abstained:
        print("\nBronnen:")
        for number, source in enumerate(answer.sources, 1):
            heading = f" — {source.heading}" if source.heading and source.heading != source.title else ""
            print(f"  [{number}] {source.title}{heading} ({source.url or source.path})")
    return 0


def run_models_pull(args: argparse.Namespace, services: Services) -> int:
    from bot.hub import HubClient
    from bot.models import pull_models

    settings = services.settings
    print(f"Modellen ophalen van {settings.hf_endpoint} naar {settings.models_dir} …", file=sys.stderr)
    pulled = pull_models(settings.models_dir, HubClient(settings.hf_endpoint), show_progress=not args.quiet)
    for item in pulled:
        print(f"{item.action:>10}  {_size(item.size):>9}  {item.path}")
    return 0


def run_models_list(args: argparse.Namespace, services: Services) -> int:
    from bot.models import list_models

    settings = services.settings
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

