"""Users in PostgreSQL: the ``UserRepository`` port over the unit of work's session.

Every statement names the tenant. Each method is one statement whatever the number of users involved (``save`` adds a
second, read-only one only to tell a version conflict from a missing user). Writes are Core statements executed at
once, so a unique violation raises ``EmailAlreadyUsed``/``UsernameAlreadyUsed`` from the method that wrote, not from a
later flush.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BindParameter,
    Executable,
    Result,
    Text,
    any_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from keel.application.unit_of_work import UnitOfWork
from keel.application.users import UserQuery, UserRepository
from keel.domain.errors import VersionConflict
from keel.domain.users import (
    EmailAddress,
    PasswordHash,
    Role,
    TakenIdentities,
    User,
    UserCredentials,
    Username,
    UserNotFound,
    UserStatus,
)
from keel.infrastructure.database.models.users import users_table
from keel.infrastructure.persistence.error_translation import translate_database_errors
from keel.infrastructure.persistence.statements import Parameters, Statements
from keel.infrastructure.persistence.user_listing import listing_statement
from keel.infrastructure.persistence.user_mapper import (
    USER_COLUMNS,
    changed_user_values,
    credentials_from_row,
    new_user_values,
    user_from_row,
)

_users = users_table.c

# Built once: the hottest read skips building and coercing the statement on every call.
_GET_USER = select(*USER_COLUMNS).where(
    _users.tenant_id == bindparam("tenant_id", type_=_users.tenant_id.type),
    _users.id == bindparam("user_id", type_=_users.id.type),
)
_GET_LIVE_USER = _GET_USER.where(_users.deleted_at.is_(None))


class SqlAlchemyUserRepository(UserRepository):
    def __init__(self, session: Statements) -> None:
        super().__init__()
        self._session = session

    @classmethod
    def for_session(cls, session: Statements, uow: UnitOfWork) -> UserRepository:  # noqa: ARG003 - the hook's signature
        """The default users repository of ``SqlAlchemyUnitOfWork``: this one, on the unit of work's session."""
        return cls(session)

    async def get(self, tenant_id: UUID, user_id: UUID, *, include_deleted: bool = False) -> User | None:
        statement = _GET_USER if include_deleted else _GET_LIVE_USER
        row = (await self._execute(statement, {"tenant_id": tenant_id, "user_id": user_id})).mappings().one_or_none()
        return user_from_row(row) if row is not None else None

    async def find(self, tenant_id: UUID, query: UserQuery, *, limit: int) -> Sequence[User]:
        rows = (await self._execute(listing_statement(tenant_id, query, limit=limit))).mappings()
        return [user_from_row(row) for row in rows]

    async def existing_emails_and_usernames(
        self, tenant_id: UUID, emails: Collection[EmailAddress], usernames: Collection[Username]
    ) -> TakenIdentities:
        """Among users that are not deleted: a deleted user's email and username are free to take."""
        statement = select(_users.email, _users.username).where(
            _users.tenant_id == tenant_id,
            _users.deleted_at.is_(None),
            or_(
                _users.email == any_(_text_array("emails", [email.value for email in emails])),
                _users.username == any_(_text_array("usernames", [username.value for username in usernames])),
            ),
        )
        rows = (await self._execute(statement)).all()
        taken_emails = {row.email for row in rows}
        taken_usernames = {row.username for row in rows}
        return TakenIdentities(
            emails=frozenset(email for email in emails if email.value in taken_emails),
            usernames=frozenset(username for username in usernames if username.value in taken_usernames),
        )

    async def count_active_owners(self, tenant_id: UUID) -> int:
        """Locks the owners' rows, in id order (so that two counting transactions cannot deadlock)."""
        owners = (
            select(_users.id)
            .where(
                _users.tenant_id == tenant_id,
                _users.deleted_at.is_(None),
                _users.status == UserStatus.ACTIVE.value,
                _users.roles.contains([Role.OWNER.value]),
            )
            .order_by(_users.id)
            .with_for_update()
            .subquery()
        )
        count = (await self._execute(select(func.count()).select_from(owners))).scalar_one()
        return int(count)

    async def get_credentials(self, tenant_id: UUID, email: EmailAddress) -> UserCredentials | None:
        """The non-deleted holder of the email (the partial unique index allows one), found through that index."""
        statement = select(*USER_COLUMNS, _users.password_hash).where(
            _users.tenant_id == tenant_id, _users.email == email.value, _users.deleted_at.is_(None)
        )
        row = (await self._execute(statement)).mappings().one_or_none()
        return credentials_from_row(row) if row is not None else None

    async def get_by_email(self, tenant_id: UUID, email: EmailAddress) -> User | None:
        statement = select(*USER_COLUMNS).where(
            _users.tenant_id == tenant_id, _users.email == email.value, _users.deleted_at.is_(None)
        )
        row = (await self._execute(statement)).mappings().one_or_none()
        return user_from_row(row) if row is not None else None

    async def replace_password_hash(self, tenant_id: UUID, user_id: UUID, password_hash: PasswordHash) -> None:
        await self._execute(
            update(users_table)
            .where(_users.tenant_id == tenant_id, _users.id == user_id)
            .values(password_hash=password_hash.value)
        )

    async def lock_deleted_before(self, deleted_before: datetime, *, limit: int) -> Sequence[User]:
        statement = (
            select(*USER_COLUMNS)
            .where(_users.deleted_at.is_not(None), _users.deleted_at < deleted_before)
            .order_by(_users.deleted_at, _users.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [user_from_row(row) for row in (await self._execute(statement)).mappings()]

    async def _purge(self, users: Sequence[User]) -> int:
        # Still deleted: a row restored since it was read (it could not be while locked) is never removed.
        statement = (
            delete(users_table)
            .where(_users.id == any_(_uuid_array([user.id for user in users])), _users.deleted_at.is_not(None))
            .returning(_users.id)
        )
        return len((await self._execute(statement)).all())

    async def _add(self, new_user: UserCredentials) -> None:
        await self._execute(insert(users_table).values(new_user_values(new_user)))

    async def _add_many(self, new_users: Sequence[UserCredentials]) -> None:
        if not new_users:
            return
        # One prepared INSERT run for every row in one round trip (an executemany): its compiled form is cached, where
        # a multi-row VALUES statement is compiled again for every call; and no limit on parameters per statement.
        await self._execute(insert(users_table), [new_user_values(new_user) for new_user in new_users])

    async def _save(self, user: User, *, expected_version: int) -> None:
        statement = (
            update(users_table)
            .where(_users.id == user.id, _users.tenant_id == user.tenant_id, _users.version == expected_version)
            .values(changed_user_values(user))
            .returning(_users.id)
        )
        if (await self._execute(statement)).first() is not None:
            return
        current = (
            await self._execute(select(_users.version).where(_users.id == user.id, _users.tenant_id == user.tenant_id))
        ).scalar_one_or_none()
        if current is None:
            raise UserNotFound
        raise VersionConflict(
            f"The user is at version {current}, not {expected_version}; read it again.",
            context={"expected_version": expected_version, "current_version": current},
        )

    async def _execute(self, statement: Executable, parameters: Parameters | None = None) -> Result[Any]:
        with translate_database_errors():
            return await self._session.execute(statement, parameters)


def _uuid_array(values: list[UUID]) -> BindParameter[Sequence[UUID]]:
    return bindparam("ids", values, type_=ARRAY(_users.id.type))


def _text_array(name: str, values: list[str]) -> BindParameter[Sequence[str]]:
    """One ``text[]`` parameter (``= ANY($1)``): one statement text, and one cached plan, for any number of values."""
    return bindparam(name, values, type_=ARRAY(Text))
