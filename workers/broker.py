"""Choose the dramatiq broker from the settings and bind sohoa's actors to it, with their limits and retries."""

from __future__ import annotations

import dramatiq
from dramatiq import Broker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage
from sqlalchemy.exc import DBAPIError
from urllib3.exceptions import HTTPError

from schemas.settings import Settings, SettingsError
from storage.catalog import Catalog
from storage.objects import ObjectLocked, ObjectNotFound, ObjectStoreError
from workers.deadletters import CheckArguments, RecordDeadLetters

#: Tries of a step failing for another reason (a tesseract crash, a time limit).
RETRIES = 3
#: Tries of a step whose storage, catalog or broker is away: enough to outlast a restart of a few minutes.
TRANSIENT_RETRIES = 12
MIN_BACKOFF_MS, MAX_BACKOFF_MS = 1_000, 60_000
#: Redis has no connection-bound delivery: a dead worker's messages return after this heartbeat timeout.
REDIS_HEARTBEAT_TIMEOUT_MS = 20_000
#: Share (per million commands) that also look for dead workers, so their messages return within seconds.
REDIS_MAINTENANCE = 100_000


def build_broker(url: str | None) -> Broker:
    """The in-process broker by default; RabbitMQ for amqp:// and Redis for redis:// URLs."""
    if url is None or url == "stub://":
        broker: Broker = StubBroker()
    elif url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=url, confirm_delivery=True)
    elif url.startswith(("redis://", "rediss://")):
        from workers.redis_broker import DeadLetteringRedisBroker

        broker = DeadLetteringRedisBroker(
            url=url, heartbeat_timeout=REDIS_HEARTBEAT_TIMEOUT_MS, maintenance_chance=REDIS_MAINTENANCE
        )
    else:
        raise SettingsError(f"unsupported broker URL {url!r}: use amqp:// or redis://")
    broker.add_middleware(CurrentMessage())
    return broker


def is_transient(exception: BaseException) -> bool:
    """Storage, catalog or network away for a while, as opposed to a problem with the work itself."""
    if isinstance(exception, ObjectNotFound | ObjectLocked):
        return False
    return isinstance(exception, ObjectStoreError | DBAPIError | HTTPError | ConnectionError | TimeoutError)


def should_retry(retries: int, exception: BaseException) -> bool:
    return retries < (TRANSIENT_RETRIES if is_transient(exception) else RETRIES)


def install_broker(broker: Broker, settings: Settings, catalog: Catalog) -> Broker:
    """Make `broker` the global one and declare every sohoa actor on it, with the settings' time limits."""
    from workers import actors

    broker.add_middleware(CheckArguments())
    broker.add_middleware(RecordDeadLetters(catalog))
    dramatiq.set_broker(broker)
    limits = {
        actors.ingest_document: settings.ingest_time_limit_s,
        actors.process_page: settings.page_time_limit_s,
        actors.assemble_document: settings.assemble_time_limit_s,
    }
    for actor in actors.ALL:
        actor.broker = broker
        if actor in limits:
            actor.options["time_limit"] = int(limits[actor] * 1000)
        broker.declare_actor(actor)
    return broker
