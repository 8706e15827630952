"""Users of a tenant: the use cases, their commands, and the repository port they need."""

from keel.application.users.access import UserAccessPolicy
from keel.application.users.actor import Actor
from keel.application.users.create_user import CreateUser, CreateUserCommand
from keel.application.users.create_users_batch import (
    BatchItemCreated,
    BatchItemError,
    BatchResult,
    CreateUsersBatch,
    CreateUsersBatchCommand,
    WithinBatch,
)
from keel.application.users.delete_user import DeleteUser, DeleteUserCommand
from keel.application.users.get_user import GetUser, GetUserQuery
from keel.application.users.list_users import ListUsers, ListUsersQuery
from keel.application.users.new_user import InvitedUser, NewUser, UserDraft
from keel.application.users.ports import UserRepository
from keel.application.users.query import InvalidSearch, SearchTooLong, UnknownSort, UserQuery, UserSort
from keel.application.users.restore_user import RestoreUser, RestoreUserCommand
from keel.application.users.update_user import UNSET, Unset, UpdateUser, UpdateUserCommand

__all__ = [
    "UNSET",
    "Actor",
    "BatchItemCreated",
    "BatchItemError",
    "BatchResult",
    "CreateUser",
    "CreateUserCommand",
    "CreateUsersBatch",
    "CreateUsersBatchCommand",
    "DeleteUser",
    "DeleteUserCommand",
    "GetUser",
    "GetUserQuery",
    "InvalidSearch",
    "InvitedUser",
    "ListUsers",
    "ListUsersQuery",
    "NewUser",
    "RestoreUser",
    "RestoreUserCommand",
    "SearchTooLong",
    "UnknownSort",
    "Unset",
    "UpdateUser",
    "UpdateUserCommand",
    "UserAccessPolicy",
    "UserDraft",
    "UserQuery",
    "UserRepository",
    "UserSort",
    "WithinBatch",
]
