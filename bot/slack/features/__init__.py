"""The features built on the answer flow: colleague features, curated answers and gaps in Slack, admin
notices, template jobs."""
