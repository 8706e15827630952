"""Outbox messages and the port that stores them in the unit of work's transaction.

A message says what to do (``kind``) and carries what the doing needs as a small JSON object (``payload``): ids and
short values, never whole records — the worker reads current data when it acts. Its ``id`` (a UUIDv7) is the message's
identity everywhere downstream: the Temporal workflow id is derived from it, and an email's ``message_id`` is it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

type JsonValue = str | int | float | bool | list[JsonValue] | dict[str, JsonValue] | None


class MessageKind(StrEnum):
    """What a message asks for; the relay routes each kind to its workflow."""

    SEND_EMAIL = "send_email"
    START_IMPORT = "start_import"
    START_EXPORT = "start_export"


@dataclass(frozen=True, kw_only=True, slots=True)
class OutboxMessage:
    id: UUID
    kind: MessageKind
    tenant_id: UUID
    payload: Mapping[str, JsonValue]
    created_at: datetime
    """When the change that asked for it happened; the relay may dispatch it from then on."""


class Outbox(ABC):
    """Messages written in the unit of work's transaction: committed with the change that asked for them, or not at
    all. Only the relay reads them back, outside any use case."""

    @abstractmethod
    async def add(self, messages: Sequence[OutboxMessage]) -> None:
        """Store the messages in a bounded number of statements, whatever their number (one per few hundred)."""
