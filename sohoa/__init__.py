"""sohoa: scanned Vietnamese administrative results to signed, searchable, described electronic copies."""

from schemas.version import VERSION as __version__

__all__ = ["__version__"]
