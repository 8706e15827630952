"""The outbox relay: moves committed outbox rows to Temporal, at least once, never losing one.

``SqlAlchemyOutboxStore`` claims undispatched rows with ``FOR UPDATE SKIP LOCKED`` and records what happened to them;
``OutboxRelay`` loops over claim → dispatch → record, backing failed rows off exponentially, and reports its lag; the
dispatcher (``keel.infrastructure.temporal.dispatcher``) starts one workflow per row, with an id derived from the row's.
See ``docs/explanation/outbox.md``.
"""

from keel.infrastructure.outbox.backoff import Backoff
from keel.infrastructure.outbox.relay import OutboxDispatcher, OutboxRelay, RelayPass
from keel.infrastructure.outbox.store import ClaimedBatch, OutboxLag, PendingMessage, SqlAlchemyOutboxStore

__all__ = [
    "Backoff",
    "ClaimedBatch",
    "OutboxDispatcher",
    "OutboxLag",
    "OutboxRelay",
    "PendingMessage",
    "RelayPass",
    "SqlAlchemyOutboxStore",
]
