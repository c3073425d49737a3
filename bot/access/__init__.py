"""Who may search what: the collections a conversation may search, decided in one place."""
