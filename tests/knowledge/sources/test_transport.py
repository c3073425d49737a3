"""The HTTP policy every server source shares: only its own hosts, Retry-After in both forms."""

from __future__ import annotations

import email.utils
import time

import pytest

from knowledge.sources.base import SourceError
from knowledge.sources.transport import HttpSession, host_key, retry_after_s


def test_only_the_configured_hosts_are_contacted():
    session = HttpSession(label="SharePoint", allowed_hosts=["graph.microsoft.com", "*.sharepoint.com"])
    assert session.allows("https://graph.microsoft.com/v1.0/drives")
    assert session.allows("https://contoso.sharepoint.com/download?x=1")
    assert not session.allows("http://graph.microsoft.com/v1.0/drives")  # port 80: not configured
    assert not session.allows("https://graph.microsoft.com.evil.example/v1.0")
    assert not session.allows("https://sharepoint.com.evil.example/x")
    with pytest.raises(SourceError, match="buiten de ingestelde server"):
        session.request("GET", "https://evil.example/")
    assert session.requests == 0
    session.close()


def test_retry_after_as_seconds_or_as_an_http_date():
    assert retry_after_s("12") == 12.0
    assert retry_after_s(None) is None and retry_after_s("soon") is None
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= retry_after_s(later) <= 31
    assert retry_after_s(email.utils.formatdate(time.time() - 30, usegmt=True)) == 0.0
    assert host_key("https://Graph.Microsoft.com/v1.0") == "graph.microsoft.com:443"
