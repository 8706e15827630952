"""What the user-cache tests put around the real Redis: an inner repository that counts its reads and can be held
mid-read, a unit of work whose users are cached, a Redis client that counts its commands, and a TCP proxy that can
take Redis away and bring it back.

The inner repository is the in-memory fake (``fakes``), so these tests do not depend on the SQL adapter; its reads
are counted in ``InMemoryDatabase.statements["users.get"]``.
"""

from __future__ import annotations

import asyncio
import contextlib
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


class RedisProxy:
    """Forwards TCP connections on ``port`` to the real Redis while up; down, it refuses them and cuts open ones."""

    def __init__(self, upstream: Redis, port: int) -> None:
        kwargs = upstream.connection_pool.connection_kwargs
        self._path: str | None = kwargs.get("path")
        self._host: str = kwargs.get("host", "127.0.0.1")
        self._port: int = kwargs.get("port", 6379)
        self.port = port
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, reuse_address=True)

    async def down(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        if self._path:
            upstream_reader, upstream_writer = await asyncio.open_unix_connection(self._path)
        else:
            upstream_reader, upstream_writer = await asyncio.open_connection(self._host, self._port)
        self._writers |= {client_writer, upstream_writer}
        try:
            await asyncio.gather(
                _pipe(client_reader, upstream_writer), _pipe(upstream_reader, client_writer), return_exceptions=True
            )
        finally:
            for writer in (client_writer, upstream_writer):
                self._writers.discard(writer)
                writer.close()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await source.read(65_536):
            sink.write(data)
            await sink.drain()
    sink.close()
