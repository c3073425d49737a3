"""What Vraagbaak keeps about people: whom it told something once, and the pseudonyms that stand in for
their Slack ids."""
