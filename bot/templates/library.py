"""Templates: fixed-shape outputs (brainstorm, samenvatting, …) described by TOML files.

A template file names its form fields, its prompt, whether to ground it on the company's documents,
and the JSON schema its output must follow. The shipped files live in ``bot/templates/shipped/``;
an admin's folder adds templates, and a file there with the same name replaces the shipped one.
Loading never stops at a bad file: its error (naming the file and the field) is kept in
``TemplateLibrary.errors`` and the other templates keep working.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Iterator

from bot.templates.files import parse_template_file
from bot.templates.template import Template, TemplateFileError, TemplateNotFoundError

log = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).resolve().parent / "shipped"


class TemplateLibrary:
    """All loadable templates by name, plus the errors of the files that could not be loaded.

    The folders are looked at again (file names, sizes, modification times) whenever the library is
    used, so a template file dropped in, changed or removed counts at once, without a restart.
    """

    def __init__(self, extra_dir: Path | None = None, *, shipped_dir: Path = SHIPPED_DIR) -> None:
        self.shipped_dir = Path(shipped_dir)
        self.extra_dir = Path(extra_dir) if extra_dir is not None else None
        self._lock = threading.Lock()
        self._signature: tuple = ()
        self._templates: dict[str, Template] = {}
        self._errors: list[TemplateFileError] = []

    @classmethod
    def load(cls, extra_dir: Path | None = None, *, shipped_dir: Path = SHIPPED_DIR) -> "TemplateLibrary":
        """Shipped templates, then the admin's folder (same name replaces the shipped one)."""
        library = cls(extra_dir, shipped_dir=shipped_dir)
        library._refresh()
        return library

    @property
    def templates(self) -> dict[str, Template]:
        return self._refresh()[0]

    @property
    def errors(self) -> list[TemplateFileError]:
        return list(self._refresh()[1])

    def get(self, name: str) -> Template:
        templates = self.templates
        try:
            return templates[name]
        except KeyError:
            raise TemplateNotFoundError(
                f"Onbekend sjabloon '{name}'. Beschikbaar: {', '.join(sorted(templates)) or 'geen'}.") from None

    def names(self) -> list[str]:
        return sorted(self.templates)

    def __iter__(self) -> Iterator[Template]:
        templates = self.templates
        return iter([templates[name] for name in sorted(templates)])

    def _refresh(self) -> tuple[dict[str, Template], list[TemplateFileError]]:
        with self._lock:
            signature = self._folder_signature()
            if signature != self._signature:
                self._templates, self._errors = self._read_folders()
                self._signature = signature
            return self._templates, self._errors

    def _folder_signature(self) -> tuple:
        entries = []
        for folder in filter(None, (self.shipped_dir, self.extra_dir)):
            for path in sorted(folder.glob("*.toml")):
                try:
                    stat = path.stat()
                except OSError as exc:  # removed since the glob: the next look will not see it
                    log.debug("template file %s vanished while looking: %s", path, exc)
                    continue
                entries.append((str(path), stat.st_mtime_ns, stat.st_size))
        return (self.extra_dir is not None and self.extra_dir.is_dir(), *entries)

    def _read_folders(self) -> tuple[dict[str, Template], list[TemplateFileError]]:
        templates: dict[str, Template] = {}
        errors: list[TemplateFileError] = []
        _read_folder(self.shipped_dir, templates, errors, shipped=True)
        if self.extra_dir is not None:
            if self.extra_dir.is_dir():
                _read_folder(self.extra_dir, templates, errors, shipped=False)
            else:
                errors.append(TemplateFileError(self.extra_dir, "templates_dir",
                                                "deze map bestaat niet; alleen de meegeleverde sjablonen zijn geladen"))
        log.info("templates loaded: %s", ", ".join(sorted(templates)) or "none")
        for error in errors:
            log.warning("template file skipped: %s", error)
        return templates, errors


def _read_folder(folder: Path, templates: dict[str, Template], errors: list[TemplateFileError], *,
                 shipped: bool) -> None:
    for path in sorted(folder.glob("*.toml")):
        try:
            template = parse_template_file(path, shipped=shipped)
        except TemplateFileError as exc:
            if not shipped and path.stem in templates:
                exc = TemplateFileError(exc.path, exc.field,
                                        exc.reason + " (het meegeleverde sjabloon blijft in gebruik)")
            errors.append(exc)
            continue
        if template.name in templates:
            log.info("template %s from %s replaces the shipped one", template.name, path)
        templates[template.name] = template
