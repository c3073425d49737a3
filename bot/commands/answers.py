"""`vraagbaak answers add|list|show|remove|reactivate`: the curated answers ("vaste antwoorden"),
answers an admin or a collection's owner decided on, served without the model (bot/curation/)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.answering.types import Source
from bot.curation.types import CuratedAnswer, CuratedError, dutch_date
from bot.services import Services

_SLACK_USER = ("U", "W")


def register(sub: argparse._SubParsersAction) -> None:
    """Adds this area's sub-commands."""
    answers = sub.add_parser("answers",
                             help="vaste antwoorden: door een beheerder vastgesteld, zonder taalmodel gegeven")
    actions = answers.add_subparsers(dest="answers_command", metavar="ACTIE", required=True)

    add = actions.add_parser("add",
                             help="leg een vast antwoord vast (of neem een gegeven antwoord over met --from-answer)")
    add.add_argument("--question", help="de vraag zoals een collega hem stelt")
    add.add_argument("--answer", help="het antwoord, zoals het gegeven moet worden")
    add.add_argument("--source", action="append", default=[], metavar="PAD",
                     help="brondocument: collectie:pad, een pad zoals in de index, of het bestand zelf (herhaalbaar)")
    add.add_argument("--collection", help="alleen geven waar deze collectie doorzocht mag worden")
    add.add_argument("--owner", required=True, metavar="SLACK_ID",
                     help="Slack-gebruikers-ID (U…) van wie het antwoord bewaakt; krijgt een DM als een bron wijzigt")
    add.add_argument("--decided-by", metavar="NAAM",
                     help="hoe wie het vaststelde genoemd wordt (standaard: de eigenaar)")
    add.add_argument("--from-answer", metavar="ID",
                     help="neem vraag, antwoord en bronnen over van een gegeven antwoord "
                          "(id uit `vraagbaak feedback export`); --question/--answer passen ze aan")
    add.add_argument("--json", action="store_true", help="als JSON")
    add.set_defaults(func=run_add)

    listing = actions.add_parser("list", help="alle vaste antwoorden, ook de opgeschorte")
    listing.add_argument("--json", action="store_true", help="als JSON")
    listing.set_defaults(func=run_list)

    for name, help_text, func in (("show", "één vast antwoord, volledig", run_show),
                                  ("remove", "verwijder een vast antwoord", run_remove),
                                  ("reactivate", "zet een opgeschort vast antwoord weer aan (na controle)",
                                   run_reactivate)):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("id", metavar="ID")
        if name == "show":
            action.add_argument("--json", action="store_true", help="als JSON")
        action.set_defaults(func=func)


def run_add(args: argparse.Namespace, services: Services) -> int:
    owner = args.owner.strip()
    if not owner.startswith(_SLACK_USER):
        return _fail(f"'{owner}' is geen Slack-gebruikers-ID (U… of W…).")
    settings = services.settings
    if args.collection and args.collection not in settings.documents.sources:
        known = ", ".join(sorted(settings.documents.sources)) or "geen"
        return _fail(f"Onbekende collectie '{args.collection}'. Ingesteld: {known}.")
    question, answer, sources = args.question, args.answer, []
    if args.from_answer:
        stored = services.feedback.answer(args.from_answer)
        if stored is None:
            return _fail(f"Er is geen gegeven antwoord met id '{args.from_answer}' (misschien al verlopen "
                         f"na de bewaartermijn van {settings.privacy.retention_days} dagen).")
        if stored.abstained and not args.answer:
            return _fail("Dat antwoord was 'niet gevonden'; geef met --answer het antwoord dat het moet worden.")
        question, answer, sources = question or stored.question, answer or stored.answer, list(stored.sources)
    if not question or not answer:
        return _fail("Geef --question en --answer (of --from-answer ID).")
    try:
        sources += [_source(services, given) for given in args.source]
        curated = services.curated.add(question=question, answer=answer, sources=sources, owner=owner,
                                       collection=args.collection, decided_by=args.decided_by or "")
    except CuratedError as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps(curated.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(f"Vast antwoord {curated.id} vastgelegd: \"{curated.question}\" ({len(curated.sources)} bron(nen)).")
        if not curated.source_fingerprints:
            print("Let op: zonder bron in de index merkt Vraagbaak niet wanneer dit antwoord verouderd raakt.",
                  file=sys.stderr)
    return 0


def run_list(args: argparse.Namespace, services: Services) -> int:
    answers = services.curated.list()
    if args.json:
        print(json.dumps([a.to_dict() for a in answers], ensure_ascii=False, indent=2))
        return 0
    if not answers:
        print("Er zijn nog geen vaste antwoorden (`vraagbaak answers add`).")
        return 0
    for a in answers:
        state = "actief" if a.active else "OPGESCHORT"
        print(f"{a.id}  {state:10}  {a.question}  — {a.decided_by or 'een beheerder'}, {a.decided_on()}"
              + (f"  [{a.collection}]" if a.collection else ""))
    suspended = sum(1 for a in answers if not a.active)
    print(f"\n{len(answers)} vast(e) antwoord(en), waarvan {suspended} opgeschort.")
    return 0


def run_show(args: argparse.Namespace, services: Services) -> int:
    curated = services.curated.get(args.id)
    if curated is None:
        return _fail(f"Er is geen vast antwoord met id '{args.id}'.")
    if args.json:
        print(json.dumps(curated.to_dict(), ensure_ascii=False, indent=2))
        return 0
    print(render(curated))
    return 0


def run_remove(args: argparse.Namespace, services: Services) -> int:
    if not services.curated.remove(args.id):
        return _fail(f"Er is geen vast antwoord met id '{args.id}'.")
    print(f"Vast antwoord {args.id} verwijderd; die vraag krijgt weer een antwoord van het taalmodel.")
    return 0


def run_reactivate(args: argparse.Namespace, services: Services) -> int:
    try:
        curated = services.curated.reactivate(args.id)
    except CuratedError as exc:
        return _fail(str(exc))
    print(f"Vast antwoord {curated.id} staat weer aan, met de bronnen zoals ze nu in de index staan.")
    return 0


def render(curated: CuratedAnswer) -> str:
    lines = [f"Vast antwoord {curated.id} ({'actief' if curated.active else 'opgeschort'})",
             f"Vraag: {curated.question}", "", curated.answer, "",
             f"Vastgesteld door {curated.decided_by or 'een beheerder'} op {curated.decided_on()} "
             f"(eigenaar {curated.owner or 'geen: gewist op verzoek van die persoon'})"]
    if curated.collection:
        lines.append(f"Collectie: {curated.collection}")
    if not curated.active:
        lines.append(f"Opgeschort op {dutch_date(curated.suspended_at)}: {curated.suspended_reason}")
    if curated.sources:
        lines.append("Bronnen:")
        lines += [f"  [{n}] {s.title} ({s.collection}:{s.path})" if s.collection else f"  [{n}] {s.title} ({s.path})"
                  for n, s in enumerate(curated.sources, 1)]
    return "\n".join(lines)


def _source(services: Services, given: str) -> Source:
    """A --source value as a document of a collection: "collectie:pad", a path as in the index, or a
    file in one of the configured source folders."""
    settings = services.settings
    collection, sep, doc_id = given.partition(":")
    if sep and collection in settings.documents.sources:
        return _indexed(services, collection, doc_id)
    path = Path(given).expanduser()
    if path.is_file():
        for name, folder in settings.documents.sources.items():
            try:
                return _indexed(services, name, path.resolve().relative_to(folder.expanduser().resolve()).as_posix())
            except ValueError:
                continue
    found = [name for name in settings.documents.sources if given in _documents(services, name)]
    if len(found) == 1:
        return _indexed(services, found[0], given)
    if found:
        raise CuratedError(f"'{given}' staat in meer collecties ({', '.join(found)}); schrijf collectie:{given}.")
    raise CuratedError(f"Bron '{given}' niet gevonden in de index "
                       f"(collecties: {', '.join(settings.documents.sources)}). "
                       "Geef collectie:pad zoals `vraagbaak search` het toont, of het bestand in een bronmap.")


def _documents(services: Services, collection: str) -> dict[str, str]:
    try:
        return services.store.documents(collection)
    except Exception as exc:
        raise CuratedError(f"De index kan niet worden gelezen ({exc}); indexeer eerst (`vraagbaak index`).") from exc


def _indexed(services: Services, collection: str, doc_id: str) -> Source:
    if doc_id not in _documents(services, collection):
        raise CuratedError(f"'{doc_id}' staat niet in de index van collectie '{collection}'.")
    return Source(title=_title(services, collection, doc_id), path=doc_id, collection=collection)


def _title(services: Services, collection: str, doc_id: str) -> str:
    """The document's title as the index has it (read from the file, as the indexer does)."""
    from knowledge.errors import KnowledgeError
    from knowledge.loaders import load_document

    root = services.settings.documents.sources[collection].expanduser()
    try:
        return load_document(root / doc_id, root, collection=collection).title or doc_id
    except (KnowledgeError, OSError):
        return doc_id


def _fail(message: str) -> int:
    print(f"Fout: {message}", file=sys.stderr)
    return 1
