"""Checks on model files at start-up: a GGUF file that is there, is GGUF, and is as large as `models pull`
wrote it (the manifest it keeps next to the files: size and checksum per file)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.errors import ModelError
from bot.storage.files import locked, write_atomically

MANIFEST_NAME = "vraagbaak-models.json"  # written by `models pull`: size and checksum per file
GGUF_MAGIC = b"GGUF"


def check_gguf_file(path: Path) -> None:
    """Raises ModelError (Dutch) when `path` is missing, not a GGUF file, or shorter than pulled."""
    if not path.exists():
        raise ModelError(
            f"Het taalmodel {path} bestaat niet. Haal de productiemodellen op met `vraagbaak models pull`, "
            f"of laat VRAAGBAAK_LLM_MODEL op `auto` staan voor het meegeleverde kleine model.")
    if not path.is_file():
        raise ModelError(f"Het taalmodel {path} is geen bestand.")
    with path.open("rb") as fh:
        magic = fh.read(4)
    if magic != GGUF_MAGIC:
        raise ModelError(f"{path.name} is geen GGUF-bestand; Vraagbaak kan alleen GGUF-modellen laden.")
    expected = _manifest(path.parent).get(path.name)
    if expected and path.stat().st_size != expected["size"]:
        raise ModelError(
            f"Het taalmodel {path.name} is onvolledig of beschadigd ({path.stat().st_size} van "
            f"{expected['size']} bytes). Haal het opnieuw op met `vraagbaak models pull`.")


def _manifest(folder: Path) -> dict[str, dict]:
    try:
        return json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def record_in_manifest(folder: Path, relative: str, size: int, checksum: str | None) -> None:
    """Adds one file to the manifest; two pulls at once (other processes too) both keep theirs."""
    with locked(folder / (MANIFEST_NAME + ".lock")):
        manifest = _manifest(folder)
        manifest[relative] = {"size": size, "checksum": checksum}
        write_atomically(folder / MANIFEST_NAME, json.dumps(manifest, indent=2, sort_keys=True), mode=0o644)
