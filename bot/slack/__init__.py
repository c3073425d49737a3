"""Vraagbaak in Slack: the only package that imports slack_bolt / slack_sdk (app wiring in app.py,
one listener module per event, the shared answer flow in replying.py, Block Kit in blocks.py)."""
