"""Which documents are indexed, and which files are refused unread."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.settings.fields import Area, SettingsError, setting


def parse_sources(raw: str) -> dict[str, Path]:
    """`hr=/srv/docs/hr,wiki=/srv/wiki` as {"hr": Path(...), "wiki": Path(...)}."""
    result: dict[str, Path] = {}
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, sep, folder = part.partition("=")
        if not sep or not name.strip() or not folder.strip():
            raise SettingsError(f"VRAAGBAAK_SOURCES: '{part}' is not of the form naam=map")
        result[name.strip()] = Path(folder.strip()).expanduser()
    return result


@dataclass(frozen=True)
class Documents(Area):
    """Documents: the collections to index, and the limits that keep hostile files out."""

    sources: dict[str, Path] = setting(
        {"bedrijf": Path("knowledge/sample")}, "VRAAGBAAK_SOURCES",
        "Document collections to index, as name=folder pairs separated by commas "
        "(e.g. `hr=/srv/docs/hr,wiki=/srv/wiki`).", parse=parse_sources)
    sources_file: Path | None = setting(
        None, "VRAAGBAAK_SOURCES_FILE",
        "TOML file with the SharePoint/OneDrive, Nextcloud and WebDAV sources, each with its kind, credentials "
        "and collection (docs/features/sources.md). It holds their secrets, so it must be readable by its owner "
        "only (chmod 600).")
    max_file_mb: int = setting(
        50, "VRAAGBAAK_MAX_FILE_MB", "Source files larger than this are skipped unread (0: no limit).", minimum=0)
    max_unpacked_mb: int = setting(
        300, "VRAAGBAAK_MAX_UNPACKED_MB",
        "Zip-based office files (docx, xlsx, pptx, odt, ods, odp) that would unpack to more than this are "
        "skipped before parsing (zip bombs; 0: no limit).", minimum=0)
    max_pdf_pages: int = setting(
        2000, "VRAAGBAAK_MAX_PDF_PAGES", "PDFs with more pages than this are skipped (0: no limit).", minimum=0)
    ocr_seconds_per_file: int = setting(
        120, "VRAAGBAAK_OCR_SECONDS_PER_FILE",
        "Seconds that text recognition (OCR, Tesseract with Dutch) may spend on the scanned pages of one PDF; "
        "pages left over are reported as not read. 0: no OCR.", minimum=0)
