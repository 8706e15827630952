"""The JSON shapes of API v1 — the public contract. Domain objects are translated here, explicitly.

A user's representation never carries a password or a hash: the domain ``User`` has none, and these models only read
the listed fields. An API client's secret appears in exactly one response, ``ApiClientCredentialsView``, at its
creation or rotation.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from keel.domain.api_clients import ApiClient
from keel.domain.tenants import Tenant
from keel.domain.users import User

RoleName = Literal["owner", "admin", "member"]
StatusName = Literal["active", "disabled"]


def _member_only() -> list[RoleName]:
    return ["member"]


class _Strict(BaseModel):
    """Request bodies refuse unknown members: a field the API does not take is an error, not silently dropped."""

    model_config = ConfigDict(extra="forbid")


class PreferencesView(BaseModel):
    locale: str
    timezone: str


class UserView(BaseModel):
    id: UUID
    tenant_id: UUID
    email: str
    username: str
    full_name: str
    roles: list[RoleName]
    status: StatusName
    email_verified: bool
    preferences: PreferencesView
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None
    version: int

    @classmethod
    def of(cls, user: User) -> UserView:
        """The user's representation, built without validation: every value comes from a valid domain ``User``."""
        return cls.model_construct(
            id=user.id,
            tenant_id=user.tenant_id,
            email=user.email.value,
            username=user.username.value,
            full_name=user.full_name,
            roles=sorted(role.value for role in user.roles),
            status=user.status.value,
            email_verified=user.email_verified_at is not None,
            preferences=PreferencesView.model_construct(
                locale=user.preferences.locale, timezone=user.preferences.timezone
            ),
            created_at=user.created_at,
            updated_at=user.updated_at,
            deleted_at=user.deleted_at,
            version=user.version,
        )


class TenantView(BaseModel):
    id: UUID
    slug: str
    name: str
    status: str
    created_at: datetime

    @classmethod
    def of(cls, tenant: Tenant) -> TenantView:
        return cls(
            id=tenant.id,
            slug=tenant.slug.value,
            name=tenant.name,
            status=tenant.status.value,
            created_at=tenant.created_at,
        )


class NewOwnerBody(_Strict):
    email: str = Field(max_length=320)
    username: str = Field(max_length=64)
    full_name: str = Field(default="", max_length=200)
    password: SecretStr = Field(max_length=1024)


class NewTenantBody(_Strict):
    slug: str = Field(max_length=63)
    name: str = Field(max_length=200)
    owner: NewOwnerBody


class CreatedTenantView(BaseModel):
    tenant: TenantView
    owner: UserView


class PreferencesBody(_Strict):
    locale: str | None = Field(default=None, max_length=35)
    timezone: str | None = Field(default=None, max_length=64)


class NewUserBody(_Strict):
    email: str = Field(max_length=320)
    username: str = Field(max_length=64)
    full_name: str = Field(default="", max_length=200)
    password: SecretStr = Field(max_length=1024)
    roles: list[RoleName] = Field(default_factory=_member_only, min_length=1, max_length=3)
    preferences: PreferencesBody | None = None


def _without_defaults(schema: dict[str, Any]) -> None:
    """A merge patch has no defaults: an absent member stays as it is. The Python defaults are placeholders that the
    routes never read (they look at ``model_fields_set``), so they are kept out of the published schema."""
    for member in schema.get("properties", {}).values():
        member.pop("default", None)


class OwnPatchBody(_Strict):
    """JSON merge patch of one's own profile (``PATCH /users/me``): only these members; absent ones are unchanged."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=_without_defaults)

    full_name: str | None = Field(default=None, max_length=200)
    preferences: PreferencesBody | None = None


class UserPatchBody(OwnPatchBody):
    """JSON merge patch of a user by an owner or admin. ``null`` resets the full name and preferences."""

    email: str = Field(default="", max_length=320)
    username: str = Field(default="", max_length=64)
    roles: list[RoleName] = Field(default_factory=list, min_length=1, max_length=3)
    status: StatusName = "active"


class UserPageView(BaseModel):
    items: list[UserView]
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on the last page.")


class BatchBody(_Strict):
    users: Annotated[list[NewUserBody], Field(min_length=1)]


class BatchCreatedView(BaseModel):
    index: int
    user: UserView


class BatchErrorView(BaseModel):
    index: int
    code: str
    detail: str
    field: str | None = None


class BatchResultView(BaseModel):
    created: list[BatchCreatedView]
    errors: list[BatchErrorView]


class LoginBody(_Strict):
    tenant: str = Field(max_length=63, description="The tenant's slug.")
    email: str = Field(max_length=320)
    password: SecretStr = Field(max_length=1024)


class TokenPairView(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth 2 token type, not a secret
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str = Field(
        description="Opaque. Send it to `POST /auth/refresh` for the next pair; each one works once, and sending a "
        "used one again ends the session."
    )
    refresh_expires_in: int = Field(description="Seconds until the refresh token expires if it is not used.")


class RefreshBody(_Strict):
    refresh_token: SecretStr = Field(max_length=256)


class LogoutBody(_Strict):
    refresh_token: SecretStr | None = Field(
        default=None, max_length=256, description="Also end the session this refresh token belongs to."
    )


class PasswordResetBody(_Strict):
    tenant: str = Field(max_length=63, description="The tenant's slug.")
    email: str = Field(max_length=320)


class PasswordResetConfirmBody(_Strict):
    token: SecretStr = Field(max_length=256, description="The token from the password-reset email.")
    new_password: SecretStr = Field(max_length=1024)


class VerifyEmailBody(_Strict):
    token: SecretStr = Field(max_length=256, description="The token from the verification email.")


class NewApiClientBody(_Strict):
    name: str = Field(max_length=100, description="What the client is for, e.g. the partner's name.")


class RotateSecretBody(_Strict):
    previous_secret_valid_for_seconds: int | None = Field(
        default=None,
        ge=0,
        le=2_592_000,
        description="How long the current secret keeps verifying after the rotation (0: it stops at once). "
        "Default: KEEL_SECURITY__API_CLIENT_ROLLOVER_SECONDS.",
    )


class ApiClientView(BaseModel):
    """An API client as its tenant's owners see it: never its secrets."""

    id: UUID
    name: str
    created_by: UUID
    created_at: datetime
    secret_created_at: datetime
    previous_secret_expires_at: datetime | None = Field(
        description="After a rotation: until when the rotated-out secret verifies (a past time once the rollover "
        "is over). Null before any rotation and once it is retired."
    )

    @classmethod
    def of(cls, client: ApiClient) -> ApiClientView:
        previous = client.previous_secret
        return cls(
            id=client.id,
            name=client.name,
            created_by=client.created_by,
            created_at=client.created_at,
            secret_created_at=client.secret.created_at,
            previous_secret_expires_at=previous.expires_at if previous is not None else None,
        )


class ApiClientListView(BaseModel):
    items: list[ApiClientView]


class ApiClientCredentialsView(BaseModel):
    """The client's id and a new secret. The secret is shown here once and can never be read again: store it now."""

    client_id: UUID
    secret: str = Field(description="The HMAC secret to sign requests with. Shown once.")
    client: ApiClientView
