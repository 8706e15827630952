"""Fakes implementing keel's ports for unit tests: in memory, deterministic, with the same rules as the real adapters
(unique constraints, version checks, tenant scoping). ``fakes.world.World`` puts them together for use-case tests."""

from fakes.clock import FakeClock
from fakes.database import InMemoryDatabase
from fakes.events import RecordingEventBus
from fakes.passwords import FakePasswordHasher, fake_hash
from fakes.repositories import InMemoryEmailDeliveryRepository, InMemoryTenantRepository, InMemoryUserRepository
from fakes.token_repositories import InMemoryOneTimeTokenRepository, InMemoryRefreshTokenRepository
from fakes.tokens import FakeTokenIssuer, RecordingDenylist
from fakes.unit_of_work import FakeUnitOfWork, fake_uow_factory

__all__ = [
    "FakeClock",
    "FakePasswordHasher",
    "FakeTokenIssuer",
    "FakeUnitOfWork",
    "InMemoryDatabase",
    "InMemoryEmailDeliveryRepository",
    "InMemoryOneTimeTokenRepository",
    "InMemoryRefreshTokenRepository",
    "InMemoryTenantRepository",
    "InMemoryUserRepository",
    "RecordingDenylist",
    "RecordingEventBus",
    "fake_hash",
    "fake_uow_factory",
]
