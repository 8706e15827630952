"""``POST /api/v1/users/batch``: each item created or reported; a bounded number of SQL statements whatever the size."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from keel.container import Container
from support.api import PASSWORD, SignUp

pytestmark = pytest.mark.e2e


def _users(count: int, start: int = 0) -> list[dict[str, Any]]:
    return [
        {"email": f"b{i}@batch.example", "username": f"batch{i}", "password": PASSWORD}
        for i in range(start, start + count)
    ]


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: object, _cursor: object, statement: str, *_args: object) -> None:
        self.statements.append(statement)


@pytest.fixture
async def statements(client: httpx.AsyncClient, container: Container) -> Iterator[StatementCounter]:
    engine: AsyncEngine = await container.engine()
    counter = StatementCounter()
    event.listen(engine.sync_engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine.sync_engine, "before_cursor_execute", counter)


async def test_items_are_created_or_reported_by_index(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    existing = await client.post("/api/v1/users", headers=owner.headers, json=_users(1, start=900)[0])
    assert existing.status_code == 201
    batch = [
        *_users(3),
        {"email": "b0@batch.example", "username": "again", "password": PASSWORD},  # duplicate inside the batch
        {"email": "b900@batch.example", "username": "fresh", "password": PASSWORD},  # taken in the database
        {"email": "bad", "username": "fine_name", "password": PASSWORD},  # invalid email
        {"email": "weak@batch.example", "username": "weakling", "password": "short"},  # weak password
    ]
    response = await client.post("/api/v1/users/batch", headers=owner.headers, json={"users": batch})
    assert response.status_code == 200
    body = response.json()
    assert [item["index"] for item in body["created"]] == [0, 1, 2]
    assert {(error["index"], error["code"]) for error in body["errors"]} == {
        (3, "email_already_used"),
        (4, "email_already_used"),
        (5, "invalid_email"),
        (6, "weak_password"),
    }
    listed = (await client.get("/api/v1/users", headers=owner.headers, params={"limit": 100})).json()["items"]
    assert len(listed) == 5  # the owner, the existing user and the three created


async def test_more_than_the_maximum_is_422(client: httpx.AsyncClient, sign_up: SignUp) -> None:
    owner = await sign_up()
    response = await client.post("/api/v1/users/batch", headers=owner.headers, json={"users": _users(101)})
    assert response.status_code == 422
    assert response.json()["code"] == "batch_too_large"


@pytest.mark.parametrize("size", [10, 100])
async def test_statements_do_not_grow_with_the_batch(
    client: httpx.AsyncClient, sign_up: SignUp, statements: StatementCounter, size: int
) -> None:
    owner = await sign_up()
    statements.statements.clear()
    response = await client.post("/api/v1/users/batch", headers=owner.headers, json={"users": _users(size)})
    assert response.status_code == 200
    assert len(response.json()["created"]) == size
    inserts = [s for s in statements.statements if s.lstrip().upper().startswith("INSERT")]
    # the users, their welcome emails, their audit entries: one multi-row insert each
    assert [insert.split("(")[0].split()[-1] for insert in inserts] == ["users", "outbox", "audit_events"]
    assert len(statements.statements) <= 8, statements.statements
