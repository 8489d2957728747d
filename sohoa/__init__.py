"""sohoa: scanned Vietnamese administrative results to signed, searchable, described electronic copies."""

__all__ = ["__version__"]


def __getattr__(name: str) -> str:
    """`sohoa.__version__`, read from the package metadata only when asked: reading it costs the command line's
    start a tenth of a second."""
    if name == "__version__":
        from schemas.version import VERSION

        return VERSION
    raise AttributeError(f"module 'sohoa' has no attribute {name!r}")
