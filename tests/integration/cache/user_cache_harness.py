"""What the user-cache tests put around the real Redis: an inner repository that counts its reads and can be held
mid-read, a unit of work whose users are cached, and a Redis client that counts its commands (the TCP proxy that
takes Redis away and brings it back is ``support.redis_proxy``).

The inner repository is the in-memory fake (``fakes``), so these tests do not depend on the SQL adapter; its reads
are counted in ``InMemoryDatabase.statements["users.get"]``.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from redis.asyncio import Redis

from fakes import FakeUnitOfWork, InMemoryDatabase, InMemoryUserRepository
from fakes.database import Transaction
from keel.domain.users import User
from keel.infrastructure.cache.user_repository import CachedUserRepository, cached_user_repositories
from keel.infrastructure.cache.user_store import UserCacheStore

type MakeStore = Callable[..., UserCacheStore]
"""The ``make_store`` fixture: ``make_store(client=None, breaker=None, **options)``."""


@dataclass
class ReadControl:
    """Shared by the inner repositories of a test: a simulated latency, and an optional hold after the row is read."""

    latency_seconds: float = 0.0
    hold: bool = False
    loaded: asyncio.Event = field(default_factory=asyncio.Event)
    release: asyncio.Event = field(default_factory=asyncio.Event)


class ControlledUserRepository(InMemoryUserRepository):
    """The in-memory repository, whose ``get`` takes time and, when told, stops after reading until released."""

    def __init__(self, database: InMemoryDatabase, tx: Transaction, control: ReadControl) -> None:
        super().__init__(database, tx)
        self._control = control

    async def get(self, tenant_id: UUID, user_id: UUID, *, include_deleted: bool = False) -> User | None:
        user = await super().get(tenant_id, user_id, include_deleted=include_deleted)
        if self._control.latency_seconds:
            await asyncio.sleep(self._control.latency_seconds)
        if self._control.hold:
            self._control.loaded.set()
            await self._control.release.wait()
        return user


class CachedUnitOfWork(FakeUnitOfWork):
    """The fake unit of work with its users read through the cache, as the SQL one will be in ``redis`` mode."""

    def __init__(self, database: InMemoryDatabase, store: UserCacheStore, control: ReadControl) -> None:
        super().__init__(database)
        self._store = store
        self._control = control

    async def _begin(self) -> None:
        await super()._begin()
        users = cached_user_repositories(
            self._store, lambda tx, uow: ControlledUserRepository(self.database, tx, self._control)
        )
        self.users = users(self._tx, self)


def reader(database: InMemoryDatabase, store: UserCacheStore, control: ReadControl) -> CachedUserRepository:
    """A cached repository outside any unit of work (a read-only request)."""
    inner = ControlledUserRepository(database, Transaction(), control)
    return CachedUserRepository(inner, store, lambda callback: None)


class CountingRedis(Redis):
    """A Redis client that counts the commands it sends, by name (``EVALSHA`` for scripts)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.commands: Counter[str] = Counter()

    async def execute_command(self, *args: Any, **options: Any) -> Any:
        self.commands[str(args[0]).upper()] += 1
        return await super().execute_command(*args, **options)

    @property
    def calls(self) -> int:
        return self.commands.total()
