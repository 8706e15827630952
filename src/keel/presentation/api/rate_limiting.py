"""Quotas on routes: each route is tagged with one route class (``RateLimitClass``), whose quota is in settings.

- authenticated routes count per user: ``dependencies=[Depends(UserRateLimit(RateLimitClass.READ))]``;
- partner routes per API client: ``ClientRateLimit(RateLimitClass.PARTNER)``;
- public routes per client IP address (``client_address``): ``AddressRateLimit(RateLimitClass.SIGNUP)``;
- log-in per IP address *and* per account (``v1.auth.LoginRateLimit``): a route counting per account too subclasses
  ``RateLimit`` with a ``__call__`` that takes its body and calls
  ``enforce(request, self.address_key(request), "account:" + account_key(tenant, email))``.

One hit is one round trip to Redis, for every key of the request at once. A class set to ``0`` (or rate limiting
turned off) is not counted at all. A refusal is a 429 problem with ``Retry-After``; every counted response carries
``RateLimit-Policy`` and ``RateLimit`` (draft-ietf-httpapi-ratelimit-headers-09), added by ``ResponseHeadersMiddleware``
from the decision left in the request's state.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from types import MappingProxyType
from typing import Final

from fastapi import Request

from keel.application.api_clients import ApiClientPrincipal
from keel.application.errors import TooManyRequests
from keel.application.ports.rate_limits import Quota, RateLimiter
from keel.application.users import Actor
from keel.container import Container
from keel.presentation.api.authentication import CurrentActor
from keel.presentation.api.client_address import TrustedProxies
from keel.presentation.api.deps import provided_by
from keel.presentation.api.partner_authentication import CurrentApiClient
from keel.settings import RateLimitClass, RateLimitSettings

DECISION_STATE: Final = "rate_limit"
"""The key of ``scope["state"]`` holding the request's ``RateDecision``."""

type Quotas = Mapping[RateLimitClass, Quota | None]


def quotas_from(settings: RateLimitSettings) -> Quotas:
    """Each class's quota, or ``None`` where it is not limited."""
    fail_closed = set(settings.fail_closed)
    quotas: dict[RateLimitClass, Quota | None] = {}
    for route_class in RateLimitClass:
        rate = settings.rate_of(route_class)
        quotas[route_class] = (
            None
            if rate is None
            else Quota(route_class.value, rate[0], rate[1], fail_closed=route_class.value in fail_closed)
        )
    return MappingProxyType(quotas)


def account_key(tenant: str, email: str) -> str:
    """A stable, opaque key for an account named in a request body (no email address is stored in Redis)."""
    normalised = f"{tenant.strip().lower()}\x00{email.strip().lower()}"
    return hashlib.sha256(normalised.encode("utf-8", "surrogatepass")).hexdigest()[:32]


class RateLimit:
    """Base of the rate-limit dependencies: ``route_class`` tags the route (the route table is walked for it)."""

    def __init__(self, route_class: RateLimitClass) -> None:
        self.route_class = route_class

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.route_class.value!r})"

    async def enforce(self, request: Request, *keys: str) -> None:
        quotas: Quotas = request.app.state.quotas
        quota = quotas[self.route_class]
        if quota is None:
            return
        limiter = await provided_by(request, _rate_limiter)
        decision = await limiter.hit(quota, keys)
        request.state.rate_limit = decision
        if not decision.allowed:
            raise TooManyRequests(
                f"Too many requests of this kind ({quota.limit} per {quota.period_seconds} s); "
                f"retry in {decision.retry_after_seconds} s.",
                retry_after_seconds=decision.retry_after_seconds,
            )

    @staticmethod
    def address_key(request: Request) -> str:
        proxies: TrustedProxies = request.app.state.trusted_proxies
        return "ip:" + proxies.client_address(request.scope)


class UserRateLimit(RateLimit):
    async def __call__(self, request: Request, actor: CurrentActor) -> None:
        await self.enforce(request, _user_key(actor))


class ClientRateLimit(RateLimit):
    async def __call__(self, request: Request, client: CurrentApiClient) -> None:
        await self.enforce(request, _client_key(client))


class AddressRateLimit(RateLimit):
    async def __call__(self, request: Request) -> None:
        await self.enforce(request, self.address_key(request))


def _user_key(actor: Actor) -> str:
    return f"user:{actor.user_id}"


def _client_key(client: ApiClientPrincipal) -> str:
    return f"client:{client.client_id}"


def _rate_limiter(container: Container) -> Callable[[], RateLimiter | Awaitable[RateLimiter]]:
    return container.rate_limiter
