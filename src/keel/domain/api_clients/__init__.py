"""API clients: a tenant's machine credentials for the partner API, with secrets that rotate without downtime."""

from keel.domain.api_clients.client import (
    MAX_ACTIVE_CLIENTS,
    MAX_CLIENT_NAME_LENGTH,
    MAX_ROLLOVER,
    ApiClient,
    ClientSecret,
    clean_client_name,
)
from keel.domain.api_clients.errors import (
    ApiClientNotFound,
    InvalidClientName,
    InvalidRollover,
    NoPreviousSecret,
    TooManyApiClients,
)

__all__ = [
    "MAX_ACTIVE_CLIENTS",
    "MAX_CLIENT_NAME_LENGTH",
    "MAX_ROLLOVER",
    "ApiClient",
    "ApiClientNotFound",
    "ClientSecret",
    "InvalidClientName",
    "InvalidRollover",
    "NoPreviousSecret",
    "TooManyApiClients",
    "clean_client_name",
]
