"""Loopback ports for the processes and servers tests start."""

from __future__ import annotations

import socket


def free_ports(count: int = 1) -> list[int]:
    """``count`` distinct loopback ports nothing listens on now (held together while chosen, so they differ)."""
    sockets = [socket.socket() for _ in range(count)]
    try:
        for probe in sockets:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in sockets]
    finally:
        for probe in sockets:
            probe.close()


def free_port() -> int:
    return free_ports(1)[0]
