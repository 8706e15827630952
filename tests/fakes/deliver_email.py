"""A ``DeliverEmail`` that records what it was asked to deliver and fails as a test scripts it.

``script`` lists what the next calls do, in order: an exception instance is raised (e.g. ``TransientEmailError``,
``PermanentEmailError``), ``None`` delivers. Once the script is used up every call delivers — or raises ``always``
when it is given (a server that never recovers). Like the real use case it
is idempotent per ``message_id``: a message already sent is answered from its record, not sent again — so
``sent`` lists each message once, while ``calls`` lists every attempt.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterable
from uuid import UUID

from keel.application.email.ports import DeliveryOutcome, DeliveryStatus, EmailRequest


class FakeDeliverEmail:
    def __init__(self, script: Iterable[Exception | None] = (), *, always: Exception | None = None) -> None:
        self.script: list[Exception | None] = list(script)
        self.always = always
        self.calls: list[UUID] = []
        self.sent: list[UUID] = []
        self.outcomes: dict[UUID, DeliveryOutcome] = {}
        self._changed = asyncio.Condition()

    async def __call__(self, request: EmailRequest) -> DeliveryOutcome:
        self.calls.append(request.message_id)
        recorded = self.outcomes.get(request.message_id)
        if recorded is not None:
            return recorded
        step = self.script.pop(0) if self.script else self.always
        if step is not None:
            raise step
        attempts = Counter(self.calls)[request.message_id]
        outcome = DeliveryOutcome(
            message_id=request.message_id,
            status=DeliveryStatus.SENT,
            attempts=attempts,
            provider_message_id=f"<{request.message_id}@keel.test>",
        )
        self.outcomes[request.message_id] = outcome
        self.sent.append(request.message_id)
        async with self._changed:
            self._changed.notify_all()
        return outcome

    async def wait_for_sent(self, count: int) -> None:
        """Return once ``count`` distinct messages were sent (bound it with ``asyncio.timeout``)."""
        async with self._changed:
            await self._changed.wait_for(lambda: len(self.sent) >= count)
