"""The ``refresh_tokens`` table: every refresh token issued, by the SHA-256 digest of its text, in families.

Schema choices:

* ``token_hash`` is the 32-byte digest, unique: a presented token is found by one index lookup, and the text itself
  is stored nowhere.
* Spending is ``UPDATE ... WHERE token_hash = $1 AND spent_at IS NULL AND revoked_at IS NULL AND expires_at > $2
  RETURNING ...``: the row lock makes concurrent spends of one token queue, and each re-checks the condition after the
  one before it committed, so exactly one succeeds.
* ``spent_at`` comes with ``replaced_by`` (the successor) and ``revoked_at`` with ``revoked_reason``: CHECKs keep them
  together.
* The user's tokens go with the user (``ON DELETE CASCADE``): a purge of a user leaves no session behind. Users are
  soft-deleted in normal operation, and refresh refuses deleted users.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Final, cast

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, LargeBinary, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from keel.domain.auth import RevocationReason
from keel.infrastructure.database.models.base import Base

# Derived from the domain's enum: a new reason shows as drift until a migration widens the constraint.
_REASONS = ", ".join(f"'{reason.value}'" for reason in RevocationReason)

REFRESH_TOKEN_HASH_UNIQUE: Final = "uq_refresh_tokens_token_hash"  # noqa: S105 - an index name, not a secret


class RefreshTokenRecord(Base):
    __tablename__ = "refresh_tokens"
    __table_args__ = (
        CheckConstraint(f"revoked_reason IS NULL OR revoked_reason IN ({_REASONS})", name="revoked_reason_known"),
        CheckConstraint("(revoked_at IS NULL) = (revoked_reason IS NULL)", name="revocation_explained"),
        CheckConstraint("(spent_at IS NULL) = (replaced_by IS NULL)", name="spent_replaced"),
        CheckConstraint("octet_length(token_hash) = 32", name="token_hash_sha256"),
        Index(REFRESH_TOKEN_HASH_UNIQUE, "token_hash", unique=True),
        Index("ix_refresh_tokens_family_id", "family_id"),
        Index("ix_refresh_tokens_tenant_id_user_id", "tenant_id", "user_id"),
        Index("ix_refresh_tokens_expires_at", "expires_at"),
        {"comment": "Refresh tokens by digest, in families; spent ones name their successor."},
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    family_id: Mapped[uuid.UUID]
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="RESTRICT", name="fk_refresh_tokens_tenant_id_tenants")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE", name="fk_refresh_tokens_user_id_users")
    )
    token_hash: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    spent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    replaced_by: Mapped[uuid.UUID | None]
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(Text)


refresh_tokens_table: Final = cast(Table, RefreshTokenRecord.__table__)
"""The table itself, for the repository's Core statements."""
