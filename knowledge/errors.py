"""Errors of the knowledge package. Their messages are Dutch: the bot shows them as they are."""

from __future__ import annotations


class KnowledgeError(Exception):
    """Something in the knowledge base went wrong in a way a user can act on."""


class DocumentError(KnowledgeError):
    """A supported file could not be read: corrupt, unreadable or without text."""


class SourceNotFoundError(KnowledgeError):
    """A folder to index does not exist or is not a folder."""


class IndexBusyError(KnowledgeError):
    """Another re-index holds the lock."""


class EmbeddingModelMismatchError(KnowledgeError):
    """The index was built with another embedding model than the one searching it."""


class EmbeddingError(KnowledgeError):
    """The embedding model could not be loaded or failed to embed."""


class IndexDamagedError(KnowledgeError):
    """A file of the index is missing, cut short or unreadable: the table must be rebuilt."""


class DiskFullError(KnowledgeError):
    """A write to the index ran out of disk space; the previous version is still the one read."""


class IndexUnreachableError(KnowledgeError):
    """The object store that holds the index cannot be reached, or refuses the credentials or bucket."""
