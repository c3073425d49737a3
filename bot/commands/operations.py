"""`vraagbaak` commands for the operations area."""

from __future__ import annotations

import argparse


def register(sub: argparse._SubParsersAction) -> None:
    """Adds this area's sub-commands."""
