"""A local Hugging Face hub (model info, resolve redirects to a CDN and resolve-cache, Range, LFS headers)
for `models pull` tests."""

from tests.fakes.hub.server import FakeHub, HubFile, Request

__all__ = ["FakeHub", "HubFile", "Request"]
