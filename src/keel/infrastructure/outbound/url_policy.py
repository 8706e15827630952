"""``PublicUrlPolicy``: the ``OutboundUrlPolicy`` port — scheme, credentials, then every address of the host."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit

from keel.application.ports.outbound import UnsafeUrl
from keel.infrastructure.outbound.addresses import IPAddress, blocked_reason
from keel.infrastructure.outbound.resolver import HostResolver

ALLOWED_SCHEMES = frozenset({"http", "https"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
MAX_URL_LENGTH = 2048


class PublicUrlPolicy:
    """Implements ``OutboundUrlPolicy``. ``check`` resolves the host; ``check_addresses`` judges resolved ones."""

    def __init__(self, resolver: HostResolver) -> None:
        self._resolver = resolver

    async def check(self, url: str) -> None:
        host, port = static_destination(url)
        literal = _ip_literal(host)
        addresses = [literal] if literal is not None else await self._resolver.resolve(host, port)
        if not addresses:
            raise UnsafeUrl(f"The host {host!r} does not resolve.")
        check_addresses(host, addresses)


def static_destination(url: str) -> tuple[str, int]:
    """The host and port of ``url`` if its form is acceptable (no resolution yet); ``UnsafeUrl`` otherwise."""
    if len(url) > MAX_URL_LENGTH:
        raise UnsafeUrl(f"A URL has at most {MAX_URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UnsafeUrl("The URL is malformed.") from None
    scheme = parts.scheme.lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UnsafeUrl("Only http and https URLs may be called.")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise UnsafeUrl("A URL may not carry credentials.")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise UnsafeUrl("The URL has no host.")
    return host, port if port is not None else _DEFAULT_PORTS[scheme]


def check_addresses(host: str, addresses: list[IPAddress]) -> None:
    """``UnsafeUrl`` if any of ``addresses`` may not be reached: a name that resolves to one public address and one
    internal one is refused (the connection could use either)."""
    for address in addresses:
        reason = blocked_reason(address)
        if reason is not None:
            raise UnsafeUrl(f"The host {host!r} leads to {reason}; only public addresses may be called.")


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None
