"""Observability settings: a clear error for a bad OTLP endpoint, and each concern wired only when it is on."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from keel.container import build_container
from keel.infrastructure.database.statement_counter import NPlusOneDetector
from keel.infrastructure.metrics.http import HttpMetricsMiddleware
from keel.infrastructure.telemetry.asgi import TracingMiddleware
from keel.settings import Settings, SettingsError, load_settings


@pytest.mark.parametrize(
    "endpoint", ["collector:4318", "grpc://collector:4317", "http://collector:4318/?x=1", "http://"]
)
def test_an_otlp_endpoint_must_be_an_http_url(endpoint: str) -> None:
    with pytest.raises(SettingsError) as error:
        load_settings(_env_file=None, observability={"otlp_endpoint": endpoint})
    assert "KEEL_OBSERVABILITY__OTLP_ENDPOINT" in str(error.value)
    assert "OTLP/HTTP collector" in str(error.value)


def test_an_empty_endpoint_turns_tracing_off_and_a_set_one_on() -> None:
    assert not load_settings(_env_file=None, observability={"otlp_endpoint": " "}).observability.tracing_enabled
    on = load_settings(_env_file=None, observability={"otlp_endpoint": "https://collector.example:4318/"})
    assert on.observability.otlp_endpoint == "https://collector.example:4318"
    assert on.observability.tracing_enabled


def layer_types(settings: Settings) -> list[type]:
    return [layer.func for layer in build_container(settings).http_observability()]  # type: ignore[attr-defined]


def test_the_api_gets_only_the_middleware_of_what_is_on() -> None:
    development = Settings(_env_file=None)  # type: ignore[call-arg]
    assert layer_types(development) == [HttpMetricsMiddleware, NPlusOneDetector]
    production = Settings(
        _env_file=None,  # type: ignore[call-arg]
        environment="production",  # type: ignore[arg-type]
        security={"jwt_private_key": SecretStr("unused here"), "client_secret_key": SecretStr("A" * 43 + "=")},  # type: ignore[arg-type]
        observability={"otlp_endpoint": "http://collector:4318"},  # type: ignore[arg-type]
    )
    assert layer_types(production) == [HttpMetricsMiddleware, TracingMiddleware]
    silent = Settings(_env_file=None, observability={"metrics_enabled": False})  # type: ignore[call-arg, arg-type]
    assert layer_types(silent) == [NPlusOneDetector]
