"""The documentation stays true to the tree: its links lead somewhere, and the commands and settings
it names exist."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from bot.operations.config_reference import setting_rows

REPO = Path(__file__).resolve().parent.parent
LINK = re.compile(r"(?<!!)\[(?:[^\]]|\n)*?\]\(([^)\s]+)\)")  # [text](target), the text may wrap
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
FENCE = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
COMMAND = re.compile(r"(?<![/\w@-])vraagbaak ([a-z]+)(?: ([a-z]+))?\b")
SETTING = re.compile(r"\b(VRAAGBAAK_[A-Z_]+|SLACK_[A-Z_]+)\b")


def documentation() -> list[Path]:
    """README.md, every page under docs/ and the guides in deploy/."""
    return [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md")), *sorted((REPO / "deploy").glob("*.md"))]


def slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", lambda m: m.group(1) or "", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    return {slug(h) for h in HEADING.findall(FENCE.sub("", page.read_text(encoding="utf-8")))}


def broken_links(page: Path) -> list[str]:
    """The relative links of a page that lead to no file, or to no heading of a Markdown file."""
    broken = []
    for target in LINK.findall(FENCE.sub("", page.read_text(encoding="utf-8"))):
        if re.match(r"[a-z]+:", target):  # https:, mailto:: not ours to check
            continue
        path, _, anchor = target.partition("#")
        file = (page.parent / path).resolve() if path else page
        if not file.exists():
            broken.append(f"{target} (no such file)")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(f"{target} (no heading '{anchor}' in {os.path.relpath(file, page.parent)})")
    return broken


@pytest.mark.parametrize("page", documentation(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_relative_link_leads_to_a_file_and_heading(page: Path):
    assert broken_links(page) == []


def test_the_link_check_finds_a_missing_file_and_a_missing_heading(tmp_path: Path):
    (tmp_path / "other.md").write_text("# Other\n\n## Past one machine: the scaling path\n", encoding="utf-8")
    page = tmp_path / "page.md"
    page.write_text("# Page\n\n[ok](other.md#past-one-machine-the-scaling-path), [self](#page), "
                    "[wrapped\ntext](other.md), [web](https://example.org/x)\n"
                    "[gone](missing.md) and [nowhere](other.md#no-such-part)\n"
                    "```\n[in code](not-checked.md)\n```\n", encoding="utf-8")
    assert broken_links(page) == ["missing.md (no such file)",
                                  "other.md#no-such-part (no heading 'no-such-part' in other.md)"]


NOT_SETTINGS = {"VRAAGBAAK_CONFIG",  # which config file to read: the one variable outside Settings
                "VRAAGBAAK_DOCUMENTS_DIR", "VRAAGBAAK_PUBLISH_HTTP", "VRAAGBAAK_PUBLISH_METRICS",
                "VRAAGBAAK_IMAGE"}  # docker-compose.yml interpolation (tests/operations/test_deploy.py)


def unknown_names(text: str) -> list[str]:
    """The `vraagbaak <command> [<action>]` and the VRAAGBAAK_/SLACK_ variables in a text that do not exist."""
    from bot.cli import build_parser

    commands = build_parser()._subparsers._group_actions[0].choices
    unknown = []
    for command, action in COMMAND.findall(text):
        if command not in commands:
            unknown.append(f"vraagbaak {command}")
        elif action and _actions(commands[command]) and action not in _actions(commands[command]):
            unknown.append(f"vraagbaak {command} {action}")
    settings = {row.env for row in setting_rows()}
    return unknown + sorted(set(SETTING.findall(text)) - settings - NOT_SETTINGS)


def _actions(parser) -> set[str]:
    """The sub-commands of a command group (`answers add`, `privacy forget`); empty for a plain command."""
    groups = [a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction"]
    return set(groups[0].choices) if groups else set()


@pytest.mark.parametrize("page", documentation(), ids=lambda p: p.relative_to(REPO).as_posix())
def test_the_pages_name_only_real_commands_and_settings(page: Path):
    assert unknown_names(page.read_text(encoding="utf-8")) == []


def test_the_name_check_finds_a_made_up_command_action_and_setting():
    text = ("`vraagbaak index --full`, `vraagbaak answers add`, `/vraagbaak reindex`, `@vraagbaak hoi`, "
            "`vraagbaak reindex`, `vraagbaak answers delete ID`, VRAAGBAAK_TOP_K, VRAAGBAAK_TOPK, SLACK_BOT_TOKEN")
    assert unknown_names(text) == ["vraagbaak reindex", "vraagbaak answers delete", "VRAAGBAAK_TOPK"]
