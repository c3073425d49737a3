"""Templates: fixed-shape outputs (brainstorm, samenvatting, …) described by TOML files.

template.py says what a template is, files.py reads one file, library.py finds them in the shipped
folder (shipped/) and the admin's folder, filling.py fills one with the language model, layout.py
and markdown.py render the result (its Block Kit form is bot/slack/ui/template_blocks.py).
"""
