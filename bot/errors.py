"""The bot's own exception types; their messages are shown to users as they are, so they are Dutch."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from knowledge.errors import EmbeddingModelMismatchError, IndexBusyError, IndexDamagedError, KnowledgeError


class VraagbaakError(Exception):
    """An error with a message fit for a user (Dutch, no traceback)."""


class ModelError(VraagbaakError):
    """A model file is missing, corrupt or cannot be loaded."""


class TemplateError(VraagbaakError):
    """A template file is invalid, or a template could not be filled."""


class ReindexBusyError(VraagbaakError):
    """A re-index was asked for while another one runs."""


class IndexUnusableError(VraagbaakError):
    """The index cannot be searched (a file is damaged, or another embedding model built it) until
    `vraagbaak index --full` rebuilds it."""


@contextmanager
def knowledge_errors() -> Iterator[None]:
    """The knowledge package's errors (Dutch already) as the bot's own, so that every front end
    (the CLI, Slack's Replier) shows their message instead of a traceback or a generic sorry.
    Also a decorator: `@knowledge_errors()`."""
    try:
        yield
    except IndexBusyError as exc:
        raise ReindexBusyError(str(exc)) from exc
    except (IndexDamagedError, EmbeddingModelMismatchError) as exc:
        raise IndexUnusableError(str(exc)) from exc
    except KnowledgeError as exc:
        raise VraagbaakError(str(exc)) from exc
