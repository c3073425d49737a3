"""Re-index runs of the configured collections: one at a time, reported, shared by the CLI, Slack and the schedule."""
