"""Choose the dramatiq broker from the settings and bind sohoa's actors to it."""

from __future__ import annotations

import dramatiq
from dramatiq import Broker
from dramatiq.brokers.stub import StubBroker
from dramatiq.middleware import CurrentMessage


def build_broker(url: str | None) -> Broker:
    """The in-process broker by default; RabbitMQ for amqp:// and Redis for redis:// URLs."""
    if url is None or url == "stub://":
        broker: Broker = StubBroker()
    elif url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        broker = RabbitmqBroker(url=url)
    elif url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        broker = RedisBroker(url=url)
    else:
        raise ValueError(f"unsupported broker URL {url!r}: use amqp:// or redis://")
    broker.add_middleware(CurrentMessage())
    return broker


def install_broker(broker: Broker) -> Broker:
    """Make `broker` the global one and declare every sohoa actor on it."""
    from workers import actors

    dramatiq.set_broker(broker)
    for actor in actors.ALL:
        actor.broker = broker
        broker.declare_actor(actor)
    return broker
