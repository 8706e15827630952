"""Refresh and one-time tokens to rows and back, field by field. Digests are stored as raw bytes."""

from __future__ import annotations

from sqlalchemy import RowMapping

from keel.domain.auth import OneTimeToken, RefreshToken, RevocationReason, TokenDigest, TokenPurpose
from keel.domain.users import EmailAddress


def refresh_token_from_row(row: RowMapping) -> RefreshToken:
    reason = row["revoked_reason"]
    return RefreshToken(
        id=row["id"],
        family_id=row["family_id"],
        tenant_id=row["tenant_id"],
        user_id=row["user_id"],
        digest=TokenDigest(bytes(row["token_hash"])),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        spent_at=row["spent_at"],
        replaced_by=row["replaced_by"],
        revoked_at=row["revoked_at"],
        revoked_reason=RevocationReason(reason) if reason is not None else None,
    )


def refresh_token_values(token: RefreshToken) -> dict[str, object]:
    return {
        "id": token.id,
        "family_id": token.family_id,
        "tenant_id": token.tenant_id,
        "user_id": token.user_id,
        "token_hash": token.digest.value,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "spent_at": token.spent_at,
        "replaced_by": token.replaced_by,
        "revoked_at": token.revoked_at,
        "revoked_reason": token.revoked_reason.value if token.revoked_reason is not None else None,
    }


def one_time_token_from_row(row: RowMapping) -> OneTimeToken:
    """The token a row stores, without pending events."""
    return OneTimeToken(
        id=row["id"],
        tenant_id=row["tenant_id"],
        user_id=row["user_id"],
        purpose=TokenPurpose(row["purpose"]),
        digest=TokenDigest(bytes(row["token_hash"])),
        email=EmailAddress(row["email"]),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
        used_at=row["used_at"],
    )


def one_time_token_values(token: OneTimeToken) -> dict[str, object]:
    return {
        "id": token.id,
        "tenant_id": token.tenant_id,
        "user_id": token.user_id,
        "purpose": token.purpose.value,
        "token_hash": token.digest.value,
        "email": token.email.value,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "used_at": token.used_at,
    }
