"""Resolving a host name to the addresses a connection would use: the system resolver, behind a small port of our
own so that tests (and deployments with their own DNS client) can answer instead."""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from typing import Protocol

from keel.infrastructure.outbound.addresses import IPAddress


class HostResolver(Protocol):
    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        """Every address ``host`` resolves to (empty if it does not resolve)."""
        ...


class SystemResolver:
    """``getaddrinfo`` in the event loop's executor, as connections themselves resolve."""

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        loop = asyncio.get_running_loop()
        try:
            answers = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError):
            return []
        addresses: list[IPAddress] = []
        for _family, _type, _proto, _name, sockaddr in answers:
            address = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])  # drop an IPv6 zone id
            if address not in addresses:
                addresses.append(address)
        return addresses
