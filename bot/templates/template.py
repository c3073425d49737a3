"""What a template is: its form fields, its grounding, its prompt and the JSON schema of its output,
with the checks on filled-in values. Reading files into these types is files.py's; finding them in
folders is library.py's.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from bot.errors import TemplateError

FIELD_TYPES = ("text", "textarea", "number", "choice")
# Schema keywords whose value may be "{veld}": the number the user filled in (e.g. exactly `aantal` ideas).
COUNT_KEYWORDS = ("minItems", "maxItems", "minLength", "maxLength", "minimum", "maximum",
                  "minProperties", "maxProperties")
PLACEHOLDER_RE = re.compile(r"^\{([a-z][a-z0-9_]*)\}$")

Value = str | int | float | None


class TemplateFileError(TemplateError):
    """A template file cannot be used; names the file and the field that is wrong."""

    def __init__(self, path: Path, field: str, reason: str) -> None:
        self.path = Path(path)
        self.field = field
        self.reason = reason
        super().__init__(f"{self.path}: {field}: {reason}")


class TemplateNotFoundError(TemplateError):
    """No template with that name."""


class TemplateInputError(TemplateError):
    """Submitted field values are not acceptable; ``errors`` maps field name to a Dutch message."""

    def __init__(self, template: "Template", errors: dict[str, str]) -> None:
        self.template = template
        self.errors = errors
        parts = []
        for name, message in errors.items():
            spec = template.field(name)
            parts.append(f"{name} ({spec.label}): {message}" if spec else f"{name}: {message}")
        listed = "\n".join(f"  - {p}" for p in parts)
        super().__init__(f"Controleer de velden van sjabloon '{template.name}':\n{listed}")


@dataclass(frozen=True)
class TemplateField:
    """One form field: how to ask for it and which values are acceptable."""

    name: str
    label: str
    type: str  # text | textarea | number | choice
    required: bool = False
    default: Value = None
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    decimal: bool = False  # numbers: allow decimals (else whole numbers only)
    max_length: int | None = None  # text and textarea
    placeholder: str = ""
    hint: str = ""

    def parse(self, raw: Any) -> Value:
        """The typed value for a submitted raw value; raises ValueError with a Dutch message."""
        if _is_empty(raw):
            if self.default is not None:
                return self.default
            if self.required:
                raise ValueError("Vul dit veld in.")
            return None
        if self.type == "number":
            return self._parse_number(raw)
        text = str(raw).strip()
        if self.type == "choice" and text not in self.choices:
            raise ValueError("Kies een van: " + ", ".join(self.choices) + ".")
        if self.max_length is not None and len(text) > self.max_length:
            raise ValueError(f"Gebruik hoogstens {self.max_length} tekens (nu {len(text)}).")
        return text

    def _parse_number(self, raw: Any) -> int | float:
        if isinstance(raw, bool):
            raise ValueError("Vul een getal in.")
        if isinstance(raw, (int, float)):
            number = float(raw)
        else:
            try:
                number = float(str(raw).strip().replace(",", "."))
            except ValueError:
                raise ValueError("Vul een getal in." if self.decimal else "Vul een geheel getal in.") from None
        if not math.isfinite(number):
            raise ValueError("Vul een getal in.")
        if not self.decimal and not number.is_integer():
            raise ValueError("Vul een geheel getal in.")
        if (self.min is not None and number < self.min) or (self.max is not None and number > self.max):
            raise ValueError(f"Kies een getal van {self.range_text()}.")
        return number if self.decimal else int(number)

    def range_text(self) -> str:
        """The allowed numbers in words: "1 tot en met 10", "minstens 1", "hoogstens 10"."""
        low, high = _number_text(self.min), _number_text(self.max)
        if self.min is not None and self.max is not None:
            return f"{low} tot en met {high}"
        if self.min is not None:
            return f"minstens {low}"
        return f"hoogstens {high}" if self.max is not None else "elk getal"


@dataclass(frozen=True)
class Retrieval:
    """Grounding: which company passages to put in the prompt."""

    queries: tuple[str, ...]  # searched one by one, results interleaved; may hold {veld} placeholders
    k: int = 4
    passage_tokens: int = 900  # most tokens of passages packed into the prompt


@dataclass(frozen=True)
class Extractive:
    """A summary made of the text's own sentences, for when the model's is not faithful to it
    (faithful.py): which field is summarised, and which output property takes which sentences."""

    source: str  # the field whose text is summarised (a text or textarea field)
    opening: str | None = None  # a string: what the text comes down to (its outcome, else its start)
    points: str | None = None  # a list: its statements
    decisions: str | None = None  # a list: what was decided, as last decided
    questions: str | None = None  # a list: questions nobody took up afterwards


@dataclass(frozen=True)
class Template:
    """A parsed, validated template file."""

    name: str
    title: str
    description: str
    fields: tuple[TemplateField, ...]
    system_prompt: str
    user_prompt: str  # {veld} placeholders, {passages} when grounded, {vandaag}
    schema: Mapping[str, Any]  # may hold "{veld}" in COUNT_KEYWORDS
    retrieval: Retrieval | None = None
    max_tokens: int | None = None  # cap on generated tokens; None: derived from the schema
    temperature: float | None = None
    extractive: Extractive | None = None  # faithful to a field: see Extractive
    path: Path | None = None
    shipped: bool = True

    def field(self, name: str) -> TemplateField | None:
        return next((f for f in self.fields if f.name == name), None)

    def check_values(self, values: Mapping[str, Any]) -> dict[str, Value]:
        """Typed values for every field (defaults filled in); raises TemplateInputError."""
        errors: dict[str, str] = {}
        for name in values:
            if self.field(name) is None:
                known = ", ".join(f.name for f in self.fields)
                errors[name] = f"onbekend veld; dit sjabloon kent: {known}."
        checked: dict[str, Value] = {}
        for spec in self.fields:
            try:
                checked[spec.name] = spec.parse(values.get(spec.name))
            except ValueError as exc:
                errors[spec.name] = str(exc)
        if errors:
            raise TemplateInputError(self, errors)
        return checked

    def output_schema(self, values: Mapping[str, Value]) -> dict[str, Any]:
        """The schema for one request: "{aantal}" becomes the number filled in."""
        return resolve_schema(self.schema, values)


def resolve_schema(schema: Any, values: Mapping[str, Value]) -> Any:
    """A deep copy of ``schema`` with "{veld}" in count keywords replaced by the field's number."""
    if isinstance(schema, list):
        return [resolve_schema(item, values) for item in schema]
    if not isinstance(schema, Mapping):
        return copy.deepcopy(schema)
    resolved: dict[str, Any] = {}
    for key, value in schema.items():
        match = PLACEHOLDER_RE.match(value) if isinstance(value, str) and key in COUNT_KEYWORDS else None
        if match:
            number = values.get(match.group(1))
            if number is None:
                raise TemplateError(f"Het schema gebruikt '{{{match.group(1)}}}', maar dat veld heeft geen waarde.")
            resolved[key] = int(number) if float(number).is_integer() else number
        else:
            resolved[key] = resolve_schema(value, values)
    return resolved


def schema_placeholders(schema: Any, path: str = "output.schema") -> list[tuple[str, str]]:
    """(location, field name) for every "{veld}" placeholder in the schema's count keywords."""
    found: list[tuple[str, str]] = []
    if isinstance(schema, list):
        for i, item in enumerate(schema):
            found.extend(schema_placeholders(item, f"{path}[{i}]"))
    elif isinstance(schema, Mapping):
        for key, value in schema.items():
            if isinstance(value, str) and key in COUNT_KEYWORDS and PLACEHOLDER_RE.match(value):
                found.append((f"{path}.{key}", PLACEHOLDER_RE.match(value).group(1)))
            else:
                found.extend(schema_placeholders(value, f"{path}.{key}"))
    return found


def _is_empty(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and not raw.strip())


def _number_text(number: float | None) -> str:
    if number is None:
        return ""
    return str(int(number)) if float(number).is_integer() else str(number).replace(".", ",")
