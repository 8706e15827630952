"""API10:2023 Unsafe Consumption of APIs — what partners' systems send is input like any other: every malformed
signature, header, query or body is a 4xx problem that says what is wrong, never a 5xx."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from support.app import BASE_URL
from support.partner import PARTNER_USERS, Partner, signed_headers

pytestmark = pytest.mark.e2e

URL = f"{BASE_URL}{PARTNER_USERS}"
type Headers = dict[str, str | bytes]
type Mangle = Callable[[Headers], None]


def _authorization(headers: Headers, text: str | bytes) -> None:
    headers["authorization"] = text


def _replace_in_authorization(old: str, new: str) -> Mangle:
    def mangle(headers: Headers) -> None:
        headers["authorization"] = str(headers["authorization"]).replace(old, new, 1)

    return mangle


def _set(name: str, value: str | bytes) -> Mangle:
    def mangle(headers: Headers) -> None:
        headers[name] = value

    return mangle


def _drop(name: str) -> Mangle:
    def mangle(headers: Headers) -> None:
        del headers[name]

    return mangle


MANGLES: dict[str, Mangle] = {
    "no-authorization": _drop("authorization"),
    "bearer-scheme": lambda h: _authorization(h, "Bearer abc.def.ghi"),
    "lower-case-scheme": _replace_in_authorization("KEEL-HMAC-SHA256", "keel-hmac-sha256"),
    "scheme-only": lambda h: _authorization(h, "KEEL-HMAC-SHA256"),
    "duplicate-credential": _replace_in_authorization("SignedHeaders=", "Credential=x, SignedHeaders="),
    "unknown-parameter": _replace_in_authorization("SignedHeaders=", "Region=eu, SignedHeaders="),
    "no-signature": lambda h: _authorization(h, h["authorization"].rsplit(", Signature=", 1)[0]),
    "signature-not-hex": lambda h: _authorization(h, h["authorization"][:-64] + "z" * 64),
    "signature-upper-case": lambda h: _authorization(h, h["authorization"][:-64] + h["authorization"][-64:].upper()),
    "signature-short": lambda h: _authorization(h, h["authorization"][:-2]),
    "credential-with-spaces": lambda h: _authorization(
        h, "KEEL-HMAC-SHA256 Credential=a b, SignedHeaders=x-keel-date;x-keel-nonce, Signature=" + "0" * 64
    ),
    "credential-not-a-uuid": lambda h: _authorization(
        h, "KEEL-HMAC-SHA256 Credential=not-a-uuid, SignedHeaders=x-keel-date;x-keel-nonce, Signature=" + "0" * 64
    ),
    "authorization-huge": lambda h: _authorization(h, h["authorization"] + ", " + "x" * 5000),
    "signed-headers-unsorted": _replace_in_authorization("x-keel-date;x-keel-nonce", "x-keel-nonce;x-keel-date"),
    "signed-headers-upper-case": _replace_in_authorization("x-keel-date", "X-Keel-Date"),
    "signed-headers-repeated": _replace_in_authorization("x-keel-date;", "x-keel-date;x-keel-date;"),
    "signed-header-absent": _replace_in_authorization("x-keel-date;", "x-absent;x-keel-date;"),
    "signed-headers-too-many": _replace_in_authorization(
        "SignedHeaders=", "SignedHeaders=" + ";".join(f"a{n:02d}" for n in range(20)) + ";"
    ),
    "no-date": _drop("x-keel-date"),
    "date-iso-format": _set("x-keel-date", "2026-11-22T10:15:00Z"),
    "date-impossible": _set("x-keel-date", "20261340T996199Z"),
    "date-other-digits": _set("x-keel-date", "٢٠٢٦١١٢٢T101500Z".encode()),
    "date-far-future": _set("x-keel-date", "99991231T235959Z"),
    "no-nonce": _drop("x-keel-nonce"),
    "nonce-short": _set("x-keel-nonce", "abc"),
    "nonce-long": _set("x-keel-nonce", "a" * 65),
    "nonce-odd-characters": _set("x-keel-nonce", "aaaaaaaaaaaaaaaa/../.."),
}


@pytest.mark.parametrize("mangle", list(MANGLES.values()), ids=list(MANGLES))
async def test_a_malformed_signed_request_is_a_4xx_problem(
    client: httpx.AsyncClient, partner: Partner, mangle: Mangle
) -> None:
    headers: Headers = dict(signed_headers(partner, "GET", URL))
    mangle(headers)
    response = await client.get(URL, headers=headers)
    assert response.status_code == 401, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] in {
        "malformed_signed_request",
        "invalid_signature",
        "request_time_skewed",
    }
    assert response.json()["detail"]


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("limit=0", 422),
        ("limit=abc", 422),
        ("limit=100000000000000000000", 422),
        ("cursor=not-a-cursor", 400),
        ("cursor=%zz", 400),
        ("cursor=" + "A" * 600, 422),
        ("limit=5&limit=6", 200),
        ("%ff%fe=%00", 200),
        ("&&&==&", 200),
    ],
)
async def test_a_validly_signed_request_with_odd_parameters_is_answered_in_kind(
    client: httpx.AsyncClient, partner: Partner, query: str, status: int
) -> None:
    url = f"{URL}?{query}"
    response = await client.get(url, headers=signed_headers(partner, "GET", url))
    assert response.status_code == status, response.text
    if status != 200:
        assert response.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(
    "body", [b"\x00\xff\xfe" * 100, b'{"a": ' * 1000, "é😀".encode() * 200], ids=["binary", "deep", "unicode"]
)
async def test_a_body_of_any_bytes_is_hashed_not_parsed(
    client: httpx.AsyncClient, partner: Partner, body: bytes
) -> None:
    headers = signed_headers(partner, "GET", URL, body=body)
    response = await client.request("GET", URL, headers=headers, content=body)
    assert response.status_code == 200, response.text


async def test_a_header_sent_twice_is_signed_as_the_values_joined(client: httpx.AsyncClient, partner: Partner) -> None:
    """Two ``x-keel-nonce`` headers cannot smuggle a second nonce past the signature: the nonce read is the first."""
    headers = signed_headers(partner, "GET", URL)
    raw = [*headers.items(), ("x-keel-nonce", "another-nonce-value-1234")]
    response = await client.get(URL, headers=raw)
    assert response.status_code == 401
