"""A model's own chat template (Jinja, from the GGUF metadata) rendered to the prompt string.

We render the prompt ourselves instead of using llama-cpp-python's chat handlers: its built-in
`mistral-instruct` format silently drops system messages, and a string we control is what lets
llama.cpp reuse the KV cache of the byte-identical instruction prefix.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Any

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

log = logging.getLogger(__name__)

# Used when a GGUF carries no template at all: ChatML, which most small instruct models know.
CHATML_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content']"
    " + '<|im_end|>\\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"
)

_PROBE_SYSTEM = "\u2063SYSTEEM-PROBE\u2063"
_PROBE_USER = "\u2063GEBRUIKER-PROBE\u2063"


class ChatTemplateError(ValueError):
    """The template cannot render these messages (e.g. roles that do not alternate)."""


def _raise_exception(message: str) -> None:
    raise ChatTemplateError(message)


def _tojson(value: Any, ensure_ascii: bool = False, indent: int | None = None,
            separators: Any = None, sort_keys: bool = False) -> str:
    # As transformers' own tojson: keys keep their order, no HTML escaping.
    return json.dumps(value, ensure_ascii=ensure_ascii, indent=indent, separators=separators,
                      sort_keys=sort_keys)


class ChatTemplate:
    """One model's chat template with its special-token texts."""

    def __init__(self, source: str, *, bos_token: str = "", eos_token: str = "") -> None:
        self.source = source
        self.bos_token = bos_token
        self.eos_token = eos_token
        env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True,
                                            extensions=[loopcontrols])
        env.globals["raise_exception"] = _raise_exception
        env.globals["strftime_now"] = lambda fmt: datetime.now().strftime(fmt)
        env.filters["tojson"] = _tojson
        try:
            compiled = env.from_string(self.source)
        except jinja2.TemplateSyntaxError as exc:
            raise ChatTemplateError(f"chat template does not parse: {exc}") from exc
        self._compiled = compiled
        self.supports_system = self._probe_system_role()

    def render_raw(self, messages: list[dict], *, add_generation_prompt: bool = True) -> str:
        """The template's own output for these messages, untouched."""
        try:
            return self._compiled.render(
                messages=messages, add_generation_prompt=add_generation_prompt,
                bos_token=self.bos_token, eos_token=self.eos_token)
        except ChatTemplateError:
            raise
        except jinja2.TemplateError as exc:
            raise ChatTemplateError(str(exc)) from exc

    def render(self, messages: list[dict], *, add_generation_prompt: bool = True) -> str:
        """The prompt text; system messages are folded into the first user turn when needed."""
        if not self.supports_system:
            messages = fold_system_messages(messages)
        return self.render_raw(messages, add_generation_prompt=add_generation_prompt)

    def _probe_system_role(self) -> bool:
        """True when a system message reaches the prompt, before the user's text."""
        probe = [{"role": "system", "content": _PROBE_SYSTEM}, {"role": "user", "content": _PROBE_USER}]
        try:
            text = self.render_raw(probe)
        except ChatTemplateError:
            return False
        where = text.find(_PROBE_SYSTEM)
        return 0 <= where < text.find(_PROBE_USER)


def fold_system_messages(messages: list[dict]) -> list[dict]:
    """System messages become the start of the first user turn (for templates without a system role)."""
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    rest = [dict(m) for m in messages if m["role"] != "system"]
    if not system:
        return rest
    for message in rest:
        if message["role"] == "user":
            message["content"] = f"{system}\n\n{message['content']}"
            return rest
    return [{"role": "user", "content": system}, *rest]


def template_from_metadata(metadata: dict[str, str], *, bos_token: str, eos_token: str) -> ChatTemplate:
    """The GGUF's `tokenizer.chat_template`, or ChatML when the file has none."""
    source = metadata.get("tokenizer.chat_template")
    if not source:
        log.warning("GGUF has no tokenizer.chat_template; falling back to ChatML")
        source = CHATML_TEMPLATE
    return ChatTemplate(source, bos_token=bos_token, eos_token=eos_token)
