"""Where documents live: one module per kind of source, all behind the interface in base.py."""
