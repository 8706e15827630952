"""KEEL-HMAC-SHA256 as the partner SDK implements it: a fixed vector, the canonical forms, and a parser that accepts
one spelling of the Authorization header only."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime

import pytest

from keel.sdk import (
    MalformedSignature,
    canonical_request,
    parse_authorization,
    parse_date,
    sign_request,
    string_to_sign,
)
from keel.sdk.signing import canonical_path, canonical_query

NOW = datetime(2026, 11, 22, 10, 15, tzinfo=UTC)
CLIENT = "0195f0e2-8a6b-7c3d-9e4f-a1b2c3d4e5f6"
SECRET = "keel_sk_test-secret"


def test_a_known_request_signs_to_a_known_signature() -> None:
    """A fixed vector, worked out by hand from the definition: partners can check their own signer against it."""
    headers = sign_request(
        "GET",
        "https://api.example.com/api/v1/partner/users?limit=50&cursor=abc",
        {"Content-Type": "application/json"},
        b"",
        client_id=CLIENT,
        secret=SECRET,
        now=NOW,
        nonce="3q2-7w_Kb0c1VZ8xYtQ2aA",
    )
    canonical = "\n".join(
        [
            "GET",
            "/api/v1/partner/users",
            "cursor=abc&limit=50",
            "content-type:application/json",
            "x-keel-date:20261122T101500Z",
            "x-keel-nonce:3q2-7w_Kb0c1VZ8xYtQ2aA",
            "",
            "content-type;x-keel-date;x-keel-nonce",
            hashlib.sha256(b"").hexdigest(),
        ]
    )
    to_sign = f"KEEL-HMAC-SHA256\n20261122T101500Z\n{hashlib.sha256(canonical.encode()).hexdigest()}".encode()
    expected = hmac.new(SECRET.encode(), to_sign, hashlib.sha256).hexdigest()
    assert headers == {
        "x-keel-date": "20261122T101500Z",
        "x-keel-nonce": "3q2-7w_Kb0c1VZ8xYtQ2aA",
        "authorization": (
            f"KEEL-HMAC-SHA256 Credential={CLIENT}, SignedHeaders=content-type;x-keel-date;x-keel-nonce, "
            f"Signature={expected}"
        ),
    }


@pytest.mark.parametrize(
    ("path", "canonical"),
    [
        ("/api/v1/partner/users", "/api/v1/partner/users"),
        ("/a%20b/c", "/a%20b/c"),
        ("/a b/c", "/a%20b/c"),
        ("/%7Euser", "/~user"),
        ("/caf%C3%A9", "/caf%C3%A9"),
        ("", "/"),
    ],
)
def test_paths_are_compared_in_one_encoding(path: str, canonical: str) -> None:
    assert canonical_path(path) == canonical


@pytest.mark.parametrize(
    ("query", "canonical"),
    [
        ("", ""),
        ("b=2&a=1", "a=1&b=2"),
        ("a=2&a=1", "a=1&a=2"),
        ("q=a+b", "q=a%20b"),
        ("q=a%2Fb", "q=a%2Fb"),
        ("flag", "flag="),
    ],
)
def test_queries_are_compared_sorted_and_in_one_encoding(query: str, canonical: str) -> None:
    assert canonical_query(query) == canonical


def test_every_part_of_the_request_is_covered() -> None:
    base = {
        "method": "GET",
        "path": "/x",
        "query": "a=1",
        "headers": {"x-keel-date": ["20261122T101500Z"], "x-keel-nonce": ["n" * 16]},
        "signed_headers": ["x-keel-date", "x-keel-nonce"],
        "body": b"",
    }
    reference = canonical_request(**base)  # type: ignore[arg-type]
    variants = [
        {"method": "POST"},
        {"path": "/y"},
        {"query": "a=2"},
        {"headers": {"x-keel-date": ["20261122T101501Z"], "x-keel-nonce": ["n" * 16]}},
        {"body": b" "},
    ]
    for variant in variants:
        assert canonical_request(**{**base, **variant}) != reference  # type: ignore[arg-type]
    assert string_to_sign("d", reference) != string_to_sign("e", reference)


def test_header_values_are_trimmed_and_repeated_ones_joined() -> None:
    lines = canonical_request(
        "GET",
        "/",
        "",
        headers={"x-keel-date": ["  20261122T101500Z "], "x-keel-nonce": ["a  b", "c"]},
        signed_headers=["x-keel-date", "x-keel-nonce"],
        body=b"",
    ).splitlines()
    assert lines[3:5] == ["x-keel-date:20261122T101500Z", "x-keel-nonce:a b,c"]


def test_a_signed_header_must_be_present() -> None:
    with pytest.raises(MalformedSignature, match="x-keel-nonce"):
        canonical_request(
            "GET", "/", "", headers={"x-keel-date": ["d"]}, signed_headers=["x-keel-date", "x-keel-nonce"], body=b""
        )


def test_the_authorization_header_is_parsed() -> None:
    parsed = parse_authorization(
        f"KEEL-HMAC-SHA256 Credential={CLIENT},SignedHeaders=host;x-keel-date;x-keel-nonce,  Signature={'ab' * 32}"
    )
    assert parsed.client_id == CLIENT
    assert parsed.signed_headers == ("host", "x-keel-date", "x-keel-nonce")
    assert parsed.signature == "ab" * 32
    assert "ab" * 32 not in repr(parsed)


@pytest.mark.parametrize(
    "header",
    [
        "",
        "Bearer x",
        f"KEEL-HMAC-SHA256 Credential={CLIENT}, SignedHeaders=x-keel-date;x-keel-nonce",
        f"KEEL-HMAC-SHA256 Credential={CLIENT}, Credential={CLIENT}, SignedHeaders=x-keel-date;x-keel-nonce, "
        f"Signature={'0' * 64}",
        f"KEEL-HMAC-SHA256 Credential={CLIENT}, SignedHeaders=x-keel-nonce;x-keel-date, Signature={'0' * 64}",
        f"KEEL-HMAC-SHA256 Credential={CLIENT}, SignedHeaders=x-keel-date, Signature={'0' * 64}",
        f"KEEL-HMAC-SHA256 Credential={CLIENT}, SignedHeaders=X-Keel-Date;x-keel-nonce, Signature={'0' * 64}",
        f"KEEL-HMAC-SHA256 Credential={CLIENT}, SignedHeaders=x-keel-date;x-keel-nonce, Signature={'0' * 63}",
        f"KEEL-HMAC-SHA256 Credential={CLIENT}, SignedHeaders=x-keel-date;x-keel-nonce, Signature={'A' * 64}",
        f"KEEL-HMAC-SHA256 Credential=a/b, SignedHeaders=x-keel-date;x-keel-nonce, Signature={'0' * 64}",
        "KEEL-HMAC-SHA256 " + "x" * 2000,
    ],
)
def test_any_other_spelling_is_malformed(header: str) -> None:
    with pytest.raises(MalformedSignature):
        parse_authorization(header)


@pytest.mark.parametrize("value", ["2026-11-22T10:15:00Z", "20261122T101500", "20261340T101500Z", "٢٠٢٦١١٢٢T101500Z"])
def test_dates_have_one_form(value: str) -> None:
    with pytest.raises(MalformedSignature):
        parse_date(value)
    assert parse_date("20261122T101500Z") == NOW
