"""Typed dependencies of the routes, resolved from the app's own container.

Each alias resolves a provider of the container that the app was created with (``request.app.state.container``)
rather than through dependency-injector's module wiring: wiring is process-global, so two apps in one process — as in
tests that compare configurations — would share one container. Overrides made with ``container.x.override(...)`` apply.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from keel.application.health import CheckHealth
from keel.container import Container


def from_container[T](
    select: Callable[[Container], Callable[[], T | Awaitable[T]]],
) -> Callable[[Request], Awaitable[T]]:
    """A FastAPI dependency that calls the provider ``select(container)`` of the app's container.

    Providers that depend on an async resource (the engine, the Redis client) answer with an awaitable once the
    resource runs; it is awaited here, so routes always receive the object itself.
    """

    async def resolve(request: Request) -> T:
        container: Container = request.app.state.container
        provided = select(container)()
        if inspect.isawaitable(provided):
            return await provided
        return provided

    return resolve


CheckHealthDep = Annotated[CheckHealth, Depends(from_container(lambda c: c.check_health))]
