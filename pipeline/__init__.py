"""Pure processing stages on page images and PDFs: load, orient, deskew, clean, OCR, assemble."""
