"""Every Slack listener, grouped by kind as Slack's Bolt templates do: events, commands, actions,
shortcuts and views, one listener per module named after what it listens to. Each kind's
`register(app, parts)` adds its listeners in a fixed order (Bolt runs the first listener that
matches), handing each listener module's `register(app, …)` the parts it uses, by name.

Bolt injects its own arguments by name; ours come in through those registers' closures, never
through globals. The parts are built by bot/slack/composition.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt import App

from bot.slack.listeners import actions, commands, events, shortcuts, views

if TYPE_CHECKING:
    from bot.slack.parts import SlackParts


def register(app: App, parts: "SlackParts") -> None:
    events.register(app, parts)
    commands.register(app, parts)
    actions.register(app, parts)
    shortcuts.register(app, parts)
    views.register(app, parts)
