"""One-time tokens in PostgreSQL: the ``OneTimeTokenRepository`` port over the unit of work's session.

``use`` is one conditional ``UPDATE ... RETURNING``: of concurrent uses of one token, the first takes the row lock and
the others, once it committed, find the row used and update nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import CursorResult, Executable, Result, delete, insert, select, update

from keel.application.auth import OneTimeTokenRepository
from keel.domain.auth import OneTimeToken, TokenDigest, TokenPurpose
from keel.infrastructure.database.models.one_time_tokens import one_time_tokens_table
from keel.infrastructure.persistence.error_translation import translate_database_errors
from keel.infrastructure.persistence.statements import Statements
from keel.infrastructure.persistence.token_mappers import one_time_token_from_row, one_time_token_values

_tokens = one_time_tokens_table.c


class SqlAlchemyOneTimeTokenRepository(OneTimeTokenRepository):
    """One statement per method."""

    def __init__(self, session: Statements) -> None:
        super().__init__()
        self._session = session

    async def find_usable(self, digest: TokenDigest, purpose: TokenPurpose, *, now: datetime) -> OneTimeToken | None:
        statement = select(one_time_tokens_table).where(*_usable(digest, purpose, now))
        row = (await self._execute(statement)).mappings().one_or_none()
        return one_time_token_from_row(row) if row is not None else None

    async def use(self, digest: TokenDigest, purpose: TokenPurpose, *, now: datetime) -> OneTimeToken | None:
        statement = (
            update(one_time_tokens_table)
            .where(*_usable(digest, purpose, now))
            .values(used_at=now)
            .returning(*one_time_tokens_table.columns)
        )
        row = (await self._execute(statement)).mappings().one_or_none()
        return one_time_token_from_row(row) if row is not None else None

    async def set_aside_outstanding(
        self, tenant_id: UUID, user_id: UUID, purpose: TokenPurpose, *, now: datetime
    ) -> int:
        statement = (
            update(one_time_tokens_table)
            .where(
                _tokens.tenant_id == tenant_id,
                _tokens.user_id == user_id,
                _tokens.purpose == purpose.value,
                _tokens.used_at.is_(None),
            )
            .values(used_at=now)
        )
        return await self._count(statement)

    async def delete_expired(self, *, before: datetime) -> int:
        return await self._count(delete(one_time_tokens_table).where(_tokens.expires_at < before))

    async def _add(self, token: OneTimeToken) -> None:
        await self._execute(insert(one_time_tokens_table).values(one_time_token_values(token)))

    async def _count(self, statement: Executable) -> int:
        result = await self._execute(statement)
        assert isinstance(result, CursorResult)
        return result.rowcount

    async def _execute(self, statement: Executable) -> Result[Any]:
        with translate_database_errors():
            return await self._session.execute(statement)


def _usable(digest: TokenDigest, purpose: TokenPurpose, now: datetime) -> tuple[Any, ...]:
    return (
        _tokens.token_hash == digest.value,
        _tokens.purpose == purpose.value,
        _tokens.used_at.is_(None),
        _tokens.expires_at > now,
    )
