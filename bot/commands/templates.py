"""`vraagbaak` commands for the templates area: `templates` (list) and `template NAAM` (fill one)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.errors import TemplateError
from bot.services import Services
from bot.templates.template import TemplateField


def register(sub: argparse._SubParsersAction) -> None:
    """Adds this area's sub-commands."""
    listing = sub.add_parser("templates", help="toon de sjablonen (en fouten in sjabloonbestanden)")
    listing.set_defaults(func=run_templates)

    fill = sub.add_parser(
        "template", help="vul een sjabloon in, bijv. een brainstorm: vraagbaak template brainstorm "
                         "--field onderwerp='minder papier' --field doel='duurzamer werken'")
    fill.add_argument("name", metavar="NAAM", help="het sjabloon (zie `vraagbaak templates`)")
    fill.add_argument("--field", "-f", action="append", default=[], metavar="VELD=WAARDE",
                      help="een veld invullen (mag vaker); WAARDE @bestand leest een bestand, @- de invoer")
    fill.add_argument("--json", action="store_true",
                      help='print één JSON-object: {"template": …, "output": {…}, "sources": […]}')
    fill.add_argument("--collection", action="append", dest="collections", metavar="NAAM",
                      help="zoek alleen in deze collectie (mag vaker)")
    fill.set_defaults(func=run_template)


def run_templates(args: argparse.Namespace, services: Services) -> int:
    library = services.templates
    for template in library:
        origin = "" if template.shipped else f"  [{template.path}]"
        print(f"{template.name:<14} {template.title} — {template.description}{origin}")
        for spec in template.fields:
            print(f"{'':<14}   --field {spec.name}=…  {spec.label} ({_field_help(spec)})")
    if library.errors:
        print("\nSjabloonbestanden met fouten (niet geladen):")
        for error in library.errors:
            print(f"  {error}")
    return 1 if library.errors else 0


def run_template(args: argparse.Namespace, services: Services) -> int:
    template = services.templates.get(args.name)
    values = parse_field_args(args.field)
    template.check_values(values)  # field errors before the model is loaded
    result = services.template_filler.fill(template, values, collections=args.collections)
    if args.json:
        print(json.dumps(result.to_json(), ensure_ascii=False, indent=2))
    else:
        from bot.templates.markdown import to_markdown

        print(to_markdown(result), end="")
    return 0


def parse_field_args(pairs: list[str]) -> dict[str, str]:
    """`veld=waarde` pairs as a dict; `@pad` reads a file, `@-` standard input."""
    values: dict[str, str] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise TemplateError(f"--field '{pair}' heeft niet de vorm veld=waarde.")
        values[name.strip()] = _read_value(value)
    return values


def _read_value(value: str) -> str:
    if not value.startswith("@") or len(value) == 1:
        return value
    if value == "@-":
        return sys.stdin.read()
    try:
        return Path(value[1:]).expanduser().read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"Kan {value[1:]} niet lezen: {exc}") from exc


def _field_help(spec: TemplateField) -> str:
    parts = [{"text": "tekst", "textarea": "lange tekst", "number": "getal", "choice": "keuze"}[spec.type]]
    parts.append("verplicht" if spec.required and spec.default is None else "optioneel")
    if spec.choices:
        parts.append("uit: " + ", ".join(spec.choices))
    if spec.min is not None or spec.max is not None:
        parts.append(spec.range_text())
    if spec.default is not None:
        parts.append(f"standaard {spec.default}")
    return ", ".join(parts)
