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
