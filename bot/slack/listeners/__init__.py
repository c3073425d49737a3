"""Every Slack listener, grouped by kind as Slack's Bolt templates do: events, commands, actions,
shortcuts and views, one listener per module named after what it listens to. Each kind's
`register(app, parts, …)` adds its listeners in a fixed order (Bolt runs the first listener that
matches); `register` here builds what listeners of several kinds share and calls them.

Bolt injects its own arguments by name; ours come in through `parts` (bot.slack.parts.SlackParts)
and the shared parts built below, never through globals.
"""

from __future__ import annotations

from slack_bolt import App

from bot.slack.features.curated_answers import CurationRights
from bot.slack.features.greeting import SUGGESTED_PROMPTS
from bot.slack.listeners import actions, commands, events, shortcuts, views
from bot.slack.parts import SlackParts
from bot.slack.ui.home import HomeTab


def register(app: App, parts: SlackParts) -> None:
    # The Home tab is opened (an event) and has buttons (actions); it remembers which admins opened it,
    # so that the result of any re-index reaches their tab.
    home = HomeTab(status=parts.status, feedback=parts.feedback, access=parts.access, admins=parts.admins,
                   examples=[prompt["message"] for prompt in SUGGESTED_PROMPTS], gaps=parts.gaps,
                   curated=parts.curated)
    parts.reindexer.add_observer(lambda run: home.refresh_admins(app.client))
    # Who may curate: asked by the shortcut, its modal's submission and the buttons of the owner's DM.
    rights = CurationRights(parts.settings.collection_owners,
                            is_admin=lambda user: parts.admins.is_admin(user, app.client),
                            members_of=parts.access.members_of)
    events.register(app, parts, home)
    commands.register(app, parts)
    actions.register(app, parts, home, rights)
    shortcuts.register(app, parts, rights)
    views.register(app, parts, rights)
