"""What reading a scanned PDF costs and how much of its text comes back: every page of the real PDFs
of the sample company and kadaster-aktemodellen is rendered to a grey 300 dpi image, the images are
saved as an image-only PDF (a scan), and that PDF is read as the indexer reads it (OCR with Tesseract's
Dutch data). Per file: pages, seconds, seconds per page, and the share of the words of the text-layer
reading that the OCR reading has too (word recall, lower-cased words of three or more letters, counted
with multiplicity). Prints JSON.

    .venv/bin/python bench/ocr.py [--pages 40] [--budget 600]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.corpora import DEFAULT_CORPORA  # noqa: E402
from knowledge.file_limits import FileLimits  # noqa: E402
from knowledge.formats import read_document  # noqa: E402
from knowledge.formats.ocr import DPI, missing_ocr  # noqa: E402

WORD = re.compile(r"[^\W\d_]{3,}")


def scanned(pdf: bytes, scale: float = DPI / 72) -> tuple[bytes, int]:
    """The PDF as images only, one per page: what a scanner gives."""
    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        images = [document[i].render(scale=scale, grayscale=True).to_pil() for i in range(len(document))]
    finally:
        document.close()
    out = io.BytesIO()
    images[0].save(out, format="PDF", save_all=True, append_images=images[1:], resolution=DPI)
    return out.getvalue(), len(images)


def words(text: str) -> Counter[str]:
    return Counter(w.lower() for w in WORD.findall(text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=40, help="stop after about this many pages")
    parser.add_argument("--budget", type=float, default=600, help="OCR seconds per file")
    args = parser.parse_args()
    if missing_ocr():
        print(json.dumps({"error": missing_ocr()}))
        return
    limits = FileLimits(ocr_seconds=args.budget)
    files = [p for name in ("sample", "kadaster-aktemodellen")
             for p in sorted(DEFAULT_CORPORA[name][0].rglob("*.pdf"))]
    out: dict = {"load_average_start": round(os.getloadavg()[0], 2), "dpi": DPI, "files": []}
    pages_done = 0
    for path in files:
        if pages_done >= args.pages:
            break
        data = path.read_bytes()
        original = read_document(".pdf", data, limits).text
        scan, pages = scanned(data)
        started = time.perf_counter()
        reading = read_document(".pdf", scan, limits)
        seconds = time.perf_counter() - started
        expected, got = words(original), words(reading.text)
        recall = sum((expected & got).values()) / max(1, sum(expected.values()))
        out["files"].append({"file": path.name, "pages": pages, "seconds": round(seconds, 1),
                             "s_per_page": round(seconds / pages, 2), "word_recall": round(recall, 3),
                             "problems": list(reading.problems)})
        pages_done += pages
    read = out["files"]
    total_pages, total_s = sum(f["pages"] for f in read), sum(f["seconds"] for f in read)
    out["total"] = {"files": len(read), "pages": total_pages, "seconds": round(total_s, 1),
                    "s_per_page": round(total_s / max(1, total_pages), 2),
                    "word_recall_mean": round(sum(f["word_recall"] for f in read) / max(1, len(read)), 3)}
    out["load_average_end"] = round(os.getloadavg()[0], 2)
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
