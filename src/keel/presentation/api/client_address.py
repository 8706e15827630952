"""The client's IP address: the socket's peer, unless that peer is a trusted reverse proxy.

``X-Forwarded-For`` is a list a client can start with anything it likes; each proxy appends the address it received
the request from. So it is read only when the peer is a configured trusted proxy, and from the right: the client is
the right-most address that is not itself a trusted proxy — the one the outermost trusted proxy saw. Addresses left
of it were written by the client and are ignored. A malformed hop where the client should be means a proxy is broken:
the address of the proxy that reported it is used instead.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from typing import Final

from starlette.types import Scope

_FORWARDED_FOR: Final = b"x-forwarded-for"
UNKNOWN: Final = "unknown"

type Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class TrustedProxies:
    def __init__(self, networks: Iterable[str]) -> None:
        self._networks: tuple[Network, ...] = tuple(ipaddress.ip_network(item, strict=False) for item in networks)

    def __bool__(self) -> bool:
        return bool(self._networks)

    def __contains__(self, address: str) -> bool:
        try:
            parsed = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(parsed in network for network in self._networks)

    def client_address(self, scope: Scope) -> str:
        """The client's address for this request (``unknown`` when the server gave no peer)."""
        client = scope.get("client")
        peer = str(client[0]) if client else UNKNOWN
        if not self._networks or peer not in self:
            return peer
        hops = [
            hop.strip()
            for name, value in scope["headers"]
            if name == _FORWARDED_FOR
            for hop in value.decode("latin-1").split(",")
        ]
        reporter = peer
        for hop in reversed(hops):
            if hop not in self:
                return _normalised(hop) or reporter
            reporter = hop
        return reporter  # every hop is a trusted proxy: the request started inside


def _normalised(hop: str) -> str | None:
    try:
        return str(ipaddress.ip_address(hop))
    except ValueError:
        return None
