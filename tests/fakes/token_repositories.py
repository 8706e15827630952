"""In-memory refresh-token and one-time-token repositories over an ``InMemoryDatabase`` transaction.

They read the committed state overlaid with the transaction's writes, as the SQL ones read their own transaction. A
spend or a use is a check and a write in one call with no ``await`` between, so within one event loop no other task
can pass the same check in between — what the conditional ``UPDATE`` guarantees in PostgreSQL.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from uuid import UUID

from fakes.database import InMemoryDatabase, Transaction, detached
from keel.application.auth import OneTimeTokenRepository, RefreshTokenRepository
from keel.domain.auth import OneTimeToken, RefreshToken, RevocationReason, TokenDigest, TokenPurpose


class InMemoryRefreshTokenRepository(RefreshTokenRepository):
    def __init__(self, database: InMemoryDatabase, tx: Transaction) -> None:
        self._db, self._tx = database, tx

    def _by_digest(self, digest: TokenDigest) -> RefreshToken | None:
        return next((t for t in self._db.visible_refresh_tokens(self._tx).values() if t.digest == digest), None)

    async def add(self, token: RefreshToken) -> None:
        self._db.statements["refresh_tokens.add"] += 1
        self._tx.refresh_tokens[token.id] = token

    async def spend(self, digest: TokenDigest, *, now: datetime, replaced_by: UUID) -> RefreshToken | None:
        self._db.statements["refresh_tokens.spend"] += 1
        token = self._by_digest(digest)
        if token is None or not token.is_usable(now):
            return None
        spent = dataclasses.replace(token, spent_at=now, replaced_by=replaced_by)
        self._tx.refresh_tokens[token.id] = spent
        return spent

    async def get(self, digest: TokenDigest) -> RefreshToken | None:
        self._db.statements["refresh_tokens.get"] += 1
        return self._by_digest(digest)

    async def revoke_family(
        self, family_id: UUID, *, tenant_id: UUID, user_id: UUID, now: datetime, reason: RevocationReason
    ) -> int:
        self._db.statements["refresh_tokens.revoke_family"] += 1
        return self._revoke(
            lambda t: (t.family_id, t.tenant_id, t.user_id) == (family_id, tenant_id, user_id), now, reason
        )

    async def revoke_all_of_user(
        self, tenant_id: UUID, user_id: UUID, *, now: datetime, reason: RevocationReason
    ) -> int:
        self._db.statements["refresh_tokens.revoke_all_of_user"] += 1
        return self._revoke(lambda t: (t.tenant_id, t.user_id) == (tenant_id, user_id), now, reason)

    async def delete_expired(self, *, before: datetime) -> int:
        self._db.statements["refresh_tokens.delete_expired"] += 1
        expired = [t.id for t in self._db.visible_refresh_tokens(self._tx).values() if t.expires_at < before]
        for token_id in expired:
            self._db.refresh_tokens.pop(token_id, None)
            self._tx.refresh_tokens.pop(token_id, None)
        return len(expired)

    def _revoke(self, selects: object, now: datetime, reason: RevocationReason) -> int:
        assert callable(selects)
        revoked = 0
        for token in self._db.visible_refresh_tokens(self._tx).values():
            if selects(token) and not token.is_revoked:
                self._tx.refresh_tokens[token.id] = dataclasses.replace(token, revoked_at=now, revoked_reason=reason)
                revoked += 1
        return revoked


class InMemoryOneTimeTokenRepository(OneTimeTokenRepository):
    def __init__(self, database: InMemoryDatabase, tx: Transaction) -> None:
        super().__init__()
        self._db, self._tx = database, tx

    def _usable(self, digest: TokenDigest, purpose: TokenPurpose, now: datetime) -> OneTimeToken | None:
        return next(
            (
                t
                for t in self._db.visible_one_time_tokens(self._tx).values()
                if t.digest == digest and t.purpose is purpose and t.is_usable(now)
            ),
            None,
        )

    async def find_usable(self, digest: TokenDigest, purpose: TokenPurpose, *, now: datetime) -> OneTimeToken | None:
        self._db.statements["one_time_tokens.find_usable"] += 1
        token = self._usable(digest, purpose, now)
        return detached(token) if token is not None else None

    async def use(self, digest: TokenDigest, purpose: TokenPurpose, *, now: datetime) -> OneTimeToken | None:
        self._db.statements["one_time_tokens.use"] += 1
        token = self._usable(digest, purpose, now)
        if token is None:
            return None
        used = detached(token)
        used.used_at = now
        self._tx.one_time_tokens[used.id] = detached(used)
        return used

    async def set_aside_outstanding(
        self, tenant_id: UUID, user_id: UUID, purpose: TokenPurpose, *, now: datetime
    ) -> int:
        self._db.statements["one_time_tokens.set_aside_outstanding"] += 1
        set_aside = 0
        for token in self._db.visible_one_time_tokens(self._tx).values():
            if (token.tenant_id, token.user_id, token.purpose) == (
                tenant_id,
                user_id,
                purpose,
            ) and token.used_at is None:
                changed = detached(token)
                changed.used_at = now
                self._tx.one_time_tokens[token.id] = changed
                set_aside += 1
        return set_aside

    async def delete_expired(self, *, before: datetime) -> int:
        self._db.statements["one_time_tokens.delete_expired"] += 1
        expired = [t.id for t in self._db.visible_one_time_tokens(self._tx).values() if t.expires_at < before]
        for token_id in expired:
            self._db.one_time_tokens.pop(token_id, None)
            self._tx.one_time_tokens.pop(token_id, None)
        return len(expired)

    async def _add(self, token: OneTimeToken) -> None:
        self._db.statements["one_time_tokens.add"] += 1
        self._tx.one_time_tokens[token.id] = detached(token)
