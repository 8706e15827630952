"""Only the configured host names are served (``KEEL_API__TRUSTED_HOSTS``); others get a 400 problem.

A request carrying someone else's ``Host`` header reaches keel only through a misrouted proxy or DNS, or an attacker
probing for host-header injection (links built from ``Host``, cache poisoning). Entries are exact names (the port is
ignored) or ``*.example.com`` for any subdomain; ``*`` or an empty list serves every host.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Final

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from keel.presentation.api.problems import build_problem, problem_response

_HOST: Final = b"host"


class TrustedHostMiddleware:
    def __init__(self, app: ASGIApp, *, allowed_hosts: list[str]) -> None:
        self.app = app
        self._exact = frozenset(host for host in allowed_hosts if not host.startswith("*."))
        self._suffixes = tuple(host[1:] for host in allowed_hosts if host.startswith("*."))

    def allows(self, host_header: str) -> bool:
        host = _host_name(host_header)
        return host in self._exact or (bool(self._suffixes) and host.endswith(self._suffixes))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        host = next((value.decode("latin-1") for name, value in scope["headers"] if name == _HOST), "")
        if self.allows(host):
            await self.app(scope, receive, send)
            return
        problem = build_problem(
            Request(scope), HTTPStatus.BAD_REQUEST, code="host_not_allowed", detail="This host is not served here."
        )
        await problem_response(problem)(scope, receive, send)


def _host_name(header: str) -> str:
    """The name of a ``Host`` header, lower case, without the port (``[::1]`` keeps its brackets)."""
    host = header.strip().lower()
    if host.startswith("["):
        return host[: host.find("]") + 1]
    name, colon, port = host.rpartition(":")
    return name if colon and port.isdigit() else host
