"""The lease sweeper: the catalog is the state, so a document whose message was lost is simply sent again.

A document that is unfinished and shows no progress (neither on its row nor on any page) for a
lease is re-enqueued: received and processing documents to ingest (which re-sends only the pages
still pending), assembling ones to assembly. Of several sweepers, one renews the lease and sends.
Each round also folds the counters' changes (`storage.report_counts`), so reports and reconciliations read few rows,
and anchors the audit log's head in the archive when the latest anchor is a day old (`storage.audit_anchor`).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from dramatiq import Broker

from storage.audit_anchor import anchor_if_due
from storage.layout import ARCHIVE
from storage.report_counts import fold_changes
from workers import actors
from workers.deadletters import drain_broker
from workers.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recovered:
    """A stuck document and the step it was sent to again."""

    document_id: str
    status: str
    step: str


def recover(rt: Runtime, lease_seconds: float) -> list[Recovered]:
    """Re-enqueue every document stuck for longer than `lease_seconds`; returns what was sent."""
    sent = []
    for document_id, status in rt.catalog.stuck_documents(lease_seconds):
        if not rt.catalog.renew_lease(document_id, lease_seconds):
            continue  # another sweeper took it, or it moved on meanwhile
        actor = actors.assemble_document if status == "assembling" else actors.ingest_document
        actor.send(document_id)
        sent.append(Recovered(document_id, status, actor.actor_name))
        log.warning(
            "document %s was %s with no progress for %.0f s: sent to %s again",
            document_id,
            status,
            lease_seconds,
            actor.actor_name,
        )
    return sent


class Sweeper(threading.Thread):
    """Runs `recover`, drains the broker's dead-letter queues, folds the report counters' changes and anchors
    the audit log when due, every `interval` seconds until stopped."""

    def __init__(self, rt: Runtime, broker: Broker, *, interval: float) -> None:
        super().__init__(name="sohoa-sweeper", daemon=True)
        self.rt, self.broker, self.interval = rt, broker, interval
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.interval):
            try:
                recover(self.rt, self.rt.settings.lease_seconds)
                drain_broker(self.broker, self.rt.catalog)
                fold_changes(self.rt.catalog)
                anchor_if_due(self.rt.catalog, self.rt.store, ARCHIVE)
            except Exception:  # the catalog or broker is away for a moment: try again next round
                log.exception("sweep failed; trying again in %.0f s", self.interval)

    def stop(self) -> None:
        self.stopped.set()
