"""The LanceDB index: its layout (schema.py), the store that reads, searches and writes it, and its health checks."""
