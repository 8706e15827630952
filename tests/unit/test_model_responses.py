"""``ModelResponse`` sends the bytes ``JSONResponse`` would send for the model's JSON-mode dump."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st
from starlette.responses import JSONResponse

from factories import UserFactory
from keel.domain.users import User
from keel.presentation.api.responses import ModelResponse
from keel.presentation.api.v1.schemas import UserPageView, UserView


@given(full_name=st.text(max_size=60), deleted=st.booleans())
def test_a_user_view_is_rendered_as_json_response_would(full_name: str, deleted: bool) -> None:
    user: User = UserFactory.build(
        full_name=full_name, deleted_at=datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC) if deleted else None
    )
    view = UserView.of(user)

    response = ModelResponse(view, status_code=201, headers={"ETag": '"1"'})

    assert response.body == JSONResponse(view.model_dump(mode="json")).body
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json"
    assert response.headers["etag"] == '"1"'


def test_a_view_built_without_validation_equals_a_validated_one() -> None:
    user: User = UserFactory.build()
    built = UserView.of(user)
    assert UserView.model_validate(built.model_dump()) == built
    page = UserPageView.model_construct(items=[built], next_cursor=None)
    assert ModelResponse(page).body == JSONResponse(page.model_dump(mode="json")).body
