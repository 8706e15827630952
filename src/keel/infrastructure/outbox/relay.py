"""The relay loop: claim available outbox rows, dispatch them, record the outcome — until told to stop.

Guarantees (see ``docs/explanation/outbox.md``):

* **No row is lost.** A row leaves the undispatched set only once its dispatch succeeded (or was found done already),
  in the transaction that claimed it. A failure — Temporal unreachable, a payload it cannot read — counts an attempt,
  keeps the error in ``last_error`` and hides the row for a backoff that doubles each time, up to a cap; it comes back.
  A crash between dispatching and committing leaves the row undispatched: it is dispatched again, and the workflow id
  derived from the row makes that second start a no-op.
* **Concurrent relays never dispatch a row twice.** Claims skip rows another relay holds (``SKIP LOCKED``).
* **It keeps going.** A pass that fails as a whole (PostgreSQL unreachable) is logged; the loop waits and tries again.

Lag — the number of undispatched rows and the age of the oldest — is available from ``lag()`` and logged periodically
as ``outbox.lag`` with ``pending`` and ``oldest_age_seconds``.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import structlog

from keel.application.ports import Clock
from keel.infrastructure.outbox.backoff import Backoff
from keel.infrastructure.outbox.store import OutboxLag, PendingMessage, SqlAlchemyOutboxStore

logger = structlog.get_logger(__name__)


class OutboxDispatcher(Protocol):
    async def dispatch(self, messages: Sequence[PendingMessage]) -> Sequence[BaseException | None]:
        """Start the work of each message. Per message, in order: ``None`` when it was started now or had been
        started before, or the error that prevented it. Never raises for a message's failure."""
        ...


@dataclass(frozen=True, slots=True)
class RelayPass:
    claimed: int
    dispatched: int
    deferred: int


class OutboxRelay:
    def __init__(
        self,
        store: SqlAlchemyOutboxStore,
        dispatcher: OutboxDispatcher,
        clock: Clock,
        *,
        batch_size: int,
        poll_interval_seconds: float,
        backoff: Backoff,
        lag_log_interval_seconds: float,
    ) -> None:
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, not {batch_size}")
        self._store = store
        self._dispatcher = dispatcher
        self._clock = clock
        self._batch_size = batch_size
        self._poll_interval = poll_interval_seconds
        self._backoff = backoff
        self._lag_log_interval = lag_log_interval_seconds

    async def run_once(self) -> RelayPass:
        """One claim → dispatch → record transaction over up to ``batch_size`` available rows."""
        now = self._clock.now()
        async with self._store.claim(self._batch_size, now) as batch:
            if not batch.messages:
                return RelayPass(claimed=0, dispatched=0, deferred=0)
            outcomes = await self._dispatcher.dispatch(batch.messages)
            if len(outcomes) != len(batch.messages):
                raise RuntimeError(f"the dispatcher answered {len(outcomes)} outcomes for {len(batch.messages)} rows")
            errors: Counter[str] = Counter()
            for message, error in zip(batch.messages, outcomes, strict=True):
                if error is None:
                    batch.mark_dispatched(message.id)
                    continue
                description = _describe(error)
                errors[description] += 1
                delay = self._backoff.delay(message.attempts + 1)
                batch.defer(message.id, error=description, until=now + delay)
                logger.debug(
                    "outbox.message_deferred", message_id=str(message.id), kind=message.kind, error=description
                )
        deferred = errors.total()
        if deferred:
            # One line per pass, not per row: an outage would otherwise log every row of every batch.
            logger.warning(
                "outbox.dispatch_failed", deferred=deferred, claimed=len(batch.messages), errors=dict(errors)
            )
        return RelayPass(claimed=len(batch.messages), dispatched=len(batch.messages) - deferred, deferred=deferred)

    async def run(self, stop: asyncio.Event) -> None:
        """Pass after pass until ``stop`` is set; the pass under way finishes first. Full batches follow each other
        at once; otherwise the relay waits ``poll_interval`` (or for ``stop``)."""
        logger.info("outbox.relay.started", batch_size=self._batch_size, poll_interval_seconds=self._poll_interval)
        next_lag_log = time.monotonic()
        while not stop.is_set():
            full = False
            try:
                full = (await self.run_once()).claimed >= self._batch_size
            except Exception:  # a boundary that must survive: the next pass tries again
                logger.exception("outbox.relay.pass_failed")
            if time.monotonic() >= next_lag_log:
                next_lag_log = time.monotonic() + self._lag_log_interval
                await self._log_lag()
            if not full:
                await _wait(stop, self._poll_interval)
        logger.info("outbox.relay.stopped")

    async def lag(self) -> OutboxLag:
        """Undispatched rows and the creation time of the oldest (``oldest_age_seconds(now)`` for its age)."""
        return await self._store.lag()

    async def _log_lag(self) -> None:
        try:
            lag = await self.lag()
        except Exception:  # the figures are informative; a failure to read them must not stop the relay
            logger.exception("outbox.lag_unavailable")
            return
        logger.info(
            "outbox.lag",
            pending=lag.pending,
            oldest_age_seconds=round(lag.oldest_age_seconds(self._clock.now()), 3),
        )


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    try:
        async with asyncio.timeout(seconds):
            await stop.wait()
    except TimeoutError:
        return


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
