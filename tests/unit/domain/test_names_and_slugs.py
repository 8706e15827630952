"""Usernames and tenant slugs: exactly the documented shapes, nothing rewritten behind the user's back."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keel.domain.tenants import InvalidTenantSlug, TenantSlug
from keel.domain.users import InvalidUsername, Username
from strategies import slugs, usernames

USERNAME = re.compile(r"[a-z0-9_.-]{3,32}")
SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])")


@given(usernames)
def test_every_matching_username_is_accepted_as_is(name: str) -> None:
    assert Username(name).value == name


@given(st.text(max_size=40).filter(lambda s: USERNAME.fullmatch(s) is None))
def test_every_other_string_is_refused_as_a_username(name: str) -> None:
    with pytest.raises(InvalidUsername):
        Username(name)


@pytest.mark.parametrize("name", ["ab", "a" * 33, "Alice", "bob smith", "eve!", "ann\n", " ann"])
def test_refuses_usernames(name: str) -> None:
    with pytest.raises(InvalidUsername) as raised:
        Username(name)
    assert raised.value.code == "invalid_username"


@given(slugs)
def test_every_matching_slug_is_accepted(slug: str) -> None:
    assert TenantSlug(slug).value == slug


@given(st.text(max_size=70).filter(lambda s: SLUG.fullmatch(s) is None))
def test_every_other_string_is_refused_as_a_slug(slug: str) -> None:
    with pytest.raises(InvalidTenantSlug):
        TenantSlug(slug)


@pytest.mark.parametrize("slug", ["ab", "-acme", "acme-", "Acme", "ac_me", "a" * 64, "acme\n"])
def test_refuses_slugs(slug: str) -> None:
    with pytest.raises(InvalidTenantSlug) as raised:
        TenantSlug(slug)
    assert raised.value.code == "invalid_tenant_slug"


def test_accepts_slugs_from_three_to_sixty_three_characters() -> None:
    assert TenantSlug("a-1").value == "a-1"
    assert TenantSlug("a" * 63).value == "a" * 63
