"""Refresh tokens in PostgreSQL: the ``RefreshTokenRepository`` port over the unit of work's session.

``spend`` is the one statement the rotation's safety rests on: a conditional ``UPDATE ... RETURNING``. PostgreSQL
locks the row it updates; a concurrent spend of the same token waits for that lock and, once the first transaction
has committed, re-evaluates its ``WHERE`` against the row as committed — which is spent now — and updates nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import CursorResult, Executable, Result, delete, insert, select, update

from keel.application.auth import RefreshTokenRepository
from keel.domain.auth import RefreshToken, RevocationReason, TokenDigest
from keel.infrastructure.database.models.refresh_tokens import refresh_tokens_table
from keel.infrastructure.persistence.error_translation import translate_database_errors
from keel.infrastructure.persistence.statements import Statements
from keel.infrastructure.persistence.token_mappers import refresh_token_from_row, refresh_token_values

_tokens = refresh_tokens_table.c


class SqlAlchemyRefreshTokenRepository(RefreshTokenRepository):
    """One statement per method."""

    def __init__(self, session: Statements) -> None:
        self._session = session

    async def add(self, token: RefreshToken) -> None:
        await self._execute(insert(refresh_tokens_table).values(refresh_token_values(token)))

    async def spend(self, digest: TokenDigest, *, now: datetime, replaced_by: UUID) -> RefreshToken | None:
        statement = (
            update(refresh_tokens_table)
            .where(
                _tokens.token_hash == digest.value,
                _tokens.spent_at.is_(None),
                _tokens.revoked_at.is_(None),
                _tokens.expires_at > now,
            )
            .values(spent_at=now, replaced_by=replaced_by)
            .returning(*refresh_tokens_table.columns)
        )
        row = (await self._execute(statement)).mappings().one_or_none()
        return refresh_token_from_row(row) if row is not None else None

    async def get(self, digest: TokenDigest) -> RefreshToken | None:
        statement = select(refresh_tokens_table).where(_tokens.token_hash == digest.value)
        row = (await self._execute(statement)).mappings().one_or_none()
        return refresh_token_from_row(row) if row is not None else None

    async def revoke_family(
        self, family_id: UUID, *, tenant_id: UUID, user_id: UUID, now: datetime, reason: RevocationReason
    ) -> int:
        return await self._revoke(
            now, reason, _tokens.family_id == family_id, _tokens.tenant_id == tenant_id, _tokens.user_id == user_id
        )

    async def revoke_all_of_user(
        self, tenant_id: UUID, user_id: UUID, *, now: datetime, reason: RevocationReason
    ) -> int:
        return await self._revoke(now, reason, _tokens.tenant_id == tenant_id, _tokens.user_id == user_id)

    async def delete_expired(self, *, before: datetime) -> int:
        return await self._count(delete(refresh_tokens_table).where(_tokens.expires_at < before))

    async def _revoke(self, now: datetime, reason: RevocationReason, *conditions: Any) -> int:
        statement = (
            update(refresh_tokens_table)
            .where(*conditions, _tokens.revoked_at.is_(None))
            .values(revoked_at=now, revoked_reason=reason.value)
        )
        return await self._count(statement)

    async def _count(self, statement: Executable) -> int:
        result = await self._execute(statement)
        assert isinstance(result, CursorResult)
        return result.rowcount

    async def _execute(self, statement: Executable) -> Result[Any]:
        with translate_database_errors():
            return await self._session.execute(statement)
