"""What can go wrong with API clients, in domain terms."""

from __future__ import annotations

from keel.domain.errors import Conflict, InvariantViolated, NotFound


class ApiClientNotFound(NotFound):
    """No active API client with this id in the tenant (revoked clients are gone for every purpose)."""

    code = "api_client_not_found"

    def __init__(self, detail: str = "No such API client.") -> None:
        super().__init__(detail)


class TooManyApiClients(Conflict):
    code = "too_many_api_clients"


class NoPreviousSecret(Conflict):
    """There is no previous secret to retire: the client was never rotated, or it was retired or expired already."""

    code = "no_previous_secret"

    def __init__(self) -> None:
        super().__init__("The API client has no previous secret still valid.")


class InvalidClientName(InvariantViolated):
    code = "invalid_api_client_name"


class InvalidRollover(InvariantViolated):
    code = "invalid_rollover"
