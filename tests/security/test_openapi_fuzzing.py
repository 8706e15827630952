"""The whole OpenAPI document, fuzzed by schemathesis against the in-process app, signed in: whatever the generated
request, no 5xx, and every response conforms to what the document declares (status, content type, schema).

A real tenant and its owner's access token authenticate every operation; the partner operation is signed by a real
API client of that tenant. Generation is deterministic (``derandomize``) and bounded (``MAX_EXAMPLES`` per
operation) so the run takes seconds; a failure prints the request that reproduces it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.python import asgi
from schemathesis.schemas import APIOperation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from keel.presentation.api.app import create_app
from keel.sdk import sign_request
from keel.settings import Settings
from support.api import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

MAX_EXAMPLES = 40
CHECKS = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(settings: Settings) -> Iterator[OpenApiSchema]:
    app = create_app(settings)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)  # starts the app's lifespan
    yield schema
    asgi.shutdown_lifespans()


@pytest.fixture
def credentials(api_schema: OpenApiSchema) -> dict[str, str]:
    """A real tenant's owner token and a real API client of that tenant, made through the API."""
    with asgi.get_client(api_schema.app) as client:
        owner = {"email": "owner@fuzzed.example", "username": "fuzzowner", "password": PASSWORD}
        created = client.post("/api/v1/tenants", json={"slug": "fuzzed", "name": "Fuzzed", "owner": owner})
        assert created.status_code == 201, created.text
        login = client.post(
            "/api/v1/auth/login", json={"tenant": "fuzzed", "email": owner["email"], "password": PASSWORD}
        )
        token = login.json()["access_token"]
        api_client = client.post(
            "/api/v1/api-clients", headers={"Authorization": f"Bearer {token}"}, json={"name": "fuzzing"}
        ).json()
    return {"token": token, "client_id": api_client["client_id"], "secret": api_client["secret"]}


def _headers(case: Any, credentials: dict[str, str]) -> dict[str, str]:
    if not case.operation.path.startswith("/api/v1/partner/"):
        return {"Authorization": f"Bearer {credentials['token']}"}
    query = urlencode(case.query or {}, doseq=True)
    url = f"http://{asgi.HOST}{case.formatted_path}" + (f"?{query}" if query else "")
    return sign_request(
        case.method, url, {}, b"", client_id=credentials["client_id"], secret=credentials["secret"], sign_headers=()
    )


def _fuzz(operation: APIOperation, credentials: dict[str, str]) -> None:
    @given(case=operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE))
    @settings(
        max_examples=MAX_EXAMPLES,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    def run(case: Any) -> None:
        case.call_and_validate(headers=_headers(case, credentials), checks=CHECKS)

    run()


def test_every_operation_answers_as_documented(api_schema: OpenApiSchema, credentials: dict[str, str]) -> None:
    """Each operation is fuzzed in turn (valid requests and invalid ones); every failure is reported at the end."""
    failures: list[str] = []
    fuzzed = 0
    for result in api_schema.get_all_operations():
        operation = result.ok()
        fuzzed += 1
        try:
            _fuzz(operation, credentials)
        except (Exception, BaseExceptionGroup) as failure:  # noqa: BLE001 - reported together below
            failures.append(f"{operation.label}:\n{failure}")
    assert fuzzed == sum(len(operations) for operations in api_schema.raw_schema["paths"].values())
    assert not failures, "\n\n".join(failures)
