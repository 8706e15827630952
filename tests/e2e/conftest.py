"""The whole app over HTTP (httpx's ASGI transport), its lifespan run, real PostgreSQL and Redis behind it."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from keel.container import Container, build_container
from keel.presentation.api.app import create_app
from keel.settings import Settings


@pytest.fixture
def container(settings: Settings) -> Container:
    return build_container(settings)


@pytest.fixture
def app(settings: Settings, container: Container) -> FastAPI:
    return create_app(settings, container=container)


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://keel.test") as http,
    ):
        yield http
