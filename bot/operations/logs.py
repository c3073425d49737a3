"""Logging set-up for the CLI and the server: plain text or JSON lines, and no Slack user id in them.

Every line goes through `PseudonymousIds`: a Slack user id (`U0123ABCD`, `W…`) becomes the same keyed
pseudonym the feedback store keeps (bot/people/pseudonyms.py, `p_…`), so an admin can still follow one person's
questions through the log, and match them with an access or erasure request, without the log naming
anyone. With `pseudonymise_users=false` the ids stay as they are, as in the feedback store. Modules
log user ids as they have them; this is the one place that hides them (deploy/PRIVACY.md).
"""

from __future__ import annotations

import json
import logging
import re
import sys
import threading
import time
from typing import Callable

from bot.people.pseudonyms import Pseudonymizer, pseudonymizer_for
from bot.settings import Settings

# Slack user ids: U or W, then upper-case letters and digits, at least one digit (not a shouted word).
USER_ID = re.compile(r"\b[UW](?=[A-Z0-9]*[0-9])[A-Z0-9]{6,}\b")
HIDDEN = "[gebruiker]"  # when no pseudonym can be made (the key cannot be read or created)


class PseudonymousIds(logging.Filter):
    """Rewrites each record's message with Slack user ids replaced by their pseudonyms. The
    pseudonymizer is made at the first id (it may create the key file), not at start-up."""

    def __init__(self, pseudonymizer: Callable[[], Pseudonymizer]) -> None:
        super().__init__()
        self._make = pseudonymizer
        self._pseudonymizer: Pseudonymizer | None = None
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: logging reports it itself
            return True
        if USER_ID.search(message):
            record.msg, record.args = USER_ID.sub(self._replace, message), ()
        return True

    def _replace(self, match: re.Match[str]) -> str:
        with self._lock:
            if self._pseudonymizer is None:
                try:
                    self._pseudonymizer = self._make()
                except Exception:
                    return HIDDEN
        return self._pseudonymizer.stored_id(match.group(0))  # switched off: the id itself


class JsonFormatter(logging.Formatter):
    """One JSON object a line, for log collectors."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)) + "Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


class _CurrentStderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now, not the one at set-up (tests swap and close it)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure_logging(settings: Settings, *, verbose: bool = False,
                      pseudonymizer: Callable[[], Pseudonymizer] | None = None) -> None:
    """Log records to stderr, Slack user ids replaced by the pseudonyms the stores use
    (`pseudonymizer`, Services'; without it, the one the settings' key or key file gives)."""
    handler = _CurrentStderrHandler()
    if settings.operations.log_json:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(PseudonymousIds(pseudonymizer or (lambda: pseudonymizer_for(
        enabled=settings.privacy.pseudonymise_users, key=settings.privacy.pseudonym_key,
        key_path=settings.folders.pseudonym_key_path))))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel("DEBUG" if verbose else settings.operations.log_level)
    # The HTTP clients of the sources log every request at INFO, with its URL: a SharePoint download
    # URL carries its own access token, so they stay at WARNING (also with --verbose).
    for noisy in ("httpx", "httpx2", "httpcore", "httpcore2", "msal", "urllib3", "sentence_transformers", "lance",
                  "lancedb"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
