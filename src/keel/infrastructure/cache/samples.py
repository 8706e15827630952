"""Realistic users, generated deterministically, to train and measure the cache's compression dictionary.

A dictionary learns what records have in common, so the samples must look like production rows, not like test
fixtures (``user17@example.com`` would flatter any dictionary). The model:

- Tenants are companies of mixed sizes (many small, a few large, up to ``_MAX_TENANT_SIZE``), each with a country —
  giving its locale, time zone and the names of its people (Faker's locales, weighted) — and an email domain.
- Most people use the company address, in the company's one convention (``ada.lovelace``, ``alovelace``...); the
  others a free-mail address with their own habits, digits included. Usernames derive from the name too.
- Roles and statuses follow a typical tenant: mostly members, some admins, few owners, a few disabled; 3 % deleted.
- Instants have microseconds, like the database's: created over four years, email verified (80 %) within minutes
  to hours, a third changed again since.

Faker is a development dependency: it is imported only when samples are generated (``keel cache train-dict``,
tests), never by the running service. The same ``seed`` gives the same users for a given Faker version.
"""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final
from uuid import UUID

from keel.domain.errors import DomainError
from keel.domain.users import EmailAddress, Preferences, Role, User, Username, UserStatus

TRAINING_SEED: Final = 0
EVALUATION_SEED: Final = 1
"""Held-out users for measuring a dictionary: never the ones it was trained on."""

_LOCALE_WEIGHTS: Final = {
    "en_US": 45,
    "en_GB": 10,
    "de_DE": 9,
    "fr_FR": 9,
    "es_ES": 7,
    "pt_BR": 7,
    "it_IT": 5,
    "nl_NL": 4,
    "pl_PL": 2,
    "sv_SE": 2,
}
_TIMEZONES: Final = {
    "en_US": ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"),
    "en_GB": ("Europe/London",),
    "de_DE": ("Europe/Berlin",),
    "fr_FR": ("Europe/Paris",),
    "es_ES": ("Europe/Madrid",),
    "pt_BR": ("America/Sao_Paulo",),
    "it_IT": ("Europe/Rome",),
    "nl_NL": ("Europe/Amsterdam",),
    "pl_PL": ("Europe/Warsaw",),
    "sv_SE": ("Europe/Stockholm",),
}
_ALL_TIMEZONES: Final = (*(zone for zones in _TIMEZONES.values() for zone in zones), "UTC")
_FREE_MAIL: Final = (
    "gmail.com",
    "outlook.com",
    "yahoo.com",
    "hotmail.com",
    "icloud.com",
    "proton.me",
    "gmx.de",
    "web.de",
    "orange.fr",
    "libero.it",
    "uol.com.br",
)
_COMPANY_CONVENTIONS: Final = ("{f}.{l}", "{i}{l}", "{f}", "{f}{l}", "{i}.{l}")
_MAX_TENANT_SIZE: Final = 250
_START: Final = datetime(2022, 1, 1, tzinfo=UTC)
_YEAR: Final = timedelta(days=365)


def generate_users(count: int, *, seed: int) -> list[User]:
    """``count`` realistic users (see the module's docstring); the same seed gives the same users."""
    from faker import Faker

    rng = random.Random(seed)  # noqa: S311 - reproducible samples, not secrets
    fake = Faker(list(_LOCALE_WEIGHTS))
    fake.seed_instance(seed)
    users: list[User] = []
    while len(users) < count:
        country = rng.choices(list(_LOCALE_WEIGHTS), weights=list(_LOCALE_WEIGHTS.values()))[0]
        people = fake[country]
        tenant = _Tenant(
            id=_uuid(rng),
            domain=people.domain_name(),
            convention=rng.choice(_COMPANY_CONVENTIONS),
            locale=country.replace("_", "-") if rng.random() < 0.6 else country[:2],
            timezone=rng.choice(_TIMEZONES[country]),
            founded=_START + rng.random() * 3 * _YEAR,
        )
        size = min(_MAX_TENANT_SIZE, count - len(users), max(1, int(rng.paretovariate(1.2) * 6)))
        for _ in range(size):
            user = _user(rng, tenant, people.first_name(), people.last_name())
            if user is not None:
                users.append(user)
    return users


@dataclass(frozen=True, slots=True, kw_only=True)
class _Tenant:
    id: UUID
    domain: str
    convention: str
    locale: str
    timezone: str
    founded: datetime


def _user(rng: random.Random, tenant: _Tenant, first: str, last: str) -> User | None:
    f, l = _ascii(first) or "user", _ascii(last) or "x"  # noqa: E741 - first and last name, as in the conventions
    if rng.random() < 0.7:
        email = tenant.convention.format(f=f, l=l, i=f[0]) + "@" + tenant.domain
    else:
        local = rng.choice(("{f}.{l}", "{f}{l}", "{i}{l}", "{f}.{l}{n}", "{f}{n}")).format(
            f=f, l=l, i=f[0], n=rng.randrange(100)
        )
        email = f"{local}@{rng.choice(_FREE_MAIL)}"
    username = rng.choices(("{i}{l}", "{f}.{l}", "{f}_{l}", "{f}{li}", "{f}{n}"), weights=(30, 25, 10, 15, 20))[
        0
    ].format(f=f, l=l, i=f[0], li=l[0], n=rng.randrange(1000))
    created = tenant.founded + rng.random() * _YEAR + timedelta(microseconds=rng.randrange(1_000_000))
    verified = created + timedelta(seconds=rng.expovariate(1 / 3600)) if rng.random() < 0.8 else None
    updated, version = (verified, 2) if verified else (created, 1)
    if rng.random() < 0.35:
        updated += rng.random() * timedelta(days=300)
        version += rng.randrange(1, 5)
    deleted = None
    if rng.random() < 0.03:
        deleted = updated = updated + rng.random() * timedelta(days=100)
        version += 1
    try:
        return User(
            id=_uuid(rng),
            tenant_id=tenant.id,
            email=EmailAddress(email),
            username=Username(username[:32].ljust(3, "0")),
            full_name=f"{first} {last}",
            roles=rng.choices(
                (
                    frozenset({Role.MEMBER}),
                    frozenset({Role.ADMIN}),
                    frozenset({Role.OWNER}),
                    frozenset({Role.ADMIN, Role.MEMBER}),
                ),
                weights=(80, 10, 5, 5),
            )[0],
            status=UserStatus.ACTIVE if rng.random() < 0.95 else UserStatus.DISABLED,
            preferences=Preferences(
                locale=tenant.locale if rng.random() < 0.9 else "en",
                timezone=tenant.timezone if rng.random() < 0.85 else rng.choice(_ALL_TIMEZONES),
            ),
            email_verified_at=verified,
            created_at=created,
            updated_at=updated,
            deleted_at=deleted,
            version=version,
        )
    except DomainError:  # a generated name that makes no valid address or username: skip it
        return None


def _ascii(name: str) -> str:
    """The name in lower-case ASCII letters, accents dropped (``Łukasz`` -> ``ukasz``, ``Jürgen`` -> ``jurgen``)."""
    return re.sub(r"[^a-z]", "", unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower())


def _uuid(rng: random.Random) -> UUID:
    return UUID(int=rng.getrandbits(128), version=4)
