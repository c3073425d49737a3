"""Reading a model server's streamed answer: server-sent events (`sse_events`), and breaking off a
read that blocks in another thread when the answer is cancelled (`ReadBreaker`).
"""

from __future__ import annotations

import json
import os
import socket
import threading
from typing import Iterator

from bot.answering.generation import GenerationError

BROKEN_OFF = ("De taalmodelserver brak het antwoord af; mogelijk is de vraag met de gevonden tekst te lang "
              "voor het contextvenster van de server.")
UNREADABLE = "De taalmodelserver gaf een onleesbaar antwoord; probeer het later opnieuw."


def sse_events(response) -> Iterator[dict]:
    """JSON payloads of `data:` lines until `[DONE]`; comments and pings are skipped. A stream that
    just stops (llama-cpp-python's server does so when the prompt exceeds its context) is an error."""
    for raw in response:
        line = raw.decode("utf-8").strip()
        if line.startswith("{"):  # a server that ignored stream=true and answered in one piece
            yield _as_stream_event(json_object(line))
            return
        if not line.startswith("data:"):
            continue
        payload = line[5:].strip()
        if payload == "[DONE]":
            return
        if payload:
            event = json_object(payload)
            if "error" in event and not event.get("choices"):
                raise GenerationError(f"De taalmodelserver meldt een fout: {event['error']}")
            yield event
    raise GenerationError(BROKEN_OFF)


def json_object(text: str) -> dict:
    """`text` as a JSON object; GenerationError(UNREADABLE) for JSON of another kind."""
    value = json.loads(text)
    if not isinstance(value, dict):
        raise GenerationError(UNREADABLE)
    return value


def _as_stream_event(reply: dict) -> dict:
    choices = [{"delta": {"content": (c.get("message") or {}).get("content", "")}}
               for c in reply.get("choices") or []]
    return {"choices": choices, "usage": reply.get("usage")}


class ReadBreaker:
    """Breaks off a read of `response` that blocks in another thread, by shutting its connection down
    through a duplicate of the socket's descriptor: the duplicate keeps naming this connection even
    after the reader closed its own, so a late cancel can never hit a reused descriptor."""

    def __init__(self, response) -> None:
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        try:
            duplicate = os.dup(response.fileno())
        except (OSError, ValueError, AttributeError):  # no socket to hold (a closed or unusual response)
            return
        try:
            self._sock = socket.socket(fileno=duplicate)
        except OSError:
            os.close(duplicate)

    def break_off(self) -> None:
        with self._lock:
            if self._sock is not None:
                try:
                    self._sock.shutdown(socket.SHUT_RDWR)
                except OSError:  # already closed by the other side
                    pass

    def close(self) -> None:
        with self._lock:
            if self._sock is not None:
                self._sock.close()
                self._sock = None
