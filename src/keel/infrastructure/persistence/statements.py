"""``Statements``: what the SQL repositories need of a session — to execute a statement — and ``LazySession``, the
unit of work's session, opened only when the first statement runs.

A use case answered from the cache never executes a statement, so it never pays for building a SQLAlchemy session
(nor for closing one). Repositories take any ``Statements``; an ``AsyncSession`` is one too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Executable, Result
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

type Parameters = Mapping[str, Any] | Sequence[Mapping[str, Any]]
"""One statement's parameters, or a list of them: the statement runs once per item (an "executemany")."""


class Statements(Protocol):
    async def execute(self, statement: Executable, params: Parameters | None = None) -> Result[Any]: ...


class LazySession:
    """Executes through a session of ``factory``, made at the first statement (``session`` is None until then)."""

    def __init__(self, factory: async_sessionmaker[AsyncSession]) -> None:
        self._factory = factory
        self.session: AsyncSession | None = None

    async def execute(self, statement: Executable, params: Parameters | None = None) -> Result[Any]:
        session = self.session
        if session is None:
            session = self.session = self._factory()
        return await session.execute(statement, params)
