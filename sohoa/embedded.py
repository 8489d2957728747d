"""Embedded mode: SQLite catalog, local-folder store and the in-process broker, opened and closed together."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from schemas.settings import Settings
from workers.runtime import Runtime
from workers.wiring import open_runtime


@contextmanager
def open_embedded(settings: Settings) -> Iterator[Runtime]:
    """The runtime and broker for one process (`workers.wiring.open_runtime`), with no worker of its own yet."""
    with open_runtime(settings) as opened:
        yield opened.rt
