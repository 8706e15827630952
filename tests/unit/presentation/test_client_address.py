"""The client's address: the socket's peer, unless it is a trusted proxy — then the right-most untrusted hop."""

from __future__ import annotations

from typing import Any

import pytest

from keel.presentation.api.client_address import TrustedProxies

PROXIES = TrustedProxies(["10.0.0.0/8", "192.168.1.5", "fd00::/8"])


def scope(peer: str | None, *forwarded: str) -> dict[str, Any]:
    return {
        "client": (peer, 51000) if peer else None,
        "headers": [(b"x-forwarded-for", value.encode()) for value in forwarded],
    }


@pytest.mark.parametrize(
    ("peer", "forwarded", "client"),
    [
        pytest.param("203.0.113.9", ["1.2.3.4"], "203.0.113.9", id="untrusted-peer-header-ignored"),
        pytest.param("10.0.0.2", ["198.51.100.7"], "198.51.100.7", id="one-proxy"),
        pytest.param("10.0.0.2", ["198.51.100.7, 10.0.0.3"], "198.51.100.7", id="two-proxies"),
        pytest.param("10.0.0.2", ["6.6.6.6, 198.51.100.7"], "198.51.100.7", id="spoofed-left-of-the-real-one"),
        pytest.param("10.0.0.2", ["6.6.6.6", "198.51.100.7, 10.1.1.1"], "198.51.100.7", id="several-headers"),
        pytest.param("10.0.0.2", [], "10.0.0.2", id="no-header"),
        pytest.param("10.0.0.2", ["10.0.0.9, 192.168.1.5"], "10.0.0.9", id="all-hops-trusted"),
        pytest.param("10.0.0.2", ["garbage"], "10.0.0.2", id="malformed-hop-blames-the-proxy"),
        pytest.param("10.0.0.2", ["198.51.100.7, garbage"], "10.0.0.2", id="malformed-last-hop"),
        pytest.param("fd00::1", ["2001:db8::0:1"], "2001:db8::1", id="ipv6-normalised"),
        pytest.param(None, ["1.2.3.4"], "unknown", id="no-peer"),
        pytest.param("testclient", ["1.2.3.4"], "testclient", id="peer-not-an-address"),
    ],
)
def test_the_client_address(peer: str | None, forwarded: list[str], client: str) -> None:
    assert PROXIES.client_address(scope(peer, *forwarded)) == client


def test_without_trusted_proxies_the_peer_is_the_client() -> None:
    assert TrustedProxies([]).client_address(scope("10.0.0.2", "1.2.3.4")) == "10.0.0.2"
    assert not TrustedProxies([])
