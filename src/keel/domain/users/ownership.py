"""A tenant always keeps at least one active owner: the domain service that guards it.

An owner stops counting when they lose the ``owner`` role, are disabled or are deleted. Use cases note
``user.is_active_owner`` before a change and, if the change ends it, ask this policy before storing it.
"""

from __future__ import annotations

from typing import Protocol
from uuid import UUID

from keel.domain.users.errors import LastOwnerRequired
from keel.domain.users.user import User


class OwnerCount(Protocol):
    """What the policy needs from storage; the users repository provides it."""

    async def count_active_owners(self, tenant_id: UUID) -> int:
        """Active, non-deleted users of the tenant holding ``owner``, as stored in this transaction.

        Implementations lock those rows (``SELECT ... FOR UPDATE``) so that two concurrent demotions cannot both see
        another owner left.
        """
        ...


class LastOwnerPolicy:
    def __init__(self, owners: OwnerCount) -> None:
        self._owners = owners

    async def ensure_may_stop_owning(self, user: User) -> None:
        """Raise ``LastOwnerRequired`` unless another active owner remains once ``user`` stops being one.

        Call it before storing the change, while the stored state still counts ``user`` as an owner.
        """
        if await self._owners.count_active_owners(user.tenant_id) <= 1:
            raise LastOwnerRequired

    async def check_change(self, user: User, *, was_active_owner: bool) -> None:
        """After changing ``user`` in memory: check the policy if the change ended their ownership."""
        if was_active_owner and not user.is_active_owner:
            await self.ensure_may_stop_owning(user)
