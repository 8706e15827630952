"""Readiness probe of Temporal: the frontend's gRPC health service, through the shared client."""

from __future__ import annotations

from datetime import timedelta

from keel.infrastructure.temporal.client import TemporalConnector, TemporalUnavailable

_PROBE_TIMEOUT = timedelta(seconds=5)  # the readiness check's own timeout is usually shorter and wins


class TemporalHealthCheck:
    name = "temporal"

    def __init__(self, connector: TemporalConnector, *, required: bool) -> None:
        self._connector = connector
        self.required = required

    async def probe(self) -> None:
        client = await self._connector.client()
        if not await client.service_client.check_health(timeout=_PROBE_TIMEOUT):
            raise TemporalUnavailable("the Temporal frontend answers but does not serve the workflow service")
