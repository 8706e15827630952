"""The ``one_time_tokens`` table: password-reset and email-verification tokens, by the SHA-256 digest of their text.

Schema choices:

* One table for both purposes, told apart by ``purpose``: the rules are the same (random, single-use, hashed,
  expiring), and so are the statements.
* ``token_hash`` is unique across purposes; every lookup also names the purpose, so a reset token never verifies an
  email or the reverse.
* ``email`` is the address the token was sent to: a token applies only while the user still has it.
* Using is ``UPDATE ... SET used_at = $now WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at
  > $now RETURNING ...``: of concurrent uses exactly one succeeds.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Final, cast

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, LargeBinary, Table, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from keel.domain.auth import TokenPurpose
from keel.infrastructure.database.models.base import Base

_PURPOSES = ", ".join(f"'{purpose.value}'" for purpose in TokenPurpose)

ONE_TIME_TOKEN_HASH_UNIQUE: Final = "uq_one_time_tokens_token_hash"  # noqa: S105 - an index name, not a secret


class OneTimeTokenRecord(Base):
    __tablename__ = "one_time_tokens"
    __table_args__ = (
        CheckConstraint(f"purpose IN ({_PURPOSES})", name="purpose_known"),
        CheckConstraint("octet_length(token_hash) = 32", name="token_hash_sha256"),
        Index(ONE_TIME_TOKEN_HASH_UNIQUE, "token_hash", unique=True),
        Index(
            "ix_one_time_tokens_tenant_id_user_id_purpose_unused",
            "tenant_id",
            "user_id",
            "purpose",
            postgresql_where=text("used_at IS NULL"),
        ),
        Index("ix_one_time_tokens_expires_at", "expires_at"),
        {"comment": "Password-reset and email-verification tokens by digest; used_at ends them."},
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    tenant_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tenants.id", ondelete="RESTRICT", name="fk_one_time_tokens_tenant_id_tenants")
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE", name="fk_one_time_tokens_user_id_users")
    )
    purpose: Mapped[str] = mapped_column(Text)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary)
    email: Mapped[str] = mapped_column(Text(collation="C"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


one_time_tokens_table: Final = cast(Table, OneTimeTokenRecord.__table__)
"""The table itself, for the repository's Core statements."""
