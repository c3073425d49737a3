"""A local Hugging Face hub (tree API, resolve redirects, Range, X-Linked-Etag) for `models pull` tests."""

from tests.fakehub.server import FakeHub, HubFile, Request
