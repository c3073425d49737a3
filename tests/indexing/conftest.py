"""The scheduling tests' two document collections, for the index tests that re-index them."""

from tests.scheduling.conftest import two_collections  # noqa: F401 (a fixture)
