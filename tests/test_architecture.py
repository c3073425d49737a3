"""House rules from STYLE.md, checked by walking every module's imports."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _modules(package: str) -> list[Path]:
    return sorted((REPO / package).rglob("*.py"))


def test_knowledge_never_imports_bot():
    offenders = [str(p) for p in _modules("knowledge")
                 if any(n == "bot" or n.startswith("bot.") for n in _imports(p))]
    assert offenders == []


def test_only_bot_slack_imports_slack_libraries():
    offenders = [str(p) for p in _modules("bot") + _modules("knowledge")
                 if "bot/slack" not in p.as_posix()
                 and any(n.split(".")[0] in {"slack_bolt", "slack_sdk"} for n in _imports(p))]
    assert offenders == []


def test_models_module_imports_nothing_of_ours():
    names = _imports(REPO / "knowledge" / "models.py")
    assert not any(n.split(".")[0] in {"bot", "knowledge"} for n in names)


def test_environment_read_only_in_settings():
    offenders = []
    for p in _modules("bot") + _modules("knowledge"):
        if p.name == "settings.py":
            continue
        text = p.read_text(encoding="utf-8")
        if "os.environ" in text or "getenv(" in text:
            offenders.append(str(p))
    assert offenders == []


# --- import circles ---------------------------------------------------------------------------------

def _module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _import_graph() -> dict[str, set[str]]:
    """Our module -> our modules it imports anywhere: top level, in functions, under TYPE_CHECKING."""
    paths = {_module_name(p): p for p in _modules("bot") + _modules("knowledge")}
    graph: dict[str, set[str]] = {name: set() for name in paths}
    for name, path in paths.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:  # relative: from . import x, from ..y import z
                    anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join(anchor + ([base] if base else []))
                # `from bot.x import y` imports the module bot.x.y when y is one, else a name of bot.x
                targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in paths else base
                           for alias in node.names]
            else:
                continue
            graph[name].update(t for t in targets if t in paths and t != name)
    return graph


def _circle_groups(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """Each group of modules that import each other, directly or round about (Tarjan's strongly
    connected components of more than one module)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(frozenset(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def _one_circle(graph: dict[str, set[str]], group: frozenset[str]) -> list[str]:
    """A shortest path from the group's first module back to itself, inside the group."""
    start = min(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph[node] & group):
                if target == start:
                    return paths[node] + [start]
                if target not in paths:
                    paths[target] = paths[node] + [target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no circle in {group}")  # cannot happen for a strongly connected group


def test_the_circle_finder_finds_circles():
    graph = {"a": {"b"}, "b": {"c", "x"}, "c": {"a", "d"}, "d": set(), "e": {"d"}, "x": {"b"}}
    assert _circle_groups(graph) == [frozenset("abcx")]
    assert _one_circle(graph, frozenset("abcx")) == ["a", "b", "c", "a"]
    assert _circle_groups({"a": {"b"}, "b": set()}) == []


def test_the_import_graph_sees_every_kind_of_import():
    graph = _import_graph()
    assert "bot.settings" in graph["bot.answering.engine"]  # under `if TYPE_CHECKING:`
    assert "bot.answering.openai_backend" in graph["bot.answering.llm"]  # inside a function
    assert "bot.commands.templates" in graph["bot.commands"]  # `from bot.commands import templates`


def test_no_import_circles_among_our_modules():
    graph = _import_graph()
    circles = [_one_circle(graph, group) for group in _circle_groups(graph)]
    assert circles == [], "modules that import each other:\n" + "\n".join(" -> ".join(c) for c in circles)


# --- Block Kit ----------------------------------------------------------------------------------------

# Slack's block and element types: a dict saying {"type": one of these} is Block Kit.
BLOCK_KIT_TYPES = {"section", "header", "context", "divider", "actions", "input", "image", "rich_text",
                   "mrkdwn", "plain_text", "button", "static_select", "plain_text_input", "number_input",
                   "checkboxes", "radio_buttons", "overflow", "datepicker", "modal", "home"}


def _block_kit_literals(path: Path) -> list[str]:
    """`"type": "section"`-style dicts (literals or dict(type=…)) and "blocks" keys, as file:line."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        pairs: list[tuple[ast.AST | None, ast.AST]] = []
        if isinstance(node, ast.Dict):
            pairs = list(zip(node.keys, node.values))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "dict":
            pairs = [(ast.Constant(k.arg), k.value) for k in node.keywords if k.arg]
        for key, value in pairs:
            key_text = key.value if isinstance(key, ast.Constant) else None
            value_text = value.value if isinstance(value, ast.Constant) else None
            if (key_text == "type" and value_text in BLOCK_KIT_TYPES) or key_text == "blocks":
                found.add(f"{path.relative_to(REPO)}:{node.lineno}")
                break
    return sorted(found)


def test_the_block_kit_finder_finds_the_slack_packages_blocks():
    found = [hit for p in _modules("bot/slack") for hit in _block_kit_literals(p)]
    assert any(hit.startswith("bot/slack/ui/blocks.py:") for hit in found)
    assert any(hit.startswith("bot/slack/ui/templates_modal.py:") for hit in found)


def test_only_bot_slack_builds_block_kit():
    offenders = [hit for p in _modules("bot") + _modules("knowledge") + _modules("bench")
                 if "bot/slack" not in p.as_posix() for hit in _block_kit_literals(p)]
    assert offenders == []
