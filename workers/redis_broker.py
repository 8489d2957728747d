"""dramatiq's Redis broker, with undecodable messages dead-lettered instead of restarting the consumer.

dramatiq's RabbitMQ consumer rejects a message whose bytes do not decode, so it lands in the dead-letter
queue (`QUEUE.XQ`). Its Redis consumer raises instead: the worker restarts the consumer, the bytes stay
in flight, come back after the heartbeat timeout, and restart it again, for ever. Here the consumer finds
the bad message among the ones it holds and moves it to the dead-letter queue, as RabbitMQ would, where
`workers.deadletters.drain_broker` records it with its reason.
"""

from __future__ import annotations

import logging

from dramatiq.brokers.redis import RedisBroker, _RedisConsumer
from dramatiq.errors import DecodeError

log = logging.getLogger(__name__)


class _DeadLetteringConsumer(_RedisConsumer):
    def __next__(self):  # type: ignore[override]
        while True:
            try:
                return super().__next__()
            except DecodeError as exc:  # the bytes were taken from the cache; the message is in our acks
                self._dead_letter(exc.data)

    def _dead_letter(self, data: bytes) -> None:
        broker = self.broker
        client, namespace = broker.client, broker.namespace
        held = f"{namespace}:__acks__.{broker.broker_id}.{self.queue_name}"
        messages = f"{namespace}:{self.queue_name}.msgs"
        for redis_message_id in client.smembers(held):
            if client.hget(messages, redis_message_id) == data:
                broker.do_nack(self.queue_name, redis_message_id)
                log.error("dead-lettered an undecodable message on %s: %r", self.queue_name, data[:200])
                return
        log.error("an undecodable message on %s was not among this worker's: %r", self.queue_name, data[:200])


class DeadLetteringRedisBroker(RedisBroker):
    """A Redis broker whose consumers move undecodable messages to the dead-letter queue."""

    @property
    def consumer_class(self):  # type: ignore[override]
        return _DeadLetteringConsumer
