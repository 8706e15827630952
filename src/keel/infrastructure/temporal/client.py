"""The Temporal client as a container resource, connected on first use.

Starting the resource never connects, so the API (and the worker) start while Temporal is down; ``client()``
connects at its first call and keeps the connection, and a failed attempt raises ``TemporalUnavailable`` and is tried
again at the next call. Readiness reports the state (``TemporalHealthCheck``); the outbox relay backs its rows off.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from datetime import timedelta

import structlog
from temporalio.client import Client, Interceptor

from keel.settings import TemporalSettings

logger = structlog.get_logger(__name__)


class TemporalUnavailable(Exception):
    """The Temporal frontend could not be reached (refused, unresolvable, timed out)."""


class TemporalConnector:
    Unavailable = TemporalUnavailable
    """What ``client()`` raises when Temporal cannot be reached (for callers that do not import this module)."""

    def __init__(self, settings: TemporalSettings, interceptors: Sequence[Interceptor] = ()) -> None:
        self._settings = settings
        self._interceptors = list(interceptors)
        self._client: Client | None = None
        self._lock = asyncio.Lock()

    @property
    def settings(self) -> TemporalSettings:
        return self._settings

    @property
    def connected(self) -> bool:
        return self._client is not None

    async def client(self) -> Client:
        """The connected client; connects first if needed (one attempt, bounded by ``connect_timeout_seconds``)."""
        if self._client is not None:
            return self._client
        async with self._lock:
            if self._client is None:
                self._client = await self._connect()
                logger.info("temporal.connected", address=self._settings.address, namespace=self._settings.namespace)
            return self._client

    def forget(self) -> None:
        """Drop the connection (the SDK closes it once no worker or call uses it)."""
        self._client = None

    async def _connect(self) -> Client:
        timeout = self._settings.connect_timeout_seconds
        try:
            async with asyncio.timeout(timeout):
                return await Client.connect(
                    self._settings.address,
                    namespace=self._settings.namespace,
                    interceptors=self._interceptors,
                    connect_timeout=timedelta(seconds=timeout),
                )
        except TimeoutError:
            raise TemporalUnavailable(
                f"no answer from Temporal at {self._settings.address} within {timeout:g}s"
            ) from None
        except RuntimeError as error:  # the SDK's connection errors ("Failed client connect: ..."), quoted whole
            raise TemporalUnavailable(f"cannot connect to Temporal at {self._settings.address}: {error}") from None


async def temporal_resource(
    settings: TemporalSettings, interceptors: Sequence[Interceptor] = ()
) -> AsyncIterator[TemporalConnector]:
    """The connector (not connected yet); on shutdown the connection is dropped. ``interceptors`` go on the client
    (the tracing interceptor, when tracing is on) and on the workers built on it."""
    connector = TemporalConnector(settings, interceptors)
    logger.info("temporal.client.started", address=settings.address, namespace=settings.namespace)
    try:
        yield connector
    finally:
        connector.forget()
        logger.info("temporal.client.stopped")
