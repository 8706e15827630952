"""CreateUsersBatch: up to ``max_batch_size`` users in one call; each item is created or reported, independently.

The API's batches hold at most ``MAX_BATCH_SIZE`` users (the setting ``KEEL_API__USERS_BATCH_MAX``); an import's chunks,
whose users have no password, up to ``MAX_IMPORT_CHUNK_SIZE`` (``KEEL_JOBS__IMPORT_CHUNK_SIZE``).

The work is bounded whatever the batch size: duplicates inside the batch are found in memory, duplicates against the
database's non-deleted users (a deleted user's email and username are free) with ONE set-based query, and the
survivors are stored with ONE bulk insert. Passwords are hashed between the
two, outside any transaction. If a concurrent request takes an email or username in that window, the database's
constraint fails the insert and the whole batch with ``EmailAlreadyUsed``/``UsernameAlreadyUsed``; nothing is stored
and the client may retry.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from keel.application.errors import PermissionDenied
from keel.application.ports import Clock, IdGenerator, PasswordHasher
from keel.application.unit_of_work import UnitOfWork, UnitOfWorkFactory
from keel.application.users.access import UserAccessPolicy
from keel.application.users.actor import Actor
from keel.application.users.new_user import InvitedUser, NewUser, UserDraft
from keel.domain.errors import DomainError
from keel.domain.users import (
    MAX_BATCH_SIZE,
    MAX_IMPORT_CHUNK_SIZE,
    UNUSABLE_PASSWORD_HASH,
    BatchTooLarge,
    EmailAlreadyUsed,
    PasswordHash,
    TakenIdentities,
    UniqueIdentityPolicy,
    User,
    UserCredentials,
    UsernameAlreadyUsed,
)


@dataclass(frozen=True, kw_only=True)
class CreateUsersBatchCommand:
    actor: Actor
    users: Sequence[NewUser | InvitedUser]
    welcome_email: bool = True
    """Whether each created user gets the welcome email (an import asks only when told to)."""


@dataclass(frozen=True, slots=True)
class BatchItemCreated:
    index: int
    user: User


@dataclass(frozen=True, slots=True)
class BatchItemError:
    index: int
    code: str
    detail: str
    field: str | None = None

    @classmethod
    def of(cls, index: int, error: DomainError | PermissionDenied) -> BatchItemError:
        field = error.context.get("field") if isinstance(error, DomainError) else None
        return cls(index=index, code=error.code, detail=error.detail, field=str(field) if field else None)


@dataclass(frozen=True, slots=True)
class BatchResult:
    created: tuple[BatchItemCreated, ...]
    errors: tuple[BatchItemError, ...]
    """One per rejected item, in item order."""


type WithinBatch = Callable[[UnitOfWork, BatchResult], Awaitable[None]]
"""Writes in the batch's own transaction, given its result (an import records the chunk it came from)."""


class CreateUsersBatch:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        hasher: PasswordHasher,
        clock: Clock,
        ids: IdGenerator,
        *,
        access: UserAccessPolicy | None = None,
        max_batch_size: int = MAX_BATCH_SIZE,
    ) -> None:
        if not 1 <= max_batch_size <= MAX_IMPORT_CHUNK_SIZE:
            raise ValueError(f"max_batch_size must be between 1 and {MAX_IMPORT_CHUNK_SIZE}")
        self._uow = uow
        self._hasher = hasher
        self._clock = clock
        self._ids = ids
        self._access = access or UserAccessPolicy()
        self._max_batch_size = max_batch_size

    async def __call__(self, command: CreateUsersBatchCommand, *, within: WithinBatch | None = None) -> BatchResult:
        """Create the valid items, report the others. ``within`` writes in the transaction of the insert (opened
        even when nothing is created), so what it records commits with the users or not at all."""
        if len(command.users) > self._max_batch_size:
            raise BatchTooLarge(f"A batch has at most {self._max_batch_size} users.", context={"field": "users"})
        self._access.ensure_manages_users(command.actor)
        tenant_id = command.actor.tenant_id
        errors: list[BatchItemError] = []
        drafts = self._valid_drafts(command, errors)
        if drafts:
            async with self._uow(read_only=True) as uow:
                taken = await UniqueIdentityPolicy(uow.users).taken(
                    tenant_id, [d.email for d in drafts.values()], [d.username for d in drafts.values()]
                )
            drafts = _without_taken(drafts, taken, errors)
        hashes = await self._hashes(list(drafts.values()))
        now, welcome = self._clock.now(), command.welcome_email
        created = [
            BatchItemCreated(
                index, draft.register(id=self._ids.new_id(), tenant_id=tenant_id, now=now, welcome_email=welcome)
            )
            for index, draft in drafts.items()
        ]
        result = BatchResult(created=tuple(created), errors=tuple(sorted(errors, key=lambda error: error.index)))
        if created or within is not None:
            async with self._uow() as uow:
                await uow.users.add_many(
                    [
                        UserCredentials(item.user, password_hash)
                        for item, password_hash in zip(created, hashes, strict=True)
                    ]
                )
                if within is not None:
                    await within(uow, result)
                await uow.commit()
        return result

    async def _hashes(self, drafts: list[UserDraft]) -> list[PasswordHash]:
        """The drafts' password hashes, in order; invited users (no password) get ``UNUSABLE_PASSWORD_HASH`` without
        a task each (an import's chunk has thousands of them and no password at all)."""
        hashes = [UNUSABLE_PASSWORD_HASH] * len(drafts)
        given = [(index, draft.password) for index, draft in enumerate(drafts) if draft.password is not None]
        for (index, _), password_hash in zip(
            given, await asyncio.gather(*(self._hasher.hash(password) for _, password in given)), strict=True
        ):
            hashes[index] = password_hash
        return hashes

    def _valid_drafts(self, command: CreateUsersBatchCommand, errors: list[BatchItemError]) -> dict[int, UserDraft]:
        """The items that are valid, allowed, and first in the batch with their email and username."""
        drafts: dict[int, UserDraft] = {}
        emails: dict[str, int] = {}
        usernames: dict[str, int] = {}
        for index, new_user in enumerate(command.users):
            try:
                draft = new_user.validate()
                self._access.ensure_may_create(command.actor, draft.roles)
                if draft.email.value in emails:
                    raise EmailAlreadyUsed(f"Item {emails[draft.email.value]} of the batch has this email address.")
                if draft.username.value in usernames:
                    raise UsernameAlreadyUsed(f"Item {usernames[draft.username.value]} of the batch has this username.")
            except (DomainError, PermissionDenied) as error:
                errors.append(BatchItemError.of(index, error))
                continue
            emails[draft.email.value] = index
            usernames[draft.username.value] = index
            drafts[index] = draft
        return drafts


def _without_taken(
    drafts: dict[int, UserDraft], taken: TakenIdentities, errors: list[BatchItemError]
) -> dict[int, UserDraft]:
    kept: dict[int, UserDraft] = {}
    for index, draft in drafts.items():
        if draft.email in taken.emails:
            errors.append(BatchItemError.of(index, EmailAlreadyUsed()))
        elif draft.username in taken.usernames:
            errors.append(BatchItemError.of(index, UsernameAlreadyUsed()))
        else:
            kept[index] = draft
    return kept
