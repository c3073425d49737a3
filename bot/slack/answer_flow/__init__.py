"""A question from Slack to a streamed answer in Slack: the conversation, the reply and its delivery."""
