"""House rules from STYLE.md, checked by walking every module's imports."""

from __future__ import annotations

import ast
import re
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


# Our top-level packages: what a module of ours may import of each other is a rule of the house.
OUR_PACKAGES = {"bot", "knowledge", "language", "bench", "tests", "tools"}


def _our_imports(path: Path) -> set[str]:
    """The packages of ours that a module imports (top-level names)."""
    return {n.split(".")[0] for n in _imports(path)} & OUR_PACKAGES


def test_knowledge_imports_only_language_and_itself():
    offenders = {str(p): sorted(_our_imports(p) - {"knowledge", "language"}) for p in _modules("knowledge")}
    assert {p: names for p, names in offenders.items() if names} == {}


def test_language_imports_nothing_of_ours():
    offenders = {str(p): sorted(_our_imports(p) - {"language"}) for p in _modules("language")}
    assert {p: names for p, names in offenders.items() if names} == {}
    assert _modules("language"), "the language package is where the word policy lives"


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
        if p == REPO / "bot" / "settings" / "loader.py":
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
    paths = {_module_name(p): p for p in _modules("bot") + _modules("knowledge") + _modules("language")}
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


# --- rooms: where modules live, and how big they grow -------------------------------------------------

# The modules that stay at the top of bot/: the command line, the composition root and the exception
# types. Everything else lives in a package named after what it holds.
TOP_LEVEL_BOT_MODULES = {"__init__.py", "cli.py", "services.py", "errors.py"}


def _loose_modules(package: Path, allowed: set[str]) -> list[str]:
    return sorted(p.name for p in package.glob("*.py") if p.name not in allowed)


def test_bot_has_no_loose_modules_besides_the_top_level_ones():
    assert _loose_modules(REPO / "bot", TOP_LEVEL_BOT_MODULES) == []


def test_the_loose_module_finder_finds_one(tmp_path):
    for name in ("cli.py", "services.py", "curated.py"):
        (tmp_path / name).write_text("")
    assert _loose_modules(tmp_path, TOP_LEVEL_BOT_MODULES) == ["curated.py"]


# Bolt's listener kinds, as Slack's Bolt templates group them: the folder each kind's listeners live
# in, and the `app.<method>` calls that register one.
LISTENER_KINDS = {
    "events": {"event", "message", "use"},  # `use`: Bolt's Assistant middleware, which listens to events
    "commands": {"command"},
    "actions": {"action", "block_action"},
    "shortcuts": {"shortcut", "global_shortcut", "message_shortcut"},
    "views": {"view", "view_submission", "view_closed"},
}
LISTENERS = REPO / "bot" / "slack" / "listeners"


def _registrations(path: Path) -> set[str]:
    """The `app.<method>(…)` listener registrations in a module (as calls or as decorators)."""
    methods = set().union(*LISTENER_KINDS.values())
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in methods
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "app"):
            found.add(node.func.attr)
    return found


def _misplaced_listeners(listeners: Path) -> list[str]:
    """Listener modules outside a kind folder, and registrations of another kind than their folder's."""
    problems = []
    for path in sorted(listeners.rglob("*.py")):
        relative = path.relative_to(listeners)
        if relative.parts == ("__init__.py",):
            continue
        kind = relative.parts[0] if len(relative.parts) == 2 else None
        if kind not in LISTENER_KINDS:
            problems.append(f"{relative}: not in a kind folder ({', '.join(LISTENER_KINDS)})")
            continue
        wrong = _registrations(path) - LISTENER_KINDS[kind]
        if wrong:
            problems.append(f"{relative}: registers {', '.join(sorted(wrong))} in {kind}/")
    return problems


def test_every_listener_sits_in_its_kind_folder():
    assert sorted(p.name for p in LISTENERS.iterdir() if p.is_dir() and p.name != "__pycache__") == \
        sorted(LISTENER_KINDS)
    assert _misplaced_listeners(LISTENERS) == []


def test_the_listener_check_finds_loose_and_misplaced_listeners(tmp_path):
    (tmp_path / "actions").mkdir()
    (tmp_path / "__init__.py").write_text("")
    (tmp_path / "app_home.py").write_text("")
    (tmp_path / "actions" / "home.py").write_text(
        "def register(app, parts):\n    @app.event('app_home_opened')\n    def opened(): ...\n"
        "    @app.action('x')\n    def clicked(): ...\n")
    assert _misplaced_listeners(tmp_path) == ["actions/home.py: registers event in actions/",
                                              "app_home.py: not in a kind folder (events, commands, actions, "
                                              "shortcuts, views)"]


def test_only_listener_modules_register_listeners():
    """Outside listeners/, only the app's own wiring registers anything (its catch-all for the rest)."""
    registering = {p.relative_to(REPO).as_posix() for p in _modules("bot")
                   if "bot/slack/listeners/" not in p.as_posix() and _registrations(p)}
    assert registering == {"bot/slack/transport/app.py"}


# Modules past the size at which a module asks to be split (STYLE.md), each with the reason it may be,
# written at its top: a line `# Longer than 400 lines: <why>` in its first ten lines.
MAX_LINES = 400
LONG_MODULE_REASON = "# Longer than 400 lines:"


def _long_modules_without_reason(paths: list[Path], root: Path = REPO) -> list[str]:
    found = []
    for path in paths:
        lines = path.read_text(encoding="utf-8").splitlines()
        name = path.relative_to(root).as_posix()
        if len(lines) > MAX_LINES and not any(line.startswith(LONG_MODULE_REASON) for line in lines[:10]):
            found.append(f"{name} ({len(lines)} lines)")
    return found


def test_no_module_over_400_lines_without_its_reason():
    assert _long_modules_without_reason(_modules("bot") + _modules("knowledge")) == []


def test_the_size_check_finds_a_long_module(tmp_path):
    long, explained = tmp_path / "long.py", tmp_path / "explained.py"
    long.write_text("x = 1\n" * 401)
    explained.write_text('"""Doc."""\n' + LONG_MODULE_REASON + " one table, read as one\n" + "x = 1\n" * 401)
    assert _long_modules_without_reason([long, explained], tmp_path) == ["long.py (401 lines)"]


# --- word lists: Dutch and English word policy lives in language/ -------------------------------------

# A word: 3+ lower-case letters, an apostrophe, hyphen or full stop inside one ("m'n", "o.a"); a
# phrase: words with single spaces between them ("wat kost"). Shorter strings are too often codes
# ("en", "de", "it": language codes; "a", "i", "u": HTML tags) to tell a word list from another list.
_WORD_OR_PHRASE = re.compile(r"(?=[^ ]{3})[a-zà-ÿ]+(?:['’.-][a-zà-ÿ]+)*(?: [a-zà-ÿ]+(?:['’.-][a-zà-ÿ]+)*)*")
MIN_LIST_WORDS = 5  # words in a collection that make it a word list ...
MIN_KNOWN_WORDS = 2  # ... when at least this many of them, and a third, are words language/ lists


def _language_vocabulary() -> frozenset[str]:
    """Every word and phrase that language/words.py lists."""
    import language.words as words

    found: set[str] = set()
    for name, value in vars(words).items():
        if not name.startswith("_") and isinstance(value, (frozenset, set, tuple, list, dict)):
            found.update(item for item in value if isinstance(item, str))
    return frozenset(found)


def _strings_of(node: ast.AST) -> list[str] | None:
    """The strings a collection literal holds: a set, list or tuple of strings, a dict's keys, a
    `"… …".split()`, or set()/frozenset()/tuple()/list() of one of those; None for anything else."""
    if isinstance(node, (ast.Set, ast.List, ast.Tuple)):
        items = [e.value for e in node.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
        return items if len(items) == len(node.elts) else None
    if isinstance(node, ast.Dict):
        keys = [k.value for k in node.keys if isinstance(k, ast.Constant) and isinstance(k.value, str)]
        return keys if len(keys) == len(node.keys) else None
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "split" \
            and not node.args and isinstance(node.func.value, ast.Constant) and isinstance(node.func.value.value, str):
        return node.func.value.value.split()
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and len(node.args) == 1 \
            and node.func.id in {"set", "frozenset", "tuple", "list"}:
        return _strings_of(node.args[0])
    return None


def _word_lists(path: Path, vocabulary: frozenset[str], root: Path = REPO) -> list[str]:
    """Collections of 5+ lower-case words or phrases of which at least two, and a third, are words
    language/ lists already: a copy or a new neighbour of a list that belongs there, as file:line.
    Field names, HTML tags and the topics of test questions are not words language/ lists, so they
    are not word lists here."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        strings = _strings_of(node)
        if not strings:
            continue
        words = [s for s in strings if _WORD_OR_PHRASE.fullmatch(s)]
        known = [w for w in words if w in vocabulary]
        if len(words) >= MIN_LIST_WORDS and len(known) >= MIN_KNOWN_WORDS and 3 * len(known) >= len(words):
            found.add(f"{path.relative_to(root).as_posix()}:{node.lineno}")
    return sorted(found)


# Modules whose word lists are data, not policy, and why.
WORD_LIST_EXEMPT = {
    "bench/reindex.py": "synthetic Dutch text to time a re-index with: the words are what gets indexed",
}


def test_no_word_list_outside_language():
    vocabulary = _language_vocabulary()
    paths = _modules("bot") + _modules("knowledge") + _modules("bench") + _modules("tools")
    found = [hit for p in paths if p.relative_to(REPO).as_posix() not in WORD_LIST_EXEMPT
             for hit in _word_lists(p, vocabulary)]
    assert found == [], "word lists belong in language/words.py"


def test_the_word_list_finder_finds_copies_and_new_neighbours(tmp_path):
    vocabulary = _language_vocabulary()
    module = tmp_path / "listing.py"
    module.write_text(
        'STOP = frozenset("eigenlijk nou even gewoon precies".split())\n'  # a copy of filler words
        'NEGATIONS = {"niet", "geen", "nooit", "nergens", "niemand"}\n'  # a new list: two of five known
        'MONTHS = ("januari", "februari", "maart", "april", "mei")\n'
        'ASKING = {"hoeveel": 1, "wanneer": 2, "waar": 3, "wie": 4, "waarom": 5}\n'
        'FIELDS = {"type", "text", "value", "style", "confirm", "action_id"}\n'  # Block Kit keys
        'TOPICS = ("leaseauto", "aandelen", "kerstpakket", "hond", "fietsplan")\n'  # no policy words
        'CODES = ("nl", "en", "de", "it", "fr", "ja")\n'  # language codes
        'TAGS = {"a", "abbr", "b", "i", "u", "span", "table", "time"}\n'  # HTML tags
        'FEW = {"de", "het", "een", "en"}\n')  # fewer than five
    assert _word_lists(module, vocabulary, tmp_path) == ["listing.py:1", "listing.py:2", "listing.py:3",
                                                         "listing.py:4"]


# --- storage: one way to keep data ---------------------------------------------------------------------

STORAGE = "bot/storage/"
DATABASE_MODULES = {"sqlite3", "psycopg", "psycopg2", "psycopg_pool"}  # drivers: a connection of one's own
FILE_PRIMITIVES = {("os", "replace"), ("os", "rename"), ("shutil", "move")}  # writing a file by renaming it


def _storage_bypasses(path: Path, root: Path = REPO) -> list[str]:
    """Opening a database, renaming a file into place or taking an fcntl lock outside bot/storage."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        for name in names:
            if name.split(".")[0] in DATABASE_MODULES | {"fcntl"} or name == "sqlalchemy.create_engine":
                found.append(f"{path.relative_to(root)}:{node.lineno} imports {name}")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if (node.value.id, node.attr) in FILE_PRIMITIVES or node.attr == "create_engine":
                found.append(f"{path.relative_to(root)}:{node.lineno} uses {node.value.id}.{node.attr}")
    return found


def test_only_bot_storage_opens_a_database_or_writes_a_file_by_renaming_it():
    offenders = [hit for p in _modules("bot") if not p.relative_to(REPO).as_posix().startswith(STORAGE)
                 for hit in _storage_bypasses(p)]
    assert offenders == []


def test_the_storage_check_finds_a_store_of_its_own(tmp_path):
    (tmp_path / "notes.py").write_text("import sqlite3\nimport os\nimport sqlalchemy as sa\n"
                                       "def save(path):\n    os.replace(path + '.tmp', path)\n"
                                       "    return sa.create_engine('sqlite://'), sqlite3.connect(path)\n")
    assert _storage_bypasses(tmp_path / "notes.py", tmp_path) == [
        "notes.py:1 imports sqlite3", "notes.py:5 uses os.replace", "notes.py:6 uses sa.create_engine"]


def _tables_outside_stores(path: Path, root: Path = REPO) -> list[str]:
    """A module that declares SQL tables (sa.Table / Table) without a Store of its own to migrate them:
    tables only come into a database through a Store, and a Store holding person ids must be a
    PersonalStore in the registry (tests/storage/test_registry.py)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    declares = any(isinstance(n, ast.Call) and ((isinstance(n.func, ast.Attribute) and n.func.attr == "Table")
                                                or (isinstance(n.func, ast.Name) and n.func.id == "Table"))
                   for n in ast.walk(tree))
    bases = {getattr(b, "id", getattr(b, "attr", "")) for n in ast.walk(tree) if isinstance(n, ast.ClassDef)
             for b in n.bases}
    stores = bool(bases & {"Store", "PersonalStore"})
    return [str(path.relative_to(root))] if declares and not stores else []


def test_tables_are_declared_only_by_stores():
    offenders = [hit for p in _modules("bot") if not p.relative_to(REPO).as_posix().startswith(STORAGE)
                 for hit in _tables_outside_stores(p)]
    assert offenders == []


def test_the_table_check_finds_a_table_without_a_store(tmp_path):
    (tmp_path / "loose.py").write_text("import sqlalchemy as sa\nT = sa.Table('t', sa.MetaData())\n")
    (tmp_path / "kept.py").write_text("import sqlalchemy as sa\nfrom bot.storage.stores import PersonalStore\n"
                                      "T = sa.Table('t', sa.MetaData())\nclass Kept(PersonalStore): ...\n")
    assert _tables_outside_stores(tmp_path / "loose.py", tmp_path) == ["loose.py"]
    assert _tables_outside_stores(tmp_path / "kept.py", tmp_path) == []


# --- the composition root ---------------------------------------------------------------------------

# bot/services.py builds every long-lived part; only the front ends take parts from it: the command line
# (bot/cli.py and its sub-command modules) and `vraagbaak serve`'s Slack entry. Its Slack half,
# bot/slack/composition.py, is called from bot/services.py alone.
COMPOSITION_ROOT = "bot.services"
SLACK_COMPOSITION = "bot.slack.composition"
MAY_IMPORT_THE_ROOT = {"bot.cli", "bot.slack.transport.serving"}
MAY_IMPORT_THE_ROOT_PACKAGES = ("bot.commands",)


def _importers(graph: dict[str, set[str]], target: str) -> set[str]:
    return {name for name, targets in graph.items() if target in targets}


def test_only_the_front_ends_import_the_composition_root():
    importers = _importers(_import_graph(), COMPOSITION_ROOT)
    assert "bot.commands.serve" in importers  # the check sees them (a CLI command module imports it)
    offenders = {name for name in importers if name not in MAY_IMPORT_THE_ROOT
                 and not name.startswith(tuple(f"{p}." for p in MAY_IMPORT_THE_ROOT_PACKAGES))}
    assert offenders == set()


def test_only_the_composition_root_builds_the_slack_side():
    assert _importers(_import_graph(), SLACK_COMPOSITION) == {COMPOSITION_ROOT}


def _listener_modules() -> list[Path]:
    return [p for p in sorted(LISTENERS.rglob("*.py")) if p.name != "__init__.py"]


def _register_takes_parts_by_name(path: Path) -> list[str]:
    """Problems with a listener module's `register`: it must take `app` and then only keyword-only
    parameters (the parts it uses, each by name), none of them the whole container."""
    problems = []
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.FunctionDef) and node.name == "register":
            positional = [a.arg for a in node.args.posonlyargs + node.args.args]
            if positional != ["app"] or node.args.vararg or node.args.kwarg:
                problems.append(f"{path.name}: register({', '.join(positional)}, …) takes more than `app` "
                                "by position")
            for arg in node.args.kwonlyargs:
                annotation = ast.unparse(arg.annotation) if arg.annotation else ""
                if arg.arg in {"parts", "services"} or any(c in annotation for c in ("SlackParts", "Services")):
                    problems.append(f"{path.name}: register takes the whole container ({arg.arg})")
    return problems


def test_listeners_receive_the_parts_they_use_by_name():
    modules = _listener_modules()
    assert len(modules) > 20
    graph = _import_graph()
    containers = {COMPOSITION_ROOT, SLACK_COMPOSITION, "bot.slack.parts"}
    reaching = {_module_name(p): sorted(graph[_module_name(p)] & containers) for p in modules}
    assert {name: found for name, found in reaching.items() if found} == {}
    assert [problem for p in modules for problem in _register_takes_parts_by_name(p)] == []


def test_the_listener_check_finds_a_register_that_takes_the_container(tmp_path):
    whole, positional, good = tmp_path / "whole.py", tmp_path / "positional.py", tmp_path / "good.py"
    whole.write_text("def register(app, *, parts: 'SlackParts'): ...\n")
    positional.write_text("def register(app, replier): ...\n")
    good.write_text("def register(app, *, replier, threads): ...\n")
    assert _register_takes_parts_by_name(whole) == ["whole.py: register takes the whole container (parts)"]
    assert _register_takes_parts_by_name(positional) == ["positional.py: register(app, replier, …) takes more "
                                                         "than `app` by position"]
    assert _register_takes_parts_by_name(good) == []


# --- no module-level state ----------------------------------------------------------------------------

# A module-level name may hold a constant: a literal that nothing changes, or what one of these calls
# returns (or an instance of one of our frozen dataclasses). Parts and state live in objects that the
# composition root builds; a module's own lock, cache, counter or registry is state of the process.
# A store's SQL tables are declared once at module level (SQLAlchemy's MetaData and Table: a schema, not state).
CONSTANT_CALLS = {"frozenset", "tuple", "object", "re.compile", "logging.getLogger", "TypeVar", "ParamSpec",
                  "Path", "timedelta", "MappingProxyType", "types.MappingProxyType", "sa.MetaData", "sa.Table"}
MUTATING_METHODS = {"append", "extend", "insert", "add", "update", "setdefault", "pop", "popitem", "clear",
                    "remove", "discard", "sort", "reverse"}
CONTAINER_LITERALS = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)


def _frozen_classes(paths: list[Path]) -> set[str]:
    """Our classes whose instances cannot change: frozen dataclasses and named tuples."""
    names = set()
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ClassDef):
                continue
            frozen = any(isinstance(d, ast.Call) and ast.unparse(d.func).endswith("dataclass")
                         and any(k.arg == "frozen" and getattr(k.value, "value", False) for k in d.keywords)
                         for d in node.decorator_list)
            if frozen or any(ast.unparse(base).endswith("NamedTuple") for base in node.bases):
                names.add(node.name)
    return names


def _module_state(path: Path, frozen: set[str], root: Path = REPO) -> list[str]:
    """Module-level state in one module: `global` rebinding, a module-level name bound to a call that
    is not a constant, or a module-level container that something in the module changes."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    where = path.relative_to(root).as_posix()
    found = [f"{where}:{node.lineno}: global {', '.join(node.names)}"
             for node in ast.walk(tree) if isinstance(node, ast.Global)]
    containers: dict[str, int] = {}
    for node in tree.body:
        if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = [t.id for t in targets if isinstance(t, ast.Name)]
        value = node.value
        if isinstance(value, ast.Call):
            called = ast.unparse(value.func)
            if called not in CONSTANT_CALLS and called.rsplit(".", 1)[-1] not in frozen:
                found += [f"{where}:{node.lineno}: {name} = {called}(…)" for name in names]
        elif isinstance(value, CONTAINER_LITERALS):
            containers.update({name: node.lineno for name in names})
    for node in ast.walk(tree):
        changed = None
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr in MUTATING_METHODS and isinstance(node.func.value, ast.Name):
            changed = node.func.value.id
        elif isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)) \
                and isinstance(node.value, ast.Name):
            changed = node.value.id
        elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
            changed = node.target.id
        if changed in containers and not _shadowed(tree, node, changed):
            found.append(f"{where}:{node.lineno}: module-level {changed} (line {containers[changed]}) is changed")
    return sorted(set(found))


def _shadowed(tree: ast.Module, node: ast.AST, name: str) -> bool:
    """Whether `name` at `node` is a local of the function around it (a parameter or assigned there)."""
    for function in ast.walk(tree):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if not any(inner is node for inner in ast.walk(function)):
            continue
        arguments = function.args
        params = {a.arg for a in arguments.posonlyargs + arguments.args + arguments.kwonlyargs}
        params |= {a.arg for a in (arguments.vararg, arguments.kwarg) if a is not None}
        assigned = {t.id for inner in ast.walk(function) if isinstance(inner, (ast.Assign, ast.AnnAssign, ast.For))
                    for t in ([inner.target] if not isinstance(inner, ast.Assign) else inner.targets)
                    if isinstance(t, ast.Name)}
        if name in params | assigned:
            return True
    return False


def test_no_module_level_state():
    paths = _modules("bot") + _modules("knowledge")
    frozen = _frozen_classes(paths)
    assert {"ModelProfile", "Principal", "EscalationRoutes"} <= frozen
    assert [problem for p in paths for problem in _module_state(p, frozen)] == []


def test_the_state_check_finds_globals_locks_caches_and_changed_tables(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text(
        "import re, threading\n"
        "from dataclasses import dataclass\n"
        "@dataclass(frozen=True)\nclass Routes:\n    channels: tuple = ()\n"
        "PATTERN = re.compile('x')\nTABLE = {'a': 1}\nNAMES = ['a']\nROUTES = Routes()\n"  # constants
        "_lock = threading.Lock()\n_seen = set()\n_routes = None\nCACHE = {}\n"
        "def remember(key, value):\n    global _routes\n    CACHE[key] = value\n    NAMES.append(key)\n"
        "def local(NAMES):\n    NAMES.append(1)\n")
    assert _module_state(planted, _frozen_classes([planted]), tmp_path) == [
        "planted.py:10: _lock = threading.Lock(…)", "planted.py:11: _seen = set(…)",
        "planted.py:15: global _routes", "planted.py:16: module-level CACHE (line 13) is changed",
        "planted.py:17: module-level NAMES (line 8) is changed"]
