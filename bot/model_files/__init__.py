"""The model files: the profiles, fetching them from the hub, and which files are used."""
