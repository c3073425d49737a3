"""Real servers that the tests start themselves, from PyPI packages or a binary built by tools/:
PostgreSQL (postgres.py), an S3-compatible object store (objectstore.py), llama.cpp's own HTTP
server (llama.py). The pytest fixtures that share them are in fixtures.py."""
