"""sohoa: scanned Vietnamese administrative results to signed, searchable, described electronic copies."""

__version__ = "0.1.0"
