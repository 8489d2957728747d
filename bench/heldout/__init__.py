"""Held-out benchmark corpus: scanned-looking Vietnamese administrative documents with ground truth.

Written independently of the pipeline it measures: HTML + CSS printed by headless Chromium, rasterised by poppler,
then inked (seal, signature, handwriting, stamps) and degraded (scanner, fax, phone photo) with numpy/OpenCV.
"""

from bench.heldout.corpus import Doc, plan_corpus, render_pdf, truth, write_corpus, write_docs

__all__ = ["Doc", "plan_corpus", "render_pdf", "truth", "write_corpus", "write_docs"]
