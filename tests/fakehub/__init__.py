"""A local Hugging Face hub (model info, resolve redirects to a CDN and resolve-cache, Range, LFS headers)
for `models pull` tests."""

from tests.fakehub.server import FakeHub, HubFile, Request
