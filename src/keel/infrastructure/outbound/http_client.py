"""An httpx client for user-given URLs: every request, every redirect hop and every connection is checked.

Two guards, because either alone has a gap:

- an event hook runs ``OutboundUrlPolicy.check`` on each request httpx sends — the first one and every redirect hop —
  so a public URL that redirects to ``http://127.0.0.1/`` fails with a clear ``UnsafeUrl`` before anything is sent;
- the network backend resolves the host itself, checks every address, and connects to a checked address only (the
  name is still sent as TLS SNI and ``Host``). A name that answered a public address to the hook and an internal one
  to the connection (DNS rebinding) cannot slip through between the two.

```python
async with guarded_http_client(policy, resolver) as client:
    await client.post(webhook_url, json=event)        # UnsafeUrl if it leads anywhere internal
```
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Final

import httpcore
import httpx

from keel.application.ports.outbound import OutboundUrlPolicy, UnsafeUrl
from keel.infrastructure.outbound.resolver import HostResolver
from keel.infrastructure.outbound.url_policy import check_addresses

DEFAULT_TIMEOUT: Final = httpx.Timeout(10.0, connect=5.0)
MAX_REDIRECTS: Final = 5


class GuardedNetworkBackend(httpcore.AsyncNetworkBackend):
    """Connects only to addresses the policy allows, resolving names itself. Raises ``UnsafeUrl`` otherwise."""

    def __init__(self, resolver: HostResolver, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._resolver = resolver
        self._inner = inner if inner is not None else httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        try:
            addresses = [ipaddress.ip_address(host)]
        except ValueError:
            addresses = await self._resolver.resolve(host, port)
        if not addresses:
            raise httpcore.ConnectError(f"{host!r} does not resolve")
        check_addresses(host, addresses)
        return await self._inner.connect_tcp(
            str(addresses[0]), port, timeout=timeout, local_address=local_address, socket_options=socket_options
        )

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore's interface
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise UnsafeUrl("Outbound requests never use Unix sockets.")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def guarded_http_client(
    policy: OutboundUrlPolicy,
    resolver: HostResolver,
    *,
    network: httpcore.AsyncNetworkBackend | None = None,
    timeout: httpx.Timeout = DEFAULT_TIMEOUT,
) -> httpx.AsyncClient:
    """A client that follows up to ``MAX_REDIRECTS`` redirects, each hop checked; no proxy from the environment.

    ``network`` is the backend connections finally go through (the real sockets by default).
    """

    async def check_request(request: httpx.Request) -> None:
        await policy.check(str(request.url))

    transport = httpx.AsyncHTTPTransport(trust_env=False)
    # httpx has no parameter for the network backend of its connection pool: give the transport a pool built on the
    # guarded backend, with the TLS settings httpx would have used.
    transport._pool = httpcore.AsyncConnectionPool(
        ssl_context=httpx.create_ssl_context(), network_backend=GuardedNetworkBackend(resolver, network)
    )
    return httpx.AsyncClient(
        transport=transport,
        event_hooks={"request": [check_request]},
        follow_redirects=True,
        max_redirects=MAX_REDIRECTS,
        timeout=timeout,
        trust_env=False,
    )
