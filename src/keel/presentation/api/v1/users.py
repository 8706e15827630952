"""``/api/v1/users``: the users of the caller's tenant. The tenant comes from the access token only."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Header, Request, Response, status

from keel.application.users import (
    UNSET,
    Actor,
    CreateUserCommand,
    CreateUsersBatchCommand,
    DeleteUserCommand,
    GetUserQuery,
    ListUsersQuery,
    NewUser,
    RestoreUserCommand,
    UpdateUserCommand,
)
from keel.domain.users import User
from keel.presentation.api.authorization import (
    ProfileWriter,
    UsersDeleter,
    UsersReader,
    UsersRestorer,
    UsersWriter,
)
from keel.presentation.api.deps import (
    CreateUserDep,
    CreateUsersBatchDep,
    CursorCodecDep,
    DeleteUserDep,
    GetUserDep,
    ListUsersDep,
    RestoreUserDep,
    UpdateUserDep,
)
from keel.presentation.api.etags import etag_of, expected_version, none_match
from keel.presentation.api.problems import problem_responses
from keel.presentation.api.rate_limiting import UserRateLimit
from keel.presentation.api.responses import ModelResponse
from keel.presentation.api.user_listing import UserListCriteria
from keel.presentation.api.v1.schemas import (
    BatchBody,
    BatchCreatedView,
    BatchErrorView,
    BatchResultView,
    NewUserBody,
    OwnPatchBody,
    UserPageView,
    UserPatchBody,
    UserView,
)
from keel.settings import RateLimitClass

router = APIRouter(prefix="/users", tags=["users"])

READ = [Depends(UserRateLimit(RateLimitClass.READ))]
WRITE = [Depends(UserRateLimit(RateLimitClass.WRITE))]

IfMatch = Annotated[str | None, Header(description="The ETag read; a stale one answers 412.")]
IfNoneMatch = Annotated[str | None, Header(description="The ETag held; unchanged answers 304.")]
MERGE_PATCH = {"application/merge-patch+json": {"schema": {"$ref": "#/components/schemas/UserPatchBody"}}}


def _user_response(user: User, status_code: int = status.HTTP_200_OK, **headers: str) -> ModelResponse:
    return ModelResponse(UserView.of(user), status_code=status_code, headers={"ETag": etag_of(user.version), **headers})


def _new_user(body: NewUserBody) -> NewUser:
    preferences = body.preferences
    return NewUser(
        email=body.email,
        username=body.username,
        password=body.password.get_secret_value(),
        full_name=body.full_name,
        roles=frozenset(body.roles),
        locale=preferences.locale if preferences else None,
        timezone=preferences.timezone if preferences else None,
    )


def _patch_command(actor: Actor, user_id: UUID, body: OwnPatchBody, version: int | None) -> UpdateUserCommand:
    """Members present in the merge patch become changes; absent ones stay ``UNSET``."""
    given = body.model_fields_set
    changes: dict[str, Any] = {name: getattr(body, name) for name in given if name != "preferences"}
    if "roles" in changes:
        changes["roles"] = frozenset(changes["roles"])
    if "preferences" in given:
        preferences = body.preferences
        if preferences is None:  # `"preferences": null` resets both
            changes.update(locale=None, timezone=None)
        else:
            changes.update({name: getattr(preferences, name) for name in preferences.model_fields_set})
    fields = {"full_name", "email", "username", "roles", "status", "locale", "timezone"}
    return UpdateUserCommand(
        actor=actor,
        user_id=user_id,
        expected_version=version,
        **{name: changes.get(name, UNSET) for name in fields},
    )


@router.get(
    "/me",
    summary="The caller's own user",
    response_model=UserView,
    dependencies=READ,
    responses=problem_responses(401, 403, 429),
)
async def get_me(actor: UsersReader, get_user: GetUserDep) -> ModelResponse:
    return _user_response(await get_user(GetUserQuery(actor=actor, user_id=actor.user_id)))


@router.patch(
    "/me",
    summary="Change one's own full name and preferences (JSON merge patch)",
    response_model=UserView,
    dependencies=WRITE,
    responses=problem_responses(400, 401, 403, 409, 412, 413, 422, 429),
)
async def patch_me(
    actor: ProfileWriter, update_user: UpdateUserDep, body: Annotated[OwnPatchBody, Body()], if_match: IfMatch = None
) -> ModelResponse:
    command = _patch_command(actor, actor.user_id, body, expected_version(if_match))
    return _user_response(await update_user(command))


@router.post(
    "",
    summary="Add a user to the caller's tenant (owner or admin)",
    status_code=status.HTTP_201_CREATED,
    response_model=UserView,
    dependencies=WRITE,
    responses=problem_responses(400, 401, 403, 409, 413, 422, 429),
)
async def create_user(body: NewUserBody, actor: UsersWriter, create: CreateUserDep, request: Request) -> ModelResponse:
    user = await create(CreateUserCommand(actor=actor, user=_new_user(body)))
    location = request.url_for("get_user", user_id=str(user.id)).path
    return _user_response(user, status.HTTP_201_CREATED, Location=location)


@router.post(
    "/batch",
    summary="Add up to the configured maximum of users at once; each item is created or reported",
    response_model=BatchResultView,
    dependencies=WRITE,
    responses=problem_responses(400, 401, 403, 409, 413, 422, 429),
)
async def create_users_batch(body: BatchBody, actor: UsersWriter, create_batch: CreateUsersBatchDep) -> ModelResponse:
    result = await create_batch(CreateUsersBatchCommand(actor=actor, users=[_new_user(item) for item in body.users]))
    return ModelResponse(
        BatchResultView.model_construct(
            created=[
                BatchCreatedView.model_construct(index=item.index, user=UserView.of(item.user))
                for item in result.created
            ],
            errors=[
                BatchErrorView.model_construct(
                    index=error.index, code=error.code, detail=error.detail, field=error.field
                )
                for error in result.errors
            ],
        )
    )


@router.get(
    "",
    summary="A page of the tenant's users (deprecated: use `GET /api/v2/users`)",
    deprecated=True,  # Deprecation, Sunset and Link headers: keel.presentation.api.versions
    response_model=UserPageView,
    dependencies=READ,
    responses=problem_responses(400, 401, 403, 422, 429),
)
async def list_users(
    actor: UsersReader, list_users: ListUsersDep, cursors: CursorCodecDep, criteria: UserListCriteria
) -> ModelResponse:
    page = await list_users(ListUsersQuery(actor=actor, criteria=criteria))
    return ModelResponse(
        UserPageView.model_construct(
            items=[UserView.of(user) for user in page.items],
            next_cursor=cursors.encode(page.next_cursor) if page.next_cursor is not None else None,
        )
    )


@router.get(
    "/{user_id}",
    summary="One user of the tenant",
    response_model=UserView,
    dependencies=READ,
    responses={304: {"description": "Not modified"}, **problem_responses(401, 403, 404, 422, 429)},
)
async def get_user(
    user_id: UUID, actor: UsersReader, get_user: GetUserDep, if_none_match: IfNoneMatch = None
) -> Response:
    user = await get_user(GetUserQuery(actor=actor, user_id=user_id))
    if none_match(if_none_match, user.version):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag_of(user.version)})
    return _user_response(user)


@router.patch(
    "/{user_id}",
    summary="Change a user (JSON merge patch; owner or admin)",
    response_model=UserView,
    openapi_extra={"requestBody": {"content": MERGE_PATCH, "required": True}},
    dependencies=WRITE,
    responses=problem_responses(400, 401, 403, 404, 409, 412, 413, 422, 429),
)
async def patch_user(
    user_id: UUID,
    actor: UsersWriter,
    update_user: UpdateUserDep,
    body: Annotated[UserPatchBody, Body()],
    if_match: IfMatch = None,
) -> ModelResponse:
    return _user_response(await update_user(_patch_command(actor, user_id, body, expected_version(if_match))))


@router.delete(
    "/{user_id}",
    summary="Soft-delete a user (owner or admin)",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=WRITE,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 429),
)
async def delete_user(user_id: UUID, actor: UsersDeleter, delete: DeleteUserDep, if_match: IfMatch = None) -> Response:
    await delete(DeleteUserCommand(actor=actor, user_id=user_id, expected_version=expected_version(if_match)))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{user_id}/restore",
    summary="Restore a soft-deleted user (owner or admin)",
    response_model=UserView,
    dependencies=WRITE,
    responses=problem_responses(401, 403, 404, 409, 412, 422, 429),
)
async def restore_user(
    user_id: UUID, actor: UsersRestorer, restore: RestoreUserDep, if_match: IfMatch = None
) -> ModelResponse:
    command = RestoreUserCommand(actor=actor, user_id=user_id, expected_version=expected_version(if_match))
    return _user_response(await restore(command))
