"""Dead letters: messages no worker could process, kept in the catalog with their reason, listed and re-sent.

A message becomes a dead letter when it is malformed (its bytes do not decode, or its arguments do
not fit the actor), names a document the catalog does not know, or names an actor that does not
exist. The broker's own dead-letter queues (`QUEUE.XQ`) are drained into the catalog as well, so
`sohoa dlq list` shows every dead letter, with its reason, in one place.

Pages and assemblies whose retries run out are not dead letters: their document is finished as
`failed` with the reason, and running the batch again retries it.
"""

from __future__ import annotations

import json
import logging
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from inspect import signature

from dramatiq import Broker, Message
from dramatiq.broker import MessageProxy
from dramatiq.errors import DecodeError
from dramatiq.middleware import Middleware, SkipMessage

from storage.catalog import Catalog

log = logging.getLogger(__name__)


class MalformedMessage(ValueError):
    """A message whose arguments do not fit its actor; retrying cannot help."""


class CheckArguments(Middleware):
    """Refuse, before any work, a message whose arguments do not match its actor's signature and types."""

    def before_process_message(self, broker: Broker, message: MessageProxy) -> None:
        actor = broker.get_actor(message.actor_name)
        try:
            bound = signature(actor.fn).bind(*message.args, **message.kwargs)
            hints = typing.get_type_hints(actor.fn)
            for name, value in bound.arguments.items():
                expected = hints.get(name)
                if expected in (str, int) and (type(value) is not expected or value in ("", None)):
                    raise TypeError(f"{name} must be {expected.__name__}, not {value!r}")
        except TypeError as exc:
            message.fail()
            raise SkipMessage(f"malformed message for {actor.actor_name}: {exc}") from None


class RecordDeadLetters(Middleware):
    """Write every message the broker is told to reject into the catalog, with the reason."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog

    def after_nack(self, broker: Broker, message: MessageProxy) -> None:
        actor = broker.actors.get(message.actor_name)
        if actor is not None and actor.options.get("on_retry_exhausted") and not _refused(message):
            return  # the document was finished as failed, with the reason
        try:
            record_message(self.catalog, message._message, reason_of(message))
        except Exception:  # the catalog is down: the broker's dead-letter queue still has it
            log.exception("could not record dead letter %s", message.message_id)


def _refused(message: MessageProxy) -> bool:
    return isinstance(getattr(message, "_exception", None), SkipMessage | MalformedMessage | LookupError)


def reason_of(message: MessageProxy) -> str:
    exception = getattr(message, "_exception", None)
    if exception is not None:
        text = str(exception) or type(exception).__name__
        return text if isinstance(exception, SkipMessage) else f"{type(exception).__name__}: {text}"
    trace = (message.options.get("traceback") or "").strip().splitlines()
    return trace[-1] if trace else "rejected by the worker"


def record_message(catalog: Catalog, message: Message, reason: str) -> int:
    document_id = message.args[0] if message.args and isinstance(message.args[0], str) else None
    options = {k: v for k, v in message.options.items() if k not in ("traceback", "redis_message_id")}
    return catalog.add_dead_letter(
        message_id=message.message_id,
        queue_name=message.queue_name,
        actor_name=message.actor_name,
        document_id=document_id[:64] if document_id else None,
        body=message.copy(options=options).encode().decode("utf-8", "replace"),
        reason=reason,
    )


# --- the broker's own dead-letter queues ---------------------------------------------------------


def drain_broker(broker: Broker, catalog: Catalog) -> int:
    """Move what the broker dead-lettered by itself (undecodable bytes) into the catalog; returns how many."""
    moved = 0
    for queue_name, body in _broker_dead_letters(broker):
        try:
            message = Message.decode(body)
        except DecodeError as exc:
            catalog.add_dead_letter(
                message_id=None,
                queue_name=queue_name,
                actor_name=None,
                document_id=None,
                body=body.decode("utf-8", "replace")[:100_000],
                reason=f"malformed message: cannot be decoded ({exc.error})",
            )
            moved += 1
            continue
        if not catalog.has_dead_letter(message.message_id) and broker.actors.get(message.actor_name) is None:
            record_message(catalog, message, f"no actor named {message.actor_name!r}")
            moved += 1
    return moved


def _broker_dead_letters(broker: typing.Any) -> Iterator[tuple[str, bytes]]:
    """Take every message out of the broker's dead-letter queues (RabbitMQ and Redis: each broker's own client)."""
    queues = sorted(q for q in broker.get_declared_queues() if not q.endswith((".DQ", ".XQ")))
    kinds = {cls.__name__ for cls in type(broker).__mro__}  # by name: each broker's client is imported lazily
    if "RabbitmqBroker" in kinds:
        for queue in queues:
            broker.declare_queue(queue, ensure=True)
            channel = broker.channel
            while True:
                method, _properties, body = channel.basic_get(f"{queue}.XQ", auto_ack=False)
                if method is None:
                    break
                yield queue, body
                channel.basic_ack(method.delivery_tag)
    elif "RedisBroker" in kinds:
        client, namespace = broker.client, broker.namespace
        for queue in queues:
            xq = f"{namespace}:{queue}.XQ"
            for message_id in client.zrange(xq, 0, -1):
                body = client.hget(f"{xq}.msgs", message_id)
                if body is not None:
                    yield queue, body
                client.zrem(xq, message_id)
                client.hdel(f"{xq}.msgs", message_id)


# --- listing and re-sending ----------------------------------------------------------------------


@dataclass(frozen=True)
class Resent:
    """The outcome of re-sending one dead letter."""

    dead_letter_id: int
    sent: bool
    note: str


def resend(broker: Broker, catalog: Catalog, ids: list[int] | None = None) -> list[Resent]:
    """Send dead letters (all waiting ones, or those ids) again with fresh retries; malformed ones cannot be."""
    outcomes = []
    for letter in catalog.dead_letters():
        if ids is not None and letter.id not in ids:
            continue
        try:
            message = Message.decode(letter.body.encode())
        except DecodeError:
            outcomes.append(Resent(letter.id, False, "malformed: cannot be sent again"))
            continue
        if broker.actors.get(message.actor_name) is None:
            outcomes.append(Resent(letter.id, False, f"no actor named {message.actor_name!r}"))
            continue
        options = {k: v for k, v in message.options.items() if k not in ("retries", "requeue_timestamp")}
        broker.enqueue(message.copy(options=options))
        catalog.mark_retried(letter.id)
        outcomes.append(Resent(letter.id, True, f"{message.actor_name}({_args(message)}) sent again"))
    return outcomes


def _args(message: Message) -> str:
    return ", ".join(json.dumps(a, ensure_ascii=False) for a in message.args)
