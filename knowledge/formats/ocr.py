"""Scanned pages -> text through Tesseract with its Dutch language data (Debian: tesseract-ocr and
tesseract-ocr-nld), within a time budget per file.

The page is rendered by pypdfium2 (which pdfplumber brings) and handed to the `tesseract` program on
its standard input; `subprocess.run` stops it at the budget's end and waits for it, so no process
outlives a file (pytesseract, the usual wrapper, leaves a killed process unreaped and adds
nothing else we need).
"""

from __future__ import annotations

import functools
import io
import logging
import shutil
import subprocess
import time
from dataclasses import dataclass

log = logging.getLogger(__name__)

LANGUAGE = "nld"
DPI = 300
INSTALL_HINT = "installeer de Debian-pakketten tesseract-ocr en tesseract-ocr-nld"


class OcrBudget:
    """The seconds of OCR one file may still use; 0 at the start means no OCR at all."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self._deadline = time.monotonic() + seconds

    def left(self) -> float:
        return max(0.0, self._deadline - time.monotonic()) if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class OcrResult:
    text: str | None  # None: not read, `problem` says why
    problem: str = ""


def ocr_page(pdf: bytes, number: int, budget: OcrBudget) -> OcrResult:
    """The text of page `number` (1-based) of a PDF, read by Tesseract within what the budget has left."""
    if budget.seconds <= 0:
        return OcrResult(None, "tekstherkenning (OCR) staat uit (instelling ocr_seconds_per_file)")
    missing = missing_ocr()
    if missing:
        return OcrResult(None, missing)
    if budget.left() <= 0:
        return OcrResult(None, _out_of_time(budget))
    image = _render(pdf, number)
    try:
        result = subprocess.run([shutil.which("tesseract") or "tesseract", "stdin", "stdout", "-l", LANGUAGE,
                                 "--dpi", str(DPI)], input=image, capture_output=True, timeout=budget.left(),
                                check=False)
    except subprocess.TimeoutExpired:
        return OcrResult(None, _out_of_time(budget))
    if result.returncode != 0:
        log.warning("tesseract failed on page %d (%d): %s", number, result.returncode,
                    result.stderr.decode("utf-8", errors="replace")[-300:])
        return OcrResult(None, "Tesseract kon de pagina niet lezen")
    return OcrResult(result.stdout.decode("utf-8", errors="replace"))


def _out_of_time(budget: OcrBudget) -> str:
    return (f"de tijd voor tekstherkenning (OCR) van {budget.seconds:g} s per bestand was op "
            "(instelling ocr_seconds_per_file)")


def _render(pdf: bytes, number: int) -> bytes:
    """The page as a grey PNG at DPI."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        page = document[number - 1]
        image = page.render(scale=DPI / 72, grayscale=True).to_pil()
        page.close()
    finally:
        document.close()
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@functools.lru_cache(maxsize=1)
def missing_ocr() -> str:
    """Why OCR cannot run here (Dutch), or "" when Tesseract and its Dutch data are installed."""
    executable = shutil.which("tesseract")
    if executable is None:
        return f"het programma tesseract ontbreekt ({INSTALL_HINT})"
    try:
        listed = subprocess.run([executable, "--list-langs"], capture_output=True, timeout=30, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"tesseract start niet ({exc})"
    if LANGUAGE not in listed.stdout.decode("utf-8", errors="replace").split():
        return f"de Nederlandse taaldata van tesseract ontbreken ({INSTALL_HINT})"
    return ""
