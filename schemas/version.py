"""sohoa's version, as its package metadata has it (pyproject.toml's, once installed)."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("sohoa")
except PackageNotFoundError:  # run from a source tree that was never installed
    VERSION = "0+unknown"
