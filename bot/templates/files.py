"""Reading one template file (TOML) into a Template; every error names the file and the field.

File layout (see the shipped files in bot/templates/shipped/ for complete examples)::

    name = "brainstorm"              # optional; must equal the file name without .toml
    title = "Brainstorm"
    description = "…"

    [[fields]]                       # zero or more form fields, in form order
    name = "aantal"
    label = "Aantal ideeën"
    type = "number"                  # text | textarea | number | choice
    required = true
    default = 5
    min = 1
    max = 10

    [retrieval]                      # optional: ground the prompt on company documents
    query = ["brainstormrichtlijnen {onderwerp}", "kernwaarden"]   # one search, or several
    k = 4

    [prompt]
    system = "…"
    user = "… {onderwerp} … {passages} …"   # {veld}, {passages} (when grounded), {vandaag}

    [output]
    max_tokens = 1200                # optional cap on generated tokens
    [output.schema]                  # a JSON schema; "{aantal}" allowed in minItems/maxItems/…
    type = "object"

    [output.extractive]              # optional: the output must be faithful to one field's text
    source = "tekst"                 # every date, number and name in the output occurs in it; else the
    opening = "samenvatting"         # output is made of its own sentences: a string property for its
    points = "kernpunten"            # outcome, lists for statements, decisions and open questions
    decisions = "besluiten"          # (faithful.py)
    questions = "open_vragen"
"""

from __future__ import annotations

import string
import tomllib
from dataclasses import replace
from pathlib import Path
from typing import Any, Mapping

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from bot.templates.template import (
    FIELD_TYPES,
    Extractive,
    Retrieval,
    Template,
    TemplateField,
    TemplateFileError,
    resolve_schema,
    schema_placeholders,
)

NAME_CHARS = frozenset(string.ascii_lowercase + string.digits + "_-")
FIELD_NAME_CHARS = frozenset(string.ascii_lowercase + string.digits + "_")
BUILTIN_PLACEHOLDERS = ("vandaag",)
MAX_FIELDS = 20

_KNOWN = {
    "": {"name", "title", "description", "fields", "retrieval", "prompt", "output"},
    "fields": {"name", "label", "type", "required", "default", "choices", "min", "max", "decimal",
               "max_length", "placeholder", "hint"},
    "retrieval": {"query", "k", "passage_tokens"},
    "prompt": {"system", "user", "temperature"},
    "output": {"schema", "max_tokens", "extractive"},
    "extractive": {"source", "opening", "points", "decisions", "questions"},
}


class _Table:
    """One TOML table of the file, able to say precisely which key is wrong."""

    def __init__(self, path: Path, data: Mapping[str, Any], where: str, kind: str) -> None:
        self.path, self.data, self.where = path, data, where
        unknown = sorted(set(data) - _KNOWN[kind])
        if unknown:
            raise self.error(unknown[0], "onbekende sleutel; toegestaan: " + ", ".join(sorted(_KNOWN[kind])))

    def error(self, key: str, reason: str) -> TemplateFileError:
        return TemplateFileError(self.path, f"{self.where}.{key}" if self.where else key, reason)

    def text(self, key: str, *, required: bool = True, default: str = "", limit: int | None = None) -> str:
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.error(key, "ontbreekt")
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            raise self.error(key, "moet een niet-lege tekst zijn")
        if limit is not None and len(value) > limit:
            raise self.error(key, f"is te lang ({len(value)} tekens, hoogstens {limit})")
        return value

    def integer(self, key: str, *, low: int, high: int, default: int | None = None) -> int | None:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise self.error(key, f"moet een geheel getal van {low} tot en met {high} zijn")
        return value

    def number(self, key: str) -> float | None:
        value = self.data.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
            raise self.error(key, "moet een getal zijn")
        return value

    def flag(self, key: str) -> bool:
        value = self.data.get(key, False)
        if not isinstance(value, bool):
            raise self.error(key, "moet true of false zijn")
        return value

    def table(self, key: str, kind: str, *, required: bool = True) -> "_Table | None":
        value = self.data.get(key)
        if value is None:
            if required:
                raise self.error(key, f"ontbreekt (een tabel [{key}])")
            return None
        where = f"{self.where}.{key}" if self.where else key
        if not isinstance(value, dict):
            raise self.error(key, f"moet een tabel [{where}] zijn")
        return _Table(self.path, value, where, kind)


def parse_template_file(path: Path, *, shipped: bool = False) -> Template:
    """The Template in ``path``; raises TemplateFileError naming the file and the field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateFileError(path, "bestand", f"kan niet gelezen worden ({exc})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise TemplateFileError(path, "TOML", f"geen geldige TOML: {exc}") from exc
    top = _Table(path, data, "", "")
    name = _template_name(top, path)
    title, description = top.text("title", limit=150), top.text("description", limit=1000)
    fields = _fields(top)
    retrieval = _retrieval(top, fields)
    prompt = top.table("prompt", "prompt")
    system = prompt.text("system", required=False)
    user = prompt.text("user")
    temperature = prompt.number("temperature")
    if temperature is not None and not 0 <= temperature <= 2:
        raise prompt.error("temperature", "moet tussen 0 en 2 liggen")
    allowed = [f.name for f in fields] + list(BUILTIN_PLACEHOLDERS) + (["passages"] if retrieval else [])
    _check_placeholders(prompt, "system", system, allowed)
    _check_placeholders(prompt, "user", user, allowed)
    if retrieval and "{passages}" not in system + user:
        raise prompt.error("user", "gebruik {passages}: dit sjabloon haalt documenten op ([retrieval])")
    output = top.table("output", "output")
    max_tokens = output.integer("max_tokens", low=16, high=32768)
    schema = _schema(output, fields)
    return Template(
        name=name, title=title, description=description,
        fields=fields, system_prompt=system, user_prompt=user, schema=schema, retrieval=retrieval,
        max_tokens=max_tokens, temperature=temperature, extractive=_extractive(output, fields, schema),
        path=path, shipped=shipped)


def _template_name(top: _Table, path: Path) -> str:
    name = top.text("name", required=False, default=path.stem)
    if name != path.stem:
        raise top.error("name", f"'{name}' moet gelijk zijn aan de bestandsnaam '{path.stem}'")
    if not name or not set(name) <= NAME_CHARS or not name[0].isalpha() or len(name) > 40:
        raise top.error("name", f"'{name}': gebruik kleine letters, cijfers, - en _ (hoogstens 40 tekens)")
    return name


def _fields(top: _Table) -> tuple[TemplateField, ...]:
    raw = top.data.get("fields", [])
    if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
        raise top.error("fields", "moet een lijst van [[fields]]-tabellen zijn")
    if len(raw) > MAX_FIELDS:
        raise top.error("fields", f"hoogstens {MAX_FIELDS} velden")
    fields: list[TemplateField] = []
    for i, item in enumerate(raw, start=1):
        label = item.get("name") if isinstance(item.get("name"), str) else f"[{i}]"
        spec = _field(_Table(top.path, item, f"fields.{label}", "fields"))
        if any(f.name == spec.name for f in fields):
            raise TemplateFileError(top.path, f"fields.{spec.name}.name", "komt twee keer voor")
        fields.append(spec)
    return tuple(fields)


def _field(table: _Table) -> TemplateField:
    name = table.text("name")
    if not set(name) <= FIELD_NAME_CHARS or not name[0].isalpha() or name in (*BUILTIN_PLACEHOLDERS, "passages"):
        raise table.error("name", f"'{name}': gebruik kleine letters, cijfers en _ (en niet passages/vandaag)")
    label = table.text("label", limit=2000)
    kind = table.text("type")
    if kind not in FIELD_TYPES:
        raise table.error("type", f"onbekend type '{kind}'; kies uit {', '.join(FIELD_TYPES)}")
    _check_type_specific_keys(table, kind)
    choices = _choices(table, kind)
    low, high = table.number("min"), table.number("max")
    if low is not None and high is not None and low > high:
        raise table.error("min", "is groter dan max")
    spec = TemplateField(
        name=name, label=label, type=kind, required=table.flag("required"),
        choices=choices, min=low, max=high, decimal=table.flag("decimal"),
        max_length=table.integer("max_length", low=1, high=3000),
        placeholder=table.text("placeholder", required=False, limit=150),
        hint=table.text("hint", required=False, limit=2000))
    default = table.data.get("default")
    if default is not None:
        try:
            default = spec.parse(default)
        except ValueError as exc:
            raise table.error("default", f"{default!r} is geen geldige waarde: {exc}") from None
        spec = replace(spec, default=default)
    return spec


def _check_type_specific_keys(table: _Table, kind: str) -> None:
    only = {"choices": ("choice",), "min": ("number",), "max": ("number",), "decimal": ("number",),
            "max_length": ("text", "textarea")}
    for key, kinds in only.items():
        if key in table.data and kind not in kinds:
            raise table.error(key, f"hoort alleen bij type {' of '.join(kinds)}")


def _choices(table: _Table, kind: str) -> tuple[str, ...]:
    raw = table.data.get("choices")
    if kind != "choice":
        return ()
    if not isinstance(raw, list) or not raw or not all(isinstance(c, str) and c.strip() for c in raw):
        raise table.error("choices", "moet een niet-lege lijst van teksten zijn")
    if len(set(raw)) != len(raw) or len(raw) > 100:
        raise table.error("choices", "keuzes moeten uniek zijn (hoogstens 100)")
    too_long = next((c for c in raw if len(c) > 75), None)
    if too_long:
        raise table.error("choices", f"'{too_long[:30]}…' is langer dan 75 tekens")
    return tuple(raw)


def _retrieval(top: _Table, fields: tuple[TemplateField, ...]) -> Retrieval | None:
    table = top.table("retrieval", "retrieval", required=False)
    if table is None:
        return None
    raw = table.data.get("query")
    queries = [raw] if isinstance(raw, str) else raw
    if not isinstance(queries, list) or not 1 <= len(queries) <= 5 or \
            not all(isinstance(q, str) and q.strip() for q in queries):
        raise table.error("query", "moet een zoekvraag zijn, of een lijst van 1 tot 5 zoekvragen")
    for query in queries:
        _check_placeholders(table, "query", query, [f.name for f in fields])
    return Retrieval(queries=tuple(queries), k=table.integer("k", low=1, high=20, default=4),
                     passage_tokens=table.integer("passage_tokens", low=50, high=4000, default=900))


def _check_placeholders(table: _Table, key: str, text: str, allowed: list[str]) -> None:
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(text) if name is not None]
        unknown = [name for name in names if name not in allowed]
        if not unknown:
            text.format(**{name: "x" for name in allowed})
    except (ValueError, IndexError, KeyError, AttributeError) as exc:
        raise table.error(key, f"ongeldige {{…}}-plaatshouder ({exc}); "
                               "schrijf {{ en }} voor een accolade") from None
    if unknown:
        raise table.error(key, f"onbekende plaatshouder {{{unknown[0]}}}; mogelijk: "
                               + ", ".join("{" + n + "}" for n in allowed))


def _schema(output: _Table, fields: tuple[TemplateField, ...]) -> dict[str, Any]:
    schema = output.data.get("schema")
    if not isinstance(schema, dict):
        raise output.error("schema", "ontbreekt (een tabel [output.schema] met een JSON-schema)")
    if schema.get("type") != "object" or not isinstance(schema.get("properties"), dict) or not schema["properties"]:
        raise output.error("schema", 'de uitvoer moet een object zijn: type = "object" met properties')
    trial: dict[str, Any] = {}
    for location, name in schema_placeholders(schema):
        spec = next((f for f in fields if f.name == name), None)
        if spec is None or spec.type != "number" or spec.decimal:
            raise TemplateFileError(output.path, location, f"{{{name}}} moet een veld van type number (geheel) zijn")
        if not spec.required and spec.default is None:
            raise TemplateFileError(output.path, location, f"veld {name} moet verplicht zijn of een default hebben")
        trial[name] = int(spec.max if spec.max is not None else spec.default if spec.default is not None else 1)
    try:
        Draft202012Validator.check_schema(resolve_schema(schema, trial))
    except SchemaError as exc:
        where = ".".join(str(p) for p in exc.path)
        raise TemplateFileError(output.path, "output.schema" + (f".{where}" if where else ""),
                                f"geen geldig JSON-schema: {exc.message}") from None
    return schema


def _extractive(output: _Table, fields: tuple[TemplateField, ...], schema: Mapping[str, Any]) -> Extractive | None:
    table = output.table("extractive", "extractive", required=False)
    if table is None:
        return None
    source = table.text("source")
    if not any(f.name == source and f.type in ("text", "textarea") for f in fields):
        raise table.error("source", f"'{source}' moet een veld van type text of textarea zijn")
    properties = schema["properties"]
    named: dict[str, str | None] = {}
    for key, kind in (("opening", "string"), ("points", "array"), ("decisions", "array"), ("questions", "array")):
        name = table.text(key, required=False) or None
        if name is not None:
            spec = properties.get(name)
            items = spec.get("items", {}) if isinstance(spec, dict) else {}
            if not isinstance(spec, dict) or spec.get("type") != kind or \
                    (kind == "array" and items.get("type") != "string"):
                wanted = "een tekst" if kind == "string" else "een lijst van teksten"
                raise table.error(key, f"'{name}' moet een eigenschap van de uitvoer zijn: {wanted}")
        named[key] = name
    if not any(named.values()):
        raise table.error("opening", "noem minstens één eigenschap (opening, points, decisions, questions)")
    return Extractive(source=source, **named)
