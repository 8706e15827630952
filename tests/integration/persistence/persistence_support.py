"""Names the persistence tests share with their fixtures (``conftest.py``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fakes.passwords import fake_hash
from keel.domain.users import User, UserCredentials
from keel.infrastructure.persistence import SqlAlchemyUnitOfWork

PASSWORD = "correct horse battery staple"

type MakeUow = Callable[..., SqlAlchemyUnitOfWork]
type Store = Callable[..., Awaitable[None]]
type MakeUser = Callable[..., Awaitable[User]]


def with_password(user: User) -> UserCredentials:
    """``user`` with the hash of ``PASSWORD``, as a repository stores a new user."""
    return UserCredentials(user, fake_hash(PASSWORD))
