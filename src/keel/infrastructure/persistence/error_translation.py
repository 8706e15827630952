"""Database errors in the application's terms: a violated constraint becomes the domain's conflict, an unreachable
PostgreSQL becomes ``DependencyUnavailable`` (the API answers 503 with ``Retry-After``).

Repositories run each statement, and the unit of work its begin, commit and rollback, inside
``translate_database_errors()``, so a conflict surfaces at the write that caused it. Constraints are recognised by
name — the stable names the models give them — never by parsing messages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Final

from sqlalchemy import exc

from keel.application.errors import DependencyUnavailable
from keel.domain.errors import DomainError
from keel.domain.tenants import TenantNotFound, TenantSlugTaken
from keel.domain.users import EmailAlreadyUsed, UsernameAlreadyUsed
from keel.infrastructure.database.models.api_clients import API_CLIENT_TENANT_FOREIGN_KEY
from keel.infrastructure.database.models.email_deliveries import EMAIL_DELIVERY_TENANT_FOREIGN_KEY
from keel.infrastructure.database.models.tenants import TENANT_SLUG_UNIQUE
from keel.infrastructure.database.models.users import EMAIL_UNIQUE_INDEX, TENANT_FOREIGN_KEY, USERNAME_UNIQUE_INDEX

CONSTRAINT_ERRORS: Final[dict[str, Callable[[], DomainError]]] = {
    EMAIL_UNIQUE_INDEX: EmailAlreadyUsed,
    USERNAME_UNIQUE_INDEX: UsernameAlreadyUsed,
    TENANT_SLUG_UNIQUE: TenantSlugTaken,
    # A user written for a tenant that does not exist. (Tenants are never deleted; ON DELETE RESTRICT would refuse
    # it while they have users, and such a refusal would need its own error.)
    TENANT_FOREIGN_KEY: lambda: TenantNotFound("No such tenant."),
    EMAIL_DELIVERY_TENANT_FOREIGN_KEY: lambda: TenantNotFound("No such tenant."),
    API_CLIENT_TENANT_FOREIGN_KEY: lambda: TenantNotFound("No such tenant."),
}
"""The domain error each named constraint stands for when a write violates it."""

# SQLSTATEs of a server that cannot serve now but may soon: connection exceptions (class 08), too many connections,
# and a server shutting down or starting up.
_UNAVAILABLE_CLASS: Final = "08"
_UNAVAILABLE_STATES: Final = frozenset({"53300", "57P01", "57P02", "57P03"})
_UNAVAILABLE_DETAIL: Final = "The database is unavailable; try again shortly."


@contextmanager
def translate_database_errors() -> Iterator[None]:
    """Raise the domain error of a named constraint, or ``DependencyUnavailable``; let other errors through."""
    try:
        yield
    except exc.DBAPIError as error:
        if is_unavailable(error):
            raise DependencyUnavailable(_UNAVAILABLE_DETAIL) from error
        domain_error = CONSTRAINT_ERRORS.get(constraint_name(error) or "")
        if isinstance(error, exc.IntegrityError) and domain_error is not None:
            raise domain_error() from error
        raise
    except (OSError, exc.TimeoutError) as error:  # refused, unresolvable or timed-out connection; pool exhausted
        raise DependencyUnavailable(_UNAVAILABLE_DETAIL) from error


def is_unavailable(error: exc.DBAPIError) -> bool:
    """Whether ``error`` means PostgreSQL cannot be reached or cannot serve now (not that the statement is wrong)."""
    if error.connection_invalidated or isinstance(error, exc.OperationalError | exc.InterfaceError):
        return True
    state = sqlstate(error)
    return state is not None and (state.startswith(_UNAVAILABLE_CLASS) or state in _UNAVAILABLE_STATES)


def sqlstate(error: exc.DBAPIError) -> str | None:
    state = getattr(error.orig, "sqlstate", None)
    return state if isinstance(state, str) else None


def constraint_name(error: exc.DBAPIError) -> str | None:
    """The violated constraint's (or unique index's) name, as the server reported it (asyncpg keeps it)."""
    for candidate in (error.orig, getattr(error.orig, "__cause__", None)):
        name = getattr(candidate, "constraint_name", None)
        if isinstance(name, str):
            return name
    return None
