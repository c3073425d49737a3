"""Every setting read in our code names a real area and a real setting of it (`settings.retrieval.top_k`):
a flat reader left from before the areas (`settings.top_k`), or one merged in from an older branch, fails
here instead of at run time on the one code path that reads it."""

from __future__ import annotations

import ast
import pkgutil
from dataclasses import fields
from pathlib import Path

import bot.settings
from bot.settings import AREAS, Settings

REPO = Path(__file__).resolve().parents[2]
# Calls that return a Settings, so that `load_settings(...).retrieval.top_k` is checked too.
BUILDERS = {"load_settings", "make_settings", "with_overrides"}
SETTINGS_PUBLIC = {name for name in dir(Settings) if not name.startswith("_")} | set(AREAS)
SUBMODULES = {info.name for info in pkgutil.iter_modules(bot.settings.__path__)}
# A plain dict that happens to be called `settings` (a Slack manifest's), and a module's own attributes.
NOT_SETTINGS = set(dir(dict))


def _area_names(area: str) -> set[str]:
    cls = AREAS[area]
    return {f.name for f in fields(cls)} | {name for name in dir(cls) if not name.startswith("_")}


def _owner(node: ast.expr) -> str | None:
    """The dotted name of an expression that holds a Settings, or None when it does not look like one."""
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name if name in BUILDERS else None
    if isinstance(node, ast.Name):
        return node.id if node.id.endswith(("settings", "Settings")) else None
    if isinstance(node, ast.Attribute) and node.attr.endswith(("settings", "Settings")):
        inner = node.value
        return f"{inner.id}.{node.attr}" if isinstance(inner, ast.Name) else node.attr
    return None


def wrong_reads(source: str) -> list[str]:
    """`line: expression` for every read on a Settings that names no area, or no setting of its area."""
    tree = ast.parse(source)
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    wrong = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        owner = _owner(node.value)
        if owner is None or node.attr in NOT_SETTINGS or node.attr.startswith("__"):
            continue
        allowed = SETTINGS_PUBLIC | (SUBMODULES if owner == "bot.settings" else set())
        if node.attr not in allowed:
            wrong.append(f"{node.lineno}: {ast.unparse(node)}")
            continue
        parent = parents.get(node)
        if node.attr in AREAS and isinstance(parent, ast.Attribute) and parent.value is node \
                and parent.attr not in _area_names(node.attr):
            wrong.append(f"{parent.lineno}: {ast.unparse(parent)}")
    return sorted(wrong, key=lambda row: int(row.split(":")[0]))


def _our_python_files() -> list[Path]:
    return sorted(p for folder in ("bot", "knowledge", "language", "bench", "tests", "tools")
                  for p in (REPO / folder).rglob("*.py"))


def test_the_check_finds_flat_and_unknown_readers():
    source = ("a = settings.top_k\nb = self._settings.retrieval.nonsense\nc = load_settings(environ={}).n_ctx\n"
              "d = services.settings.llm.threads\ne = settings.with_overrides(top_k=3).retrieval.top_k\n")
    assert wrong_reads(source) == ["1: settings.top_k", "2: self._settings.retrieval.nonsense",
                                   "3: load_settings(environ={}).n_ctx"]


def test_every_settings_read_names_an_area_and_one_of_its_settings():
    wrong = {}
    for path in _our_python_files():
        found = wrong_reads(path.read_text(encoding="utf-8"))
        if found:
            wrong[str(path.relative_to(REPO))] = found
    assert wrong == {}, "flat settings readers: rewrite them with settings.<area>.<name> (bot/settings/)"
