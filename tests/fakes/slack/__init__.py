"""A local Slack for tests: Web API + Socket Mode server (`FakeSlack`), payload builders, HTTP signing."""

from tests.fakes.slack import payloads
from tests.fakes.slack.server import Ack, ApiCall, FakeSlack, ResponseUrlPost
from tests.fakes.slack.signing import HttpReply, SignedSender

__all__ = ["Ack", "ApiCall", "FakeSlack", "HttpReply", "ResponseUrlPost", "SignedSender", "payloads"]
