"""The mapping of error families to HTTP statuses, and JSON pointers of invalid body fields."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from hypothesis import given
from hypothesis import strategies as st

from keel.application.errors import AuthenticationRequired, DependencyUnavailable, PermissionDenied
from keel.domain.errors import Conflict, DomainError, InvariantViolated, NotFound, VersionConflict
from keel.presentation.api.middleware.request_context import accept_request_id
from keel.presentation.api.problems import json_pointer, status_for


class UserNotFound(NotFound):
    code = "user_not_found"


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (UserNotFound("no such user"), HTTPStatus.NOT_FOUND),
        (Conflict("taken"), HTTPStatus.CONFLICT),
        (VersionConflict("stale"), HTTPStatus.CONFLICT),
        (InvariantViolated("bad"), HTTPStatus.UNPROCESSABLE_ENTITY),
        (DomainError("generic"), HTTPStatus.BAD_REQUEST),
        (AuthenticationRequired("who?"), HTTPStatus.UNAUTHORIZED),
        (PermissionDenied("no"), HTTPStatus.FORBIDDEN),
        (DependencyUnavailable("db down"), HTTPStatus.SERVICE_UNAVAILABLE),
        (RuntimeError("bug"), HTTPStatus.INTERNAL_SERVER_ERROR),
    ],
)
def test_each_error_family_has_its_status(error: Exception, status: HTTPStatus) -> None:
    assert status_for(error) == status


def test_json_pointer_escapes_tilde_and_slash() -> None:
    assert json_pointer(("owner", "email")) == "/owner/email"
    assert json_pointer(("users", 3, "roles")) == "/users/3/roles"
    assert json_pointer(("a/b", "m~n")) == "/a~1b/m~0n"
    assert json_pointer(()) == ""


def _resolve(document: object, pointer: str) -> object:
    """A minimal RFC 6901 resolver, to check pointers against real documents."""
    for token in pointer.split("/")[1:]:
        key = token.replace("~1", "/").replace("~0", "~")
        document = document[int(key)] if isinstance(document, list) else document[key]  # type: ignore[index]
    return document


@given(path=st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=4))
def test_json_pointer_resolves_to_the_located_value(path: list[str]) -> None:
    document: object = "VALUE"
    for key in reversed(path):
        document = {key: document}
    assert _resolve(document, json_pointer(path)) == "VALUE"


@pytest.mark.parametrize("candidate", ["abc-123", "0f9e8d7c", "trace:span.1_x", "A" * 128])
def test_well_formed_request_ids_are_kept(candidate: str) -> None:
    assert accept_request_id(candidate) == candidate


@pytest.mark.parametrize("candidate", [None, "", "A" * 129, "has space", "new\nline", "<script>", "é"])
def test_malformed_request_ids_are_replaced(candidate: str | None) -> None:
    generated = accept_request_id(candidate)
    assert generated != candidate
    assert len(generated) == 32
    int(generated, 16)
