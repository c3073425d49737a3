"""Curated answers ("vaste antwoorden"): decided by a person, served without the model when a question matches."""
