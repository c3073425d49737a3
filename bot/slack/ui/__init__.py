"""What Slack shows: Block Kit for answers, the Home tab and the modals, and text made safe to send."""
