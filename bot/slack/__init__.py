"""Vraagbaak in Slack: the only package that imports slack_bolt / slack_sdk, in layers:
transport/ (the Bolt app, Socket Mode and HTTP serving, arrival order), answer_flow/ (a question to a
streamed answer in Slack), ui/ (Block Kit and safe text), features/ (the colleague features, admin
notices, template jobs) and listeners/ (one module per Slack entry point, grouped by kind), assembled
by composition.py (called from bot/services.py) into the parts of parts.py."""
