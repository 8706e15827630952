"""The outbound URL port: before keel calls a URL someone gave it (a webhook), is it safe to call?

"Safe" means the request cannot be turned against keel's own network (server-side request forgery): only ``http`` and
``https``, no credentials in the URL, and a host whose every address — literal, or each one DNS answers — is a public
unicast address: not loopback, private, link-local, shared (CGNAT), multicast, unspecified, reserved, an IPv6
unique-local or an IPv4 address wrapped in IPv6, nor a cloud metadata endpoint. An adapter checks again at every
redirect and every connection.
"""

from __future__ import annotations

from typing import Protocol

from keel.domain.errors import InvariantViolated


class UnsafeUrl(InvariantViolated):
    """The URL may not be called; ``detail`` says why (without the addresses DNS gave: they are internal data)."""

    code = "unsafe_url"

    def __init__(self, detail: str, *, field: str = "url") -> None:
        super().__init__(detail, context={"field": field})


class OutboundUrlPolicy(Protocol):
    async def check(self, url: str) -> None:
        """Return if ``url`` may be called now; raise ``UnsafeUrl`` otherwise (also when its host does not resolve)."""
        ...
