"""Embedded mode: SQLite catalog, local-folder store and the in-process broker, opened and closed together."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from schemas.settings import Settings
from workers import runtime
from workers.broker import build_broker, install_broker
from workers.runtime import Runtime, build_runtime


@contextmanager
def open_embedded(settings: Settings) -> Iterator[Runtime]:
    """The runtime and broker for one process; actors sent meanwhile run on an in-process worker pool."""
    rt = build_runtime(settings)
    runtime.install(rt)
    install_broker(build_broker(settings.broker_url), settings, rt.catalog)
    try:
        yield rt
    finally:
        rt.catalog.close()
