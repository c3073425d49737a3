"""Slack's side of HTTP mode: requests signed with the signing secret, as Slack sends them.

Signature: `v0=` + HMAC-SHA256(secret, f"v0:{timestamp}:{body}"), in X-Slack-Signature, with the
timestamp in X-Slack-Request-Timestamp. `bad_signature` and `age_s` make the forgeries tests need.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HttpReply:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def signature(secret: str, timestamp: str, body: bytes) -> str:
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SignedSender:
    """Posts Events API bodies, slash commands and interactive payloads to an app's HTTP endpoint."""

    def __init__(self, url: str, signing_secret: str) -> None:
        self.url = url
        self.signing_secret = signing_secret

    def post(self, body: bytes, content_type: str, *, bad_signature: bool = False, age_s: float = 0,
             retry_num: int | None = None, timeout: float = 10.0) -> HttpReply:
        timestamp = str(int(time.time() - age_s))
        secret = self.signing_secret + ("-wrong" if bad_signature else "")
        headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
                   "X-Slack-Signature": signature(secret, timestamp, body)}
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = "http_timeout"
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return HttpReply(response.status, response.read().decode())
        except urllib.error.HTTPError as exc:
            return HttpReply(exc.code, exc.read().decode())

    def post_event(self, body: dict[str, Any], **kwargs: Any) -> HttpReply:
        return self.post(json.dumps(body).encode(), "application/json", **kwargs)

    def post_form(self, fields: dict[str, str], **kwargs: Any) -> HttpReply:
        return self.post(urllib.parse.urlencode(fields).encode(), "application/x-www-form-urlencoded", **kwargs)
