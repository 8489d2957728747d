"""sohoa: scanned Vietnamese administrative results to signed, searchable, described electronic copies."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sohoa")  # pyproject.toml's, as installed
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
