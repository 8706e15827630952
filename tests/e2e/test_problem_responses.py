"""Every error reaches the client as an RFC 9457 problem; an unexpected one reveals nothing but the request id."""

from __future__ import annotations

import httpx
import pytest
from fastapi import APIRouter, FastAPI
from pydantic import BaseModel, Field

from keel.application.errors import DependencyUnavailable
from keel.domain.errors import Conflict, NotFound

pytestmark = pytest.mark.e2e


class WidgetNotFound(NotFound):
    code = "widget_not_found"


class Owner(BaseModel):
    email: str = Field(pattern=r"^[^@]+@[^@]+$")


class NewWidget(BaseModel):
    name: str = Field(min_length=3)
    owner: Owner
    tags: list[int] = []


def _probe_router() -> APIRouter:
    """Routes that raise what real use cases raise, mounted for these tests only."""
    router = APIRouter(prefix="/api/v1/_probe")

    @router.get("/widgets/{widget_id}")
    async def get_widget(widget_id: int) -> dict[str, int]:
        raise WidgetNotFound(f"Widget {widget_id} does not exist.")

    @router.post("/widgets")
    async def create_widget(widget: NewWidget) -> dict[str, str]:
        raise Conflict(f"A widget named {widget.name!r} exists.")

    @router.get("/database")
    async def database_down() -> None:
        raise DependencyUnavailable("The database is not answering.", retry_after_seconds=7)

    @router.get("/bug")
    async def bug() -> None:
        password = "".join(["hun", "ter2"])  # noqa: F841 - a local that a traceback with locals would expose
        raise RuntimeError("connection to 10.1.2.3 failed: password authentication failed for user app")

    return router


@pytest.fixture
def app(app: FastAPI) -> FastAPI:
    app.include_router(_probe_router())
    return app


async def test_domain_error_becomes_a_problem(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/_probe/widgets/42", headers={"X-Request-ID": "req-1"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "urn:keel:problem:widget_not_found",
        "title": "Not Found",
        "status": 404,
        "detail": "Widget 42 does not exist.",
        "instance": "/api/v1/_probe/widgets/42",
        "code": "widget_not_found",
        "request_id": "req-1",
    }


async def test_body_validation_errors_point_into_the_body(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/_probe/widgets", json={"name": "ab", "owner": {"email": "nope"}, "tags": [1, "x"]}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "validation_failed"
    assert body["status"] == 422
    assert body["detail"] == "The request has 3 invalid values."
    located = {error["pointer"]: error["code"] for error in body["errors"]}
    assert located == {"/name": "string_too_short", "/owner/email": "string_pattern_mismatch", "/tags/1": "int_parsing"}


async def test_parameter_validation_errors_name_the_parameter(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/_probe/widgets/not-a-number")
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error == {
        "detail": "Input should be a valid integer, unable to parse string as an integer",
        "code": "int_parsing",
        "parameter": "widget_id",
    }


async def test_malformed_json_is_a_validation_problem(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/api/v1/_probe/widgets", content=b'{"name": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "json_invalid"


async def test_conflict_keeps_the_safe_detail(client: httpx.AsyncClient) -> None:
    response = await client.post("/api/v1/_probe/widgets", json={"name": "abc", "owner": {"email": "a@b"}})
    assert response.status_code == 409
    assert response.json()["detail"] == "A widget named 'abc' exists."


async def test_unavailable_dependency_says_when_to_retry(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/_probe/database")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "7"
    assert response.json()["code"] == "dependency_unavailable"


async def test_unknown_route_and_wrong_method_are_problems(client: httpx.AsyncClient) -> None:
    missing = await client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404
    assert missing.headers["content-type"] == "application/problem+json"
    assert missing.json()["code"] == "not_found"
    wrong = await client.delete("/health/live")
    assert wrong.status_code == 405
    assert wrong.json()["code"] == "method_not_allowed"
    assert wrong.headers["allow"] == "GET"


async def test_unexpected_error_is_a_500_without_internals(
    client: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    response = await client.get("/api/v1/_probe/bug", headers={"X-Request-ID": "bug-7"})
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"] == "bug-7"
    body = response.json()
    assert body == {
        "type": "urn:keel:problem:internal_error",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "An unexpected error occurred. Quote the request id when reporting it.",
        "instance": "/api/v1/_probe/bug",
        "code": "internal_error",
        "request_id": "bug-7",
    }
    for leak in ("10.1.2.3", "password", "RuntimeError", "Traceback", "hunter2"):
        assert leak not in response.text
    logged = capsys.readouterr().err
    assert "request.unhandled_error" in logged
    assert "bug-7" in logged
    assert "RuntimeError" in logged
    assert "hunter2" not in logged


async def test_openapi_declares_the_problem_schema(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "code"}
    assert "ProblemError" in schema["components"]["schemas"]
