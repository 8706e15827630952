"""API clients: machine credentials of a tenant, their secrets' life cycle, and the authentication of the partner
API's signed requests."""

from keel.application.api_clients.authenticate import AuthenticateApiClient, SignedRequest
from keel.application.api_clients.create_client import CreateApiClient, CreateApiClientCommand
from keel.application.api_clients.credentials import SECRET_PREFIX, IssuedCredentials, new_secret
from keel.application.api_clients.errors import (
    SIGNATURE_SCHEME,
    InvalidSignature,
    MalformedSignedRequest,
    NonceReused,
    RequestTimeSkewed,
    SignedRequestRefused,
)
from keel.application.api_clients.list_clients import ListApiClients, ListApiClientsQuery
from keel.application.api_clients.manage_client import (
    ApiClientCommand,
    RetirePreviousSecret,
    RevokeApiClient,
    RotateApiClientSecret,
    RotateApiClientSecretCommand,
)
from keel.application.api_clients.ports import ApiClientRepository, NonceRegister, SecretSealer, UnreadableSecret
from keel.application.api_clients.principal import ApiClientPrincipal

__all__ = [
    "SECRET_PREFIX",
    "SIGNATURE_SCHEME",
    "ApiClientCommand",
    "ApiClientPrincipal",
    "ApiClientRepository",
    "AuthenticateApiClient",
    "CreateApiClient",
    "CreateApiClientCommand",
    "InvalidSignature",
    "IssuedCredentials",
    "ListApiClients",
    "ListApiClientsQuery",
    "MalformedSignedRequest",
    "NonceRegister",
    "NonceReused",
    "RequestTimeSkewed",
    "RetirePreviousSecret",
    "RevokeApiClient",
    "RotateApiClientSecret",
    "RotateApiClientSecretCommand",
    "SecretSealer",
    "SignedRequest",
    "SignedRequestRefused",
    "UnreadableSecret",
    "new_secret",
]
