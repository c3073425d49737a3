"""HTTP for the sources that live on a server: one httpx2 client per source that contacts only the
hosts configured for it, waits out throttling (429/503 with Retry-After) a bounded number of times,
and downloads no more than a file may be.
"""

from __future__ import annotations

import email.utils
import fnmatch
import logging
import ssl
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterable
from urllib.parse import urlsplit

import httpx2

from knowledge.errors import DocumentError
from knowledge.file_limits import FileLimits, check_file_size
from knowledge.sources.base import SourceError

log = logging.getLogger(__name__)

THROTTLED = frozenset({429, 503})


@dataclass(frozen=True)
class RetryPolicy:
    """How long a source waits for a server that throttles or does not answer."""

    attempts: int = 5  # tries per request, the first included
    max_wait_s: float = 120.0  # a Retry-After longer than this is not waited out
    backoff_s: float = 2.0  # the first wait without a Retry-After; doubles each time


def host_key(url: str) -> str:
    """`host:port` of a URL, with the scheme's default port filled in."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{(parts.hostname or '').lower()}:{port}"


def _pattern(host: str) -> str:
    host = host.lower()
    return host if ":" in host else f"{host}:443"


class HttpSession:
    """A connection-pooling client for one source. Every request goes to an allowed host or is
    refused before it leaves; `requests` counts what was sent (retries included)."""

    def __init__(self, *, label: str, allowed_hosts: Iterable[str], auth: httpx2.Auth | None = None,
                 ca_file: str | None = None, timeout_s: float = 30.0, retry: RetryPolicy = RetryPolicy(),
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.label = label  # the source's kind for people: "SharePoint", "Nextcloud", "WebDAV"
        self.allowed = [_pattern(host) for host in allowed_hosts]
        self.retry = retry
        self.sleep = sleep
        self.requests = 0
        verify: ssl.SSLContext | bool = ssl.create_default_context(cafile=ca_file) if ca_file else True
        self.client = httpx2.Client(auth=auth, verify=verify, timeout=timeout_s, follow_redirects=False,
                                    headers={"User-Agent": "Vraagbaak"})

    def allows(self, url: str) -> bool:
        key = host_key(url)
        return any(fnmatch.fnmatchcase(key, pattern) for pattern in self.allowed)

    def request(self, method: str, url: str, **kwargs) -> httpx2.Response:
        """One request, repeated while the server throttles or cannot be reached (within the policy).
        Raises SourceError when it stays so; other HTTP errors are the caller's to judge."""
        if not self.allows(url):
            raise SourceError(f"{self.label}: adres buiten de ingestelde server geweigerd ({host_key(url)}).")
        for attempt in range(1, self.retry.attempts + 1):
            last = attempt == self.retry.attempts
            try:
                self.requests += 1
                response = self.client.request(method, url, **kwargs)
            except httpx2.TransportError as exc:
                if last:
                    raise SourceError(f"{self.label} is niet bereikbaar ({type(exc).__name__}).") from exc
                self.wait_before_retry(None, attempt, type(exc).__name__)
                continue
            if response.status_code not in THROTTLED:
                return response
            if last:
                break
            self.wait_before_retry(response.headers.get("Retry-After"), attempt, str(response.status_code))
        raise SourceError(f"{self.label} beperkt het aantal verzoeken of is tijdelijk niet beschikbaar "
                          f"(HTTP {response.status_code}); de synchronisatie probeert het later opnieuw.")

    def wait_before_retry(self, retry_after: str | None, attempt: int, why: str) -> None:
        """Sleeps as long as the server asked (else a doubling back-off); raises SourceError when
        that is longer than the policy allows."""
        delay = retry_after_s(retry_after)
        if delay is None:
            delay = self.retry.backoff_s * 2 ** (attempt - 1)
        if delay > self.retry.max_wait_s:
            raise SourceError(f"{self.label} vraagt {delay:.0f} s te wachten (grens "
                              f"{self.retry.max_wait_s:.0f} s); de synchronisatie probeert het later opnieuw.")
        log.info("%s: %s, waiting %.1f s before try %d", self.label, why, delay, attempt + 1)
        self.sleep(delay)

    def download(self, url: str, limits: FileLimits, **kwargs) -> bytes:
        """The body of a GET, never more than `limits.max_file_bytes` of it. A 2xx is expected;
        anything else raises DocumentError with the status."""
        if not self.allows(url):
            raise DocumentError(f"de download wijst naar een andere server ({host_key(url)}): niet gevolgd")
        cap = limits.max_file_bytes
        self.requests += 1
        try:
            with self.client.stream("GET", url, **kwargs) as response:
                if not response.is_success:
                    raise DocumentError(f"{self.label} gaf de inhoud niet (HTTP {response.status_code})")
                declared = response.headers.get("Content-Length")
                if declared and declared.isdigit():
                    check_file_size(int(declared), limits)
                data = bytearray()
                for block in response.iter_bytes():
                    data.extend(block)
                    if cap and len(data) > cap:
                        check_file_size(len(data), limits)
        except httpx2.TransportError as exc:
            raise DocumentError(f"de download van {self.label} brak af ({type(exc).__name__})") from exc
        return bytes(data)

    def close(self) -> None:
        self.client.close()


def retry_after_s(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date (then the time until it)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
