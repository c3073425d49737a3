"""`vraagbaak models pull|list`: the model files of a profile fetched from the hub, and which are present and in use."""

from __future__ import annotations

import argparse
import sys

from bot.services import Services


def register(sub: argparse._SubParsersAction) -> None:
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


def run_models_pull(args: argparse.Namespace, services: Services) -> int:
    from bot.model_files.hub import HubClient
    from bot.model_files.profiles import profile_named
    from bot.model_files.pulling import pull_models

    settings = services.settings
    profile = profile_named(args.profile or settings.llm.profile)
    print(f"Profiel {profile.name}: {profile.title} ({profile.size_bytes / 1e9:.1f} GB) en de zoekmodellen ophalen "
          f"van {settings.folders.hf_endpoint} naar {settings.folders.models_dir} …", file=sys.stderr)
    pulled = pull_models(settings.folders.models_dir, HubClient(settings.folders.hf_endpoint), profile=profile,
                         show_progress=not args.quiet)
    for item in pulled:
        print(f"{item.action:>10}  {_size(item.size):>9}  {item.path}")
    if profile.name != settings.llm.profile:
        print(f"Het profiel in gebruik is {settings.llm.profile}. Zet VRAAGBAAK_LLM_PROFILE={profile.name} om "
              f"{profile.title} te gebruiken.", file=sys.stderr)
    return 0


def run_models_list(args: argparse.Namespace, services: Services) -> int:
    from bot.model_files.listing import list_models, list_profiles
    from bot.model_files.profiles import DEFAULT_PROFILE

    settings = services.settings
    print(f"Profielen (VRAAGBAAK_LLM_PROFILE={settings.llm.profile}; `vraagbaak models pull --profile NAAM`):")
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
    print(f"Modellenmap: {settings.folders.models_dir}    taalmodel-instelling: {settings.llm.model} "
          f"({settings.llm.backend})    embedding-instelling: {settings.retrieval.embedding_model}")
    for entry in list_models(settings):
        state = "aanwezig" if entry.present else "ontbreekt"
        active = "  ← in gebruik" if entry.active else ""
        size = _size(entry.size) if entry.present else "-"
        print(f"{entry.kind:<10} {state:<10} {size:>9}  {entry.name}  [{entry.path}]{active}")
    if settings.llm.backend == "openai":
        print(f"taalmodel via server: {settings.llm.server_url} ({settings.llm.server_model or 'standaard'})")
    return 0


def _size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"

