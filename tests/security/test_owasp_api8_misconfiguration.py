"""API8:2023 Security Misconfiguration — production refuses unsafe settings, every response carries the security
headers (HSTS in production only), the docs pages get a CSP that lets them work and nothing more, unknown hosts are
refused, and an unexpected error reveals nothing."""

from __future__ import annotations

import base64
import secrets

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import APIRouter
from pydantic import SecretStr

from keel.settings import Environment, Settings, SettingsError, load_settings
from support.app import serving

pytestmark = pytest.mark.e2e

SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
}


def _pem() -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _client_secret_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


@pytest.mark.parametrize(
    ("variables", "refusal"),
    [
        ({"KEEL_DEBUG": "true"}, "KEEL_DEBUG"),
        ({"KEEL_DATABASE__ECHO": "true"}, "KEEL_DATABASE__ECHO"),
        ({"KEEL_API__CORS_ORIGINS": "*", "KEEL_API__CORS_ALLOW_CREDENTIALS": "true"}, "KEEL_API__CORS_ORIGINS"),
        ({"KEEL_SECURITY__JWT_PRIVATE_KEY": ""}, "KEEL_SECURITY__JWT_PRIVATE_KEY"),
        ({"KEEL_SECURITY__CLIENT_SECRET_KEY": ""}, "KEEL_SECURITY__CLIENT_SECRET_KEY"),
    ],
)
def test_production_refuses_unsafe_settings(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], refusal: str
) -> None:
    safe = {
        "KEEL_ENVIRONMENT": "production",
        "KEEL_SECURITY__JWT_PRIVATE_KEY": _pem(),
        "KEEL_SECURITY__CLIENT_SECRET_KEY": _client_secret_key(),
    }
    for name, value in {**safe, **variables}.items():
        if value:
            monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as refused:
        load_settings(_env_file=None)
    assert refusal in str(refused.value)
    for name in variables:
        monkeypatch.delenv(name, raising=False)
    for name, value in safe.items():
        monkeypatch.setenv(name, value)
    assert load_settings(_env_file=None).is_production  # the same, made safe, starts


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("KEEL_SECURITY__CLIENT_SECRET_KEY", "c2hvcnQ="),
        ("KEEL_API__TRUSTED_PROXIES", "10.0.0.0/33"),
        ("KEEL_API__TRUSTED_HOSTS", "https://api.example.com"),
        ("KEEL_RATE_LIMIT__LOGIN", "ten per minute"),
        ("KEEL_RATE_LIMIT__FAIL_CLOSED", "login,everything"),
    ],
)
def test_malformed_security_settings_are_named(monkeypatch: pytest.MonkeyPatch, variable: str, value: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as refused:
        load_settings(_env_file=None)
    assert variable in str(refused.value)


async def test_every_response_carries_the_security_headers(client: httpx.AsyncClient) -> None:
    for response in [
        await client.get("/health/live"),
        await client.get("/api/v1/users/me"),  # a problem
        await client.get("/api/v1/nowhere"),  # routing's own 404
    ]:
        for name, value in SECURITY_HEADERS.items():
            assert response.headers[name] == value, (response.url, name)
        assert response.headers["content-security-policy"].startswith("default-src 'none'")
        assert "strict-transport-security" not in response.headers  # not in production


async def test_the_docs_get_a_policy_that_lets_them_load(client: httpx.AsyncClient) -> None:
    for page in ("/docs", "/redoc"):
        response = await client.get(page)
        assert response.status_code == 200
        policy = response.headers["content-security-policy"]
        assert "https://cdn.jsdelivr.net" in policy
        assert "frame-ancestors 'none'" in policy
        scripts = [part.split('"')[0] for part in response.text.split('src="')[1:]]
        assert scripts  # every script the page loads is allowed by the policy
        assert all(source.startswith("https://cdn.jsdelivr.net/") for source in scripts if source.endswith(".js"))


async def test_production_adds_hsts(settings: Settings) -> None:
    security = settings.security.model_copy(
        update={"jwt_private_key": SecretStr(_pem()), "client_secret_key": SecretStr(_client_secret_key())}
    )
    production = settings.model_copy(update={"environment": Environment.PRODUCTION, "security": security})
    async with serving(production) as (client, _):
        response = await client.get("/health/live")
    assert response.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"


async def test_an_unknown_host_is_refused(settings: Settings) -> None:
    api = settings.api.model_copy(update={"trusted_hosts": ["api.example.com", "*.keel.test"]})
    async with serving(settings.model_copy(update={"api": api})) as (client, _):
        refused = await client.get("/health/live", headers={"Host": "evil.example"})
        allowed = await client.get("/health/live", headers={"Host": "api.example.com:8443"})
        subdomain = await client.get("/health/live")  # keel.test is not a subdomain of itself
        nested = await client.get("/health/live", headers={"Host": "eu.keel.test"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "host_not_allowed"
    assert refused.headers["x-content-type-options"] == "nosniff"
    assert allowed.status_code == 200
    assert subdomain.status_code == 400
    assert nested.status_code == 200


async def test_an_unexpected_error_reveals_nothing(settings: Settings) -> None:
    async with serving(settings) as (client, _):
        app_router = APIRouter()

        @app_router.get("/api/v1/_explode")
        async def explode() -> None:
            raise RuntimeError("connection to db.internal:5432 refused; password=hunter2")

        app = client._transport.app  # type: ignore[attr-defined]
        app.include_router(app_router)
        response = await client.get("/api/v1/_explode")
    assert response.status_code == 500
    assert response.json()["code"] == "internal_error"
    for leak in ("hunter2", "db.internal", "Traceback", "RuntimeError", "keel/"):
        assert leak not in response.text
    assert "server" not in response.headers
