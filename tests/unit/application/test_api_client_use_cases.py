"""The API client use cases on fakes: who may manage clients, the shown-once secret, rotation and revocation, and how
a signed request is judged — time first, then client and signature, then the nonce."""

from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from uuid import UUID

import pytest

from fakes.secrets import FakeNonceRegister, FakeSecretSealer
from fakes.world import World, actor
from keel.application.api_clients import (
    SECRET_PREFIX,
    ApiClientCommand,
    AuthenticateApiClient,
    CreateApiClient,
    CreateApiClientCommand,
    InvalidSignature,
    IssuedCredentials,
    ListApiClients,
    ListApiClientsQuery,
    NonceReused,
    RequestTimeSkewed,
    RetirePreviousSecret,
    RevokeApiClient,
    RotateApiClientSecret,
    RotateApiClientSecretCommand,
    SignedRequest,
)
from keel.application.errors import PermissionDenied
from keel.domain.api_clients import MAX_ACTIVE_CLIENTS, ApiClientNotFound, TooManyApiClients
from keel.domain.tenants import Tenant, TenantStatus
from keel.domain.users import Role, User

STRING_TO_SIGN = b"KEEL-HMAC-SHA256\n20250101T120000Z\nabc"
SKEW = 300


@pytest.fixture
def world() -> World:
    return World()


@pytest.fixture
def tenant(world: World) -> Tenant:
    return world.tenant()


@pytest.fixture
def owner(world: World, tenant: Tenant) -> User:
    return world.user(tenant, "olive", roles=(Role.OWNER,))


@pytest.fixture
def sealer() -> FakeSecretSealer:
    return FakeSecretSealer()


@pytest.fixture
def nonces() -> FakeNonceRegister:
    return FakeNonceRegister()


@pytest.fixture
def create(world: World, sealer: FakeSecretSealer) -> CreateApiClient:
    return CreateApiClient(world.uow, sealer, world.clock, world.ids)


@pytest.fixture
def authenticate(world: World, sealer: FakeSecretSealer, nonces: FakeNonceRegister) -> AuthenticateApiClient:
    return AuthenticateApiClient(world.uow, sealer, nonces, world.clock, max_skew_seconds=SKEW)


def signed(
    issued: IssuedCredentials, world: World, *, nonce: str = "nonce-0123456789", secret: str | None = None
) -> SignedRequest:
    key = (secret if secret is not None else issued.secret).encode()
    return SignedRequest(
        client_id=str(issued.client.id),
        signed_at=world.clock.now(),
        nonce=nonce,
        string_to_sign=STRING_TO_SIGN,
        signature=hmac.new(key, STRING_TO_SIGN, hashlib.sha256).hexdigest(),
    )


async def test_an_owner_creates_a_client_and_sees_its_secret_once(
    world: World, owner: User, create: CreateApiClient, sealer: FakeSecretSealer
) -> None:
    issued = await create(CreateApiClientCommand(actor=actor(owner), name="Billing sync"))
    assert issued.secret.startswith(SECRET_PREFIX)
    assert len(issued.secret) > len(SECRET_PREFIX) + 40
    stored = world.db.api_clients[issued.client.id]
    assert stored.tenant_id == owner.tenant_id
    assert stored.created_by == owner.id
    assert sealer.open(stored.secret.sealed, client_id=stored.id) == issued.secret.encode()
    assert issued.secret not in repr(issued)


@pytest.mark.parametrize("roles", [(Role.ADMIN,), (Role.MEMBER,)])
async def test_only_owners_manage_clients(
    world: World, tenant: Tenant, create: CreateApiClient, roles: tuple[Role, ...]
) -> None:
    someone = actor(world.user(tenant, "someone", roles=roles))
    with pytest.raises(PermissionDenied):
        await create(CreateApiClientCommand(actor=someone, name="Mine"))
    with pytest.raises(PermissionDenied):
        await ListApiClients(world.uow)(ListApiClientsQuery(actor=someone))
    assert world.db.api_clients == {}


async def test_a_tenant_holds_at_most_the_maximum_of_active_clients(
    world: World, owner: User, create: CreateApiClient
) -> None:
    issued = [await create(CreateApiClientCommand(actor=actor(owner), name=f"c{n}")) for n in range(MAX_ACTIVE_CLIENTS)]
    with pytest.raises(TooManyApiClients):
        await create(CreateApiClientCommand(actor=actor(owner), name="one more"))
    await RevokeApiClient(world.uow, world.clock)(ApiClientCommand(actor=actor(owner), client_id=issued[0].client.id))
    await create(CreateApiClientCommand(actor=actor(owner), name="replacement"))
    listed = await ListApiClients(world.uow)(ListApiClientsQuery(actor=actor(owner)))
    assert len(listed) == MAX_ACTIVE_CLIENTS
    assert issued[0].client.id not in {client.id for client in listed}


async def test_a_signed_request_of_an_active_client_is_its_principal(
    world: World, owner: User, create: CreateApiClient, authenticate: AuthenticateApiClient
) -> None:
    issued = await create(CreateApiClientCommand(actor=actor(owner), name="Sync"))
    principal = await authenticate(signed(issued, world))
    assert (principal.client_id, principal.tenant_id) == (issued.client.id, owner.tenant_id)
    assert [permission.value for permission in principal.permissions] == ["users:read"]


@pytest.mark.parametrize("seconds", [-SKEW - 1, SKEW + 1])
async def test_a_request_outside_the_time_window_is_refused_before_anything_else(
    *,
    world: World,
    owner: User,
    create: CreateApiClient,
    authenticate: AuthenticateApiClient,
    nonces: FakeNonceRegister,
    seconds: int,
) -> None:
    issued = await create(CreateApiClientCommand(actor=actor(owner), name="Sync"))
    request = signed(issued, world)
    world.clock.advance(seconds=seconds)
    statements = sum(world.db.statements.values())
    with pytest.raises(RequestTimeSkewed):
        await authenticate(request)
    assert sum(world.db.statements.values()) == statements  # no database read
    assert nonces.claimed == {}


async def test_a_wrong_signature_an_unknown_client_and_a_malformed_id_are_one_refusal(
    world: World, owner: User, create: CreateApiClient, authenticate: AuthenticateApiClient, nonces: FakeNonceRegister
) -> None:
    issued = await create(CreateApiClientCommand(actor=actor(owner), name="Sync"))
    attempts = [
        signed(issued, world, secret=issued.secret + "x"),
        SignedRequest(**{**signed(issued, world).__dict__, "client_id": str(UUID(int=7))}),
        SignedRequest(**{**signed(issued, world).__dict__, "client_id": "not-a-uuid"}),
        SignedRequest(**{**signed(issued, world).__dict__, "signature": "zz" * 32}),
        SignedRequest(**{**signed(issued, world).__dict__, "signature": "00"}),
    ]
    for attempt in attempts:
        with pytest.raises(InvalidSignature):
            await authenticate(attempt)
    assert nonces.claimed == {}  # forged requests use up no nonce


async def test_a_nonce_passes_once_per_client(
    world: World, owner: User, create: CreateApiClient, authenticate: AuthenticateApiClient, nonces: FakeNonceRegister
) -> None:
    issued = await create(CreateApiClientCommand(actor=actor(owner), name="Sync"))
    other = await create(CreateApiClientCommand(actor=actor(owner), name="Other"))
    await authenticate(signed(issued, world, nonce="same-nonce-123456"))
    with pytest.raises(NonceReused):
        await authenticate(signed(issued, world, nonce="same-nonce-123456"))
    await authenticate(signed(other, world, nonce="same-nonce-123456"))  # another client's nonces are its own
    assert set(nonces.claimed.values()) == {2 * SKEW}


async def test_the_previous_secret_verifies_during_the_rollover_only(
    world: World, owner: User, create: CreateApiClient, sealer: FakeSecretSealer, authenticate: AuthenticateApiClient
) -> None:
    issued = await create(CreateApiClientCommand(actor=actor(owner), name="Sync"))
    rotate = RotateApiClientSecret(world.uow, sealer, world.clock, default_rollover=timedelta(hours=1))
    fresh = await rotate(RotateApiClientSecretCommand(actor=actor(owner), client_id=issued.client.id))
    assert fresh.secret != issued.secret
    await authenticate(signed(issued, world, nonce="old-secret-nonce-1"))
    await authenticate(signed(fresh, world, nonce="new-secret-nonce-1"))
    world.clock.advance(hours=1)
    with pytest.raises(InvalidSignature):
        await authenticate(signed(issued, world, nonce="old-secret-nonce-2"))
    await authenticate(signed(fresh, world, nonce="new-secret-nonce-2"))


async def test_retiring_the_previous_secret_ends_it_at_once(
    world: World, owner: User, create: CreateApiClient, sealer: FakeSecretSealer, authenticate: AuthenticateApiClient
) -> None:
    issued = await create(CreateApiClientCommand(actor=actor(owner), name="Sync"))
    rotate = RotateApiClientSecret(world.uow, sealer, world.clock, default_rollover=timedelta(days=1))
    await rotate(RotateApiClientSecretCommand(actor=actor(owner), client_id=issued.client.id))
    await RetirePreviousSecret(world.uow, world.clock)(ApiClientCommand(actor=actor(owner), client_id=issued.client.id))
    with pytest.raises(InvalidSignature):
        await authenticate(signed(issued, world))


async def test_a_revoked_client_and_a_suspended_tenants_client_are_refused(
    world: World, owner: User, tenant: Tenant, create: CreateApiClient, authenticate: AuthenticateApiClient
) -> None:
    revoked = await create(CreateApiClientCommand(actor=actor(owner), name="Revoked"))
    kept = await create(CreateApiClientCommand(actor=actor(owner), name="Kept"))
    await RevokeApiClient(world.uow, world.clock)(ApiClientCommand(actor=actor(owner), client_id=revoked.client.id))
    with pytest.raises(InvalidSignature):
        await authenticate(signed(revoked, world))
    with pytest.raises(ApiClientNotFound):  # and it can be changed no more
        await RevokeApiClient(world.uow, world.clock)(ApiClientCommand(actor=actor(owner), client_id=revoked.client.id))
    tenant.status = TenantStatus.SUSPENDED
    world.db.seed(tenant)
    with pytest.raises(InvalidSignature):
        await authenticate(signed(kept, world))


async def test_another_tenants_owner_cannot_touch_a_client(
    world: World, owner: User, create: CreateApiClient, sealer: FakeSecretSealer
) -> None:
    issued = await create(CreateApiClientCommand(actor=actor(owner), name="Sync"))
    stranger = actor(world.user(world.tenant("other"), "mallory", roles=(Role.OWNER,)))
    rotate = RotateApiClientSecret(world.uow, sealer, world.clock, default_rollover=timedelta(hours=1))
    for attempt in (
        rotate(RotateApiClientSecretCommand(actor=stranger, client_id=issued.client.id)),
        RetirePreviousSecret(world.uow, world.clock)(ApiClientCommand(actor=stranger, client_id=issued.client.id)),
        RevokeApiClient(world.uow, world.clock)(ApiClientCommand(actor=stranger, client_id=issued.client.id)),
    ):
        with pytest.raises(ApiClientNotFound):
            await attempt
    assert world.db.api_clients[issued.client.id] == issued.client
