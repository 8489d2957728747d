"""The text layer of a PDF, through poppler's `pdftotext` (as `pipeline.tesseract` wraps tesseract)."""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path

log = logging.getLogger(__name__)

#: A PDF whose text takes longer than this to read is left without text rather than holding up the caller.
TIMEOUT_S = 300


def pdf_text(path: Path) -> str:
    """The text in the order it was written (`pdftotext -raw`), pages apart by a blank line; "" if unreadable."""
    try:
        done = subprocess.run(
            ["pdftotext", "-raw", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, timeout=TIMEOUT_S
        )
    except subprocess.TimeoutExpired:
        log.warning("pdftotext took more than %d s on %s: no text read", TIMEOUT_S, path)
        return ""
    if done.returncode != 0:
        log.warning("pdftotext cannot read %s: %s", path, done.stderr.strip().splitlines()[-1:] or done.returncode)
        return ""
    return "\n\n".join(page.strip() for page in done.stdout.split("\f") if page.strip())
