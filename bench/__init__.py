"""Benchmarks: sohoa against raw tesseract and ocrmypdf on the same generated pages."""
