"""Which addresses and URLs an outbound request may reach: public unicast only, judged after DNS."""

from __future__ import annotations

import ipaddress

import pytest

from keel.application.ports.outbound import UnsafeUrl
from keel.infrastructure.outbound import PublicUrlPolicy, blocked_reason
from keel.infrastructure.outbound.addresses import IPAddress


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.0.1", "private"),
        ("169.254.10.10", "link-local"),
        ("fe80::1", "link-local"),
        ("100.64.0.1", "CGNAT"),
        ("100.127.255.254", "CGNAT"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("240.0.0.1", "reserved"),
        ("255.255.255.255", "reserved"),
        ("fc00::1", "private"),
        ("fd12:3456::1", "private"),
        ("169.254.169.254", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("::ffff:127.0.0.1", "IPv6 form of a loopback"),
        ("::ffff:10.0.0.1", "IPv6 form of a private"),
        ("::127.0.0.1", "IPv6 form of a loopback"),
        ("64:ff9b::a9fe:a9fe", "IPv6 form of a cloud metadata"),
        ("2002:7f00:1::", "IPv6 form of a loopback"),
        ("192.0.2.1", "not publicly routable"),
        ("198.18.0.1", "not publicly routable"),
    ],
)
def test_internal_addresses_are_refused_with_their_reason(address: str, reason: str) -> None:
    found = blocked_reason(ipaddress.ip_address(address))
    assert found is not None
    assert reason in found


@pytest.mark.parametrize("address", ["93.184.215.14", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "::ffff:8.8.8.8"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert blocked_reason(ipaddress.ip_address(address)) is None


class TableResolver:
    def __init__(self, table: dict[str, list[str]]) -> None:
        self._table = {name: [ipaddress.ip_address(a) for a in addresses] for name, addresses in table.items()}

    async def resolve(self, host: str, port: int) -> list[IPAddress]:
        return self._table.get(host, [])


POLICY = PublicUrlPolicy(
    TableResolver(
        {
            "hooks.example.com": ["93.184.215.14"],
            "internal.example.com": ["10.0.0.5"],
            "split.example.com": ["93.184.215.14", "127.0.0.1"],
            "v6.example.com": ["2606:4700:4700::1111"],
        }
    )
)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/events",
        "http://hooks.example.com:8080/x?y=1",
        "https://v6.example.com/",
        "https://[2606:4700:4700::1111]/",
    ],
)
async def test_public_urls_pass(url: str) -> None:
    await POLICY.check(url)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://hooks.example.com/", "http and https"),
        ("file:///etc/passwd", "http and https"),
        ("gopher://hooks.example.com/", "http and https"),
        ("https://user:pass@hooks.example.com/", "credentials"),
        ("https://user@hooks.example.com/", "credentials"),
        ("https://internal.example.com/", "private"),
        ("https://split.example.com/", "loopback"),
        ("https://nowhere.example.com/", "does not resolve"),
        ("http://127.0.0.1:8000/", "loopback"),
        ("http://[::ffff:169.254.169.254]/", "metadata"),
        ("http://0x7f000001/", "does not resolve"),
        ("https:///path-only", "no host"),
        ("http://hooks.example.com:99999/", "malformed"),
        ("https://hooks.example.com/" + "a" * 3000, "at most"),
    ],
)
async def test_unsafe_urls_are_refused_with_a_reason(url: str, why: str) -> None:
    with pytest.raises(UnsafeUrl, match=why):
        await POLICY.check(url)
