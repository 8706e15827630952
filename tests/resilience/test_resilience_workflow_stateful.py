"""Scenario 9b — sequences of calls, not single ones: schemathesis's stateful run over the OpenAPI document, signed in.

``tests/security/test_openapi_fuzzing.py`` fuzzes every operation on its own. Here schemathesis chains them along the
links between operations — the document declares none, so schemathesis infers them from the schemas (a user created,
then read, changed, deleted, restored; an import accepted, then its job read, cancelled, its files asked for; an API
client created, then revoked) — and each response of a sequence must conform to the document and never be a 5xx.
The owner's bearer token authenticates every call (the signed partner operations answer 401 to it, as documented).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any, ClassVar, Final

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.python import asgi
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from schemathesis.specs.openapi.schemas import OpenApiSchema

from keel.presentation.api.app import create_app
from keel.settings import Settings
from support.api import PASSWORD
from support.resilience import Figures, RecordFigures

pytestmark = pytest.mark.resilience

SCENARIOS: Final = 25
STEPS: Final = 8
CHECKS: Final = [
    schemathesis.checks.not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def api_schema(settings: Settings) -> Iterator[OpenApiSchema]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(settings))  # starts the app's lifespan
    yield schema
    asgi.shutdown_lifespans()


@pytest.fixture
def token(api_schema: OpenApiSchema) -> str:
    with asgi.get_client(api_schema.app) as client:
        owner = {"email": "owner@stateful.example", "username": "statefulowner", "password": PASSWORD}
        created = client.post("/api/v1/tenants", json={"slug": "stateful", "name": "Stateful", "owner": owner})
        assert created.status_code == 201, created.text
        login = client.post(
            "/api/v1/auth/login", json={"tenant": "stateful", "email": owner["email"], "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
        return str(login.json()["access_token"])


def test_sequences_of_linked_operations_answer_as_documented(
    api_schema: OpenApiSchema, token: str, resilience_figures: RecordFigures
) -> None:
    base = api_schema.as_state_machine()
    links = len([name for name in dir(base) if "___" in name])  # a rule per link: <source>___<status>_<target>

    class SignedIn(base):  # type: ignore[valid-type,misc]
        statuses: ClassVar[Counter[int]] = Counter()

        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": {"Authorization": f"Bearer {token}"}}

        def after_call(self, response: Any, case: Any) -> None:
            self.statuses[response.status_code] += 1

        def validate_response(self, response: Any, case: Any, *args: Any, **kwargs: Any) -> None:
            case.validate_response(response, checks=CHECKS, headers=self.get_call_kwargs(case)["headers"])

    SignedIn.run(
        settings=hypothesis_settings(
            max_examples=SCENARIOS,
            stateful_step_count=STEPS,
            derandomize=True,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )

    statuses = SignedIn.statuses
    assert statuses.total() > 0
    assert not [status for status in statuses if status >= 500]
    resilience_figures(
        Figures(
            scenario="9b. Stateful API fuzzing (inferred links)",
            sent=statuses.total(),
            ok=sum(n for status, n in statuses.items() if 200 <= status < 300),
            client_errors=sum(n for status, n in statuses.items() if 400 <= status < 500),
            server_errors=sum(n for status, n in statuses.items() if status >= 500),
            notes=f"{SCENARIOS} scenarios of up to {STEPS} calls, {links} inferred links",
        )
    )
