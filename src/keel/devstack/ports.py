"""Ports the stack is about to listen on, checked before anything starts."""

from __future__ import annotations

import errno
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from keel.devstack.errors import DevStackError

LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class PortClaim:
    """``service`` will listen on ``host:port``; ``setting`` is the variable that chooses the port."""

    service: str
    host: str
    port: int
    setting: str

    def describe(self) -> str:
        return f"port {self.port} ({self.service}, {self.setting})"


def port_is_free(host: str, port: int) -> bool:
    """Whether a listening socket could be bound to ``host:port`` right now (sockets in TIME_WAIT do not count)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def port_conflicts(claims: Iterable[PortClaim], is_free: Callable[[str, int], bool] = port_is_free) -> list[str]:
    """One readable line per claim that cannot be honoured: a port claimed twice or already in use."""
    problems: list[str] = []
    seen: dict[int, PortClaim] = {}
    for claim in claims:
        earlier = seen.get(claim.port)
        if earlier is not None:
            problems.append(f"{claim.describe()} is also configured for {earlier.service} ({earlier.setting})")
            continue
        seen[claim.port] = claim
        if not is_free(claim.host, claim.port):
            problems.append(
                f"{claim.describe()} is already in use on {claim.host}: stop what listens there "
                f"or choose another port with {claim.setting}"
            )
    return problems


def ensure_ports_free(claims: Iterable[PortClaim], is_free: Callable[[str, int], bool] = port_is_free) -> None:
    """Raise :class:`DevStackError` naming every port and service that cannot start."""
    problems = port_conflicts(claims, is_free)
    if problems:
        raise DevStackError("cannot start the local stack:\n" + "\n".join(f"  {line}" for line in problems))
