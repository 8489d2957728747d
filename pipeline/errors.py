"""Typed errors of the processing stages; each says whether trying again could help."""

from __future__ import annotations

from schemas.errors import ConfigurationError


class StageError(Exception):
    """A stage could not finish. `code` is the stable code written to the document record."""

    code = "internal_error"
    retryable = False

    def __init__(self, message: str, *, code: str | None = None, page: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.page = page


class InputRejected(StageError):
    """The input itself is unusable (bad format, too big, encrypted...). Retrying cannot help."""

    code = "bad_input"


class TesseractNotFound(StageError, ConfigurationError):
    """Tesseract or a model it needs is not installed; a configuration problem, not a document one."""

    code = "ocr_unavailable"


class TesseractFailed(StageError):
    """Tesseract crashed or printed something we could not parse; worth one more try."""

    code = "ocr_failed"
    retryable = True


class TesseractTimeout(TesseractFailed):
    """Tesseract ran past its time limit and was killed."""

    code = "ocr_timeout"
