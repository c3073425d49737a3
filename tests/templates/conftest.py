"""The fake Slack fixture of the Slack tests, reused for the templates' modals."""

from tests.slack.conftest import slack  # noqa: F401  (a fixture)
