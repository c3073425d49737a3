"""The Debian programs some readers call (tools/system-packages.sh): a test that needs one is skipped,
with what to install, where it is missing, except under CI=true, where it must run (and fails)."""

from __future__ import annotations

import os
import shutil

import pytest

from knowledge.formats.ocr import missing_ocr

IN_CI = os.environ.get("CI") == "true"


def _needs(missing: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(bool(missing) and not IN_CI,
                              reason=f"{missing}; tools/system-packages.sh --install (under CI=true this test runs)")


needs_antiword = _needs("" if shutil.which("antiword") else "antiword ontbreekt (Debian-pakket antiword)")
needs_tesseract = _needs(missing_ocr())
