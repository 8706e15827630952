"""A TCP proxy in front of the test Redis that a test can take down (refusing and cutting connections) and bring
back up, on the same port: a Redis outage and its end, without touching the real server."""

from __future__ import annotations

import asyncio
import contextlib

from redis.asyncio import Redis


class RedisProxy:
    """Forwards TCP connections on ``port`` to the real Redis while up; down, it refuses them and cuts open ones."""

    def __init__(self, upstream: Redis, port: int) -> None:
        kwargs = upstream.connection_pool.connection_kwargs
        self._path: str | None = kwargs.get("path")
        self._host: str = kwargs.get("host", "127.0.0.1")
        self._port: int = kwargs.get("port", 6379)
        self.port = port
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    async def up(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port, reuse_address=True)

    async def down(self) -> None:
        if self._server is not None:
            self._server.close()
            for writer in list(self._writers):
                writer.close()
            await self._server.wait_closed()
            self._server = None

    async def _serve(self, client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter) -> None:
        if self._path:
            upstream_reader, upstream_writer = await asyncio.open_unix_connection(self._path)
        else:
            upstream_reader, upstream_writer = await asyncio.open_connection(self._host, self._port)
        self._writers |= {client_writer, upstream_writer}
        try:
            await asyncio.gather(
                _pipe(client_reader, upstream_writer), _pipe(upstream_reader, client_writer), return_exceptions=True
            )
        finally:
            for writer in (client_writer, upstream_writer):
                self._writers.discard(writer)
                writer.close()


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while data := await source.read(65_536):
            sink.write(data)
            await sink.drain()
    sink.close()
