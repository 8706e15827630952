"""API clients to ``api_clients`` rows and back, field by field."""

from __future__ import annotations

from sqlalchemy import RowMapping

from keel.domain.api_clients import ApiClient, ClientSecret


def client_from_row(row: RowMapping) -> ApiClient:
    previous = None
    if row["previous_secret_sealed"] is not None:
        previous = ClientSecret(
            sealed=bytes(row["previous_secret_sealed"]),
            created_at=row["previous_secret_created_at"],
            expires_at=row["previous_secret_expires_at"],
        )
    return ApiClient(
        id=row["id"],
        tenant_id=row["tenant_id"],
        name=row["name"],
        created_by=row["created_by"],
        created_at=row["created_at"],
        secret=ClientSecret(sealed=bytes(row["secret_sealed"]), created_at=row["secret_created_at"]),
        previous_secret=previous,
        revoked_at=row["revoked_at"],
    )


def changed_client_values(client: ApiClient) -> dict[str, object]:
    """The columns that change over a client's life: its secrets and its revocation."""
    previous = client.previous_secret
    return {
        "secret_sealed": client.secret.sealed,
        "secret_created_at": client.secret.created_at,
        "previous_secret_sealed": previous.sealed if previous else None,
        "previous_secret_created_at": previous.created_at if previous else None,
        "previous_secret_expires_at": previous.expires_at if previous else None,
        "revoked_at": client.revoked_at,
    }


def client_values(client: ApiClient) -> dict[str, object]:
    return {
        "id": client.id,
        "tenant_id": client.tenant_id,
        "name": client.name,
        "created_by": client.created_by,
        "created_at": client.created_at,
        **changed_client_values(client),
    }
