"""The Bolt app and how Slack reaches it: Socket Mode or HTTP, arrival order, the Web API client."""
