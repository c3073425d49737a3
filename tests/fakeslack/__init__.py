"""A local Slack for tests: Web API + Socket Mode server (`FakeSlack`), payload builders, HTTP signing."""

from tests.fakeslack import payloads
from tests.fakeslack.server import Ack, ApiCall, FakeSlack, ResponseUrlPost
from tests.fakeslack.signing import HttpReply, SignedSender

__all__ = ["Ack", "ApiCall", "FakeSlack", "HttpReply", "ResponseUrlPost", "SignedSender", "payloads"]
