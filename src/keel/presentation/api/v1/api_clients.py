"""``/api/v1/api-clients``: the tenant's machine credentials for the partner API (``api_clients:manage``: owners).

A secret is in the answer of the creation and of each rotation, once; it is stored encrypted and never shown again.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Body, Depends, Request, Response, status

from keel.application.api_clients import (
    ApiClientCommand,
    CreateApiClientCommand,
    IssuedCredentials,
    ListApiClientsQuery,
    RotateApiClientSecretCommand,
)
from keel.presentation.api.authorization import ApiClientManager
from keel.presentation.api.deps import (
    CreateApiClientDep,
    ListApiClientsDep,
    RetirePreviousSecretDep,
    RevokeApiClientDep,
    RotateApiClientSecretDep,
)
from keel.presentation.api.problems import problem_responses
from keel.presentation.api.rate_limiting import UserRateLimit
from keel.presentation.api.responses import ModelResponse
from keel.presentation.api.v1.schemas import (
    ApiClientCredentialsView,
    ApiClientListView,
    ApiClientView,
    NewApiClientBody,
    RotateSecretBody,
)
from keel.settings import RateLimitClass

router = APIRouter(prefix="/api-clients", tags=["api clients"])

READ = [Depends(UserRateLimit(RateLimitClass.READ))]
WRITE = [Depends(UserRateLimit(RateLimitClass.WRITE))]
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _credentials(issued: IssuedCredentials, status_code: int = status.HTTP_200_OK, **headers: str) -> ModelResponse:
    view = ApiClientCredentialsView(
        client_id=issued.client.id, secret=issued.secret, client=ApiClientView.of(issued.client)
    )
    return ModelResponse(view, status_code=status_code, headers={**NO_STORE, **headers})


@router.post(
    "",
    summary="Create an API client; its secret is in this answer only",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiClientCredentialsView,
    dependencies=WRITE,
    responses=problem_responses(400, 401, 403, 409, 413, 422, 429),
)
async def create_api_client(
    body: NewApiClientBody, actor: ApiClientManager, create: CreateApiClientDep, request: Request
) -> ModelResponse:
    issued = await create(CreateApiClientCommand(actor=actor, name=body.name))
    location = request.url_for("list_api_clients").path
    return _credentials(issued, status.HTTP_201_CREATED, Location=f"{location}/{issued.client.id}")


@router.get(
    "",
    summary="The tenant's active API clients",
    response_model=ApiClientListView,
    dependencies=READ,
    responses=problem_responses(401, 403, 429),
)
async def list_api_clients(actor: ApiClientManager, list_clients: ListApiClientsDep) -> ModelResponse:
    clients = await list_clients(ListApiClientsQuery(actor=actor))
    return ModelResponse(ApiClientListView(items=[ApiClientView.of(client) for client in clients]))


@router.post(
    "/{client_id}/rotate-secret",
    summary="Give the client a new secret; the current one keeps verifying until the rollover ends",
    response_model=ApiClientCredentialsView,
    dependencies=WRITE,
    responses=problem_responses(400, 401, 403, 404, 413, 422, 429),
)
async def rotate_api_client_secret(
    client_id: UUID,
    actor: ApiClientManager,
    rotate: RotateApiClientSecretDep,
    body: Annotated[RotateSecretBody | None, Body()] = None,
) -> ModelResponse:
    seconds = body.previous_secret_valid_for_seconds if body is not None else None
    rollover = timedelta(seconds=seconds) if seconds is not None else None
    issued = await rotate(RotateApiClientSecretCommand(actor=actor, client_id=client_id, rollover=rollover))
    return _credentials(issued)


@router.post(
    "/{client_id}/retire-previous-secret",
    summary="End a rollover now: only the newest secret verifies from here on",
    response_model=ApiClientView,
    dependencies=WRITE,
    responses=problem_responses(401, 403, 404, 409, 422, 429),
)
async def retire_previous_secret(
    client_id: UUID, actor: ApiClientManager, retire: RetirePreviousSecretDep
) -> ModelResponse:
    client = await retire(ApiClientCommand(actor=actor, client_id=client_id))
    return ModelResponse(ApiClientView.of(client))


@router.delete(
    "/{client_id}",
    summary="Revoke an API client: its signatures are refused from now on",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=WRITE,
    responses=problem_responses(401, 403, 404, 422, 429),
)
async def revoke_api_client(client_id: UUID, actor: ApiClientManager, revoke: RevokeApiClientDep) -> Response:
    await revoke(ApiClientCommand(actor=actor, client_id=client_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)
