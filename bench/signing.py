"""How long signing adds per document (target ≤ 0.3 s): PAdES B-B with the stamp, on generated PDFs."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np

from pipeline.pdf import PdfInfo, PdfPage, build_searchable_pdf
from pipeline.sign import sign_pdf
from pipeline.signing_setup import build_signing_setup
from samples.generate import make_document
from schemas.settings import Settings


def _unsigned_pdfs(folder: Path, count: int) -> list[Path]:
    paths = []
    for index in range(count):
        doc = make_document("decision", seed=index, dpi=200, pages=1 + index % 2, noise=0.3)
        pages = []
        for page in doc.pages:
            bgr = cv2.cvtColor(np.asarray(page.convert("RGB")), cv2.COLOR_RGB2BGR)
            jpeg = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, 80])[1].tobytes()
            pages.append(PdfPage(jpeg, bgr.shape[1], bgr.shape[0], 200, grey=False, words=[]))
        path = folder / f"doc-{index:02d}.pdf"
        build_searchable_pdf(pages, PdfInfo(title=f"doc {index}"), path)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        setup = build_signing_setup(Settings(data_dir=folder / "data"))
        pdfs = _unsigned_pdfs(folder, args.documents)
        sign_pdf(pdfs[0], folder / "warm-up.pdf", setup)  # font and key loading happen once per process
        seconds = []
        for pdf in pdfs:
            started = time.perf_counter()
            sign_pdf(pdf, pdf.with_suffix(".signed.pdf"), setup)
            seconds.append(time.perf_counter() - started)
    p95 = sorted(seconds)[int(0.95 * (len(seconds) - 1))]
    print(
        f"signing ({setup.level}, stamp): {len(seconds)} documents, mean {statistics.fmean(seconds):.3f} s, "
        f"p95 {p95:.3f} s, max {max(seconds):.3f} s per document (target ≤ 0.3 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
