"""Email addresses: one spelling per mailbox (trimmed, lower-cased), and malformed addresses refused."""

from __future__ import annotations

import pytest
from hypothesis import given

from keel.domain.errors import InvariantViolated
from keel.domain.users import EmailAddress, InvalidEmail
from strategies import emails, padding


def test_trims_and_lower_cases_local_part_and_domain() -> None:
    assert EmailAddress("  Ann.Lee+News@Example.COM \n").value == "ann.lee+news@example.com"


@given(emails, padding, padding)
def test_normalising_is_idempotent(address: str, before: str, after: str) -> None:
    once = EmailAddress(before + address + after)
    assert EmailAddress(once.value) == once
    assert once.value == once.value.strip().lower()


@given(emails)
def test_addresses_differing_only_in_case_are_equal(address: str) -> None:
    assert EmailAddress(address.upper()) == EmailAddress(address.lower()) == EmailAddress(address)
    assert hash(EmailAddress(address.upper())) == hash(EmailAddress(address))


@pytest.mark.parametrize(
    "address",
    [
        "",
        "   ",
        "no-at-sign",
        "two@@example.com",
        "a@b@example.com",
        "local@localhost",
        ".leading@example.com",
        "trailing.@example.com",
        "dou..ble@example.com",
        "sp ace@example.com",
        "user@-example.com",
        "user@example-.com",
        "user@exa_mple.com",
        "ünïcode@example.com",
        "user@exämple.com",
        "a" * 65 + "@example.com",
        "user@" + "a" * 63 + "." + "b" * 63 + "." + "c" * 63 + "." + "d" * 63 + ".com",
    ],
)
def test_refuses_malformed_addresses(address: str) -> None:
    with pytest.raises(InvalidEmail) as raised:
        EmailAddress(address)
    assert isinstance(raised.value, InvariantViolated)
    assert raised.value.code == "invalid_email"
    assert raised.value.context == {"field": "email"}


def test_accepts_the_longest_local_part_and_punycode_domains() -> None:
    assert EmailAddress("a" * 64 + "@xn--bcher-kva.example").domain == "xn--bcher-kva.example"
