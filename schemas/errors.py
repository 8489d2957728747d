"""What went wrong, with the exit status it gives (as OCRmyPDF's exceptions carry theirs).

Every error sohoa raises for a person to act on derives from `SohoaError`: the command line catches it once
and exits with its `exit_code`. Failures of the services underneath (disk, database, broker) are not ours
to name and exit with `ExitCode.FAILED`.
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    #: Something failed that is not the input's fault (a document, the disk, the database, the broker).
    FAILED = 1
    #: The command cannot be done as asked: no input, a bad argument, an unknown document or field.
    USAGE = 2
    #: The installation or the settings are wrong: tesseract or a model missing, an unusable signing key.
    CONFIG = 3
    INTERRUPTED = 130


class SohoaError(Exception):
    exit_code = ExitCode.FAILED


class UsageError(SohoaError, ValueError):
    exit_code = ExitCode.USAGE


class ConfigurationError(SohoaError):
    exit_code = ExitCode.CONFIG


def root_cause(exc: BaseException) -> str:
    """The root cause of a failure underneath in a few words (e.g. "No space left on device")."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return getattr(exc, "strerror", None) or str(exc).splitlines()[0]
