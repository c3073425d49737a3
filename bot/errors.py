"""The bot's own exception types; their messages are shown to users as they are, so they are Dutch."""

from __future__ import annotations


class VraagbaakError(Exception):
    """An error with a message fit for a user (Dutch, no traceback)."""


class ModelError(VraagbaakError):
    """A model file is missing, corrupt or cannot be loaded."""


class TemplateError(VraagbaakError):
    """A template file is invalid, or a template could not be filled."""


class ReindexBusyError(VraagbaakError):
    """A re-index was asked for while another one runs."""
