"""``ModelResponse``: a response whose body is a pydantic model, serialised once, straight to JSON bytes.

Routes that return a model through ``response_model`` have FastAPI validate it again and serialise it through
``jsonable_encoder``; a route that builds its model from domain objects already holds valid data, so it answers with
``ModelResponse(view)`` instead (keeping ``response_model`` for the OpenAPI document). The bytes are what
``JSONResponse`` would send for ``view.model_dump(mode="json")``: compact, UTF-8, ISO 8601 instants.
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel
from pydantic_core import to_json
from starlette.responses import Response


class ModelResponse(Response):
    media_type = "application/json"

    def __init__(self, model: BaseModel, status_code: int = 200, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(to_json(model), status_code=status_code, headers=headers)
