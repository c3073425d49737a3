"""How a fake Web API method refuses: `{"ok": false, "error": …}` with Slack's extra fields."""

from __future__ import annotations

from typing import Any


class SlackApiFailure(Exception):
    def __init__(self, error: str, **extra: Any) -> None:
        super().__init__(error)
        self.error = error
        self.extra = extra
