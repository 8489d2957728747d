"""`pipeline.pdftext`: the text layer of a PDF, and nothing (with a logged reason) for what is no PDF."""

from __future__ import annotations

import logging
from pathlib import Path

from pipeline.pdftext import pdf_text


def test_a_file_that_is_no_pdf_gives_no_text_and_says_why(tmp_path: Path, caplog):
    bogus = tmp_path / "not.pdf"
    bogus.write_text("this is not a PDF")
    with caplog.at_level(logging.WARNING, logger="pipeline.pdftext"):
        assert pdf_text(bogus) == ""
    assert "pdftotext cannot read" in caplog.text
