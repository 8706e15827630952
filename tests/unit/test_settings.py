"""Settings: environment parsing, the one readable message for bad values, and production's refusals."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from keel.settings import CacheMode, Environment, Settings, SettingsError, load_settings

CLIENT_SECRET_KEY = "q83vEjRWeJ8Sd8ZqPlyFz7bSpDOxy6qyEpfSQ6zxA1Y="  # 32 bytes, base64: a test value, used nowhere else


@pytest.fixture(autouse=True)
def _no_keel_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Start each test from defaults: no KEEL_* variables and no .env in the working directory."""
    import os

    for name in list(os.environ):
        if name.startswith("KEEL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_defaults_are_a_working_development_setup() -> None:
    settings = load_settings()
    assert settings.environment is Environment.DEVELOPMENT
    assert settings.cache.mode is CacheMode.REDIS
    assert settings.database.url.startswith("postgresql+asyncpg://")
    assert not settings.is_production


def test_nested_variables_use_the_double_underscore(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEL_DATABASE__POOL_SIZE", "3")
    monkeypatch.setenv("KEEL_CACHE__MODE", "off")
    monkeypatch.setenv("KEEL_API__CORS_ORIGINS", "https://a.example, https://b.example")
    settings = load_settings()
    assert settings.database.pool_size == 3
    assert settings.cache.mode is CacheMode.OFF
    assert settings.api.cors_origins == ["https://a.example", "https://b.example"]


def test_dot_env_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("KEEL_TEMPORAL__NAMESPACE=payments\n")
    assert load_settings().temporal.namespace == "payments"


def test_every_bad_variable_is_named_with_its_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEL_DATABASE__POOL_SIZE", "many")
    monkeypatch.setenv("KEEL_CACHE__MODE", "memcached")
    monkeypatch.setenv("KEEL_API__PORT", "70000")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.splitlines()[0] == "invalid settings:"
    assert "KEEL_DATABASE__POOL_SIZE: Input should be a valid integer" in message
    assert "KEEL_CACHE__MODE: Input should be 'redis' or 'off'" in message
    assert "KEEL_API__PORT: Input should be less than or equal to 65535" in message
    assert len(message.splitlines()) == 4


def test_a_typo_in_dot_env_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("KEEL_DATABSE__URL=postgresql+asyncpg://x/y\n")
    with pytest.raises(SettingsError, match="KEEL_DATABSE__URL: Extra inputs are not permitted"):
        load_settings()


def test_cross_field_rule_names_the_section(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEL_EMAIL__USE_TLS", "true")
    monkeypatch.setenv("KEEL_EMAIL__START_TLS", "true")
    with pytest.raises(SettingsError, match="KEEL_EMAIL: use_tls and start_tls are exclusive"):
        load_settings()


@pytest.mark.parametrize(
    ("variables", "refusal"),
    [
        ({"KEEL_DEBUG": "true"}, "KEEL_DEBUG: debug must be off in production"),
        (
            {"KEEL_API__CORS_ORIGINS": "*", "KEEL_API__CORS_ALLOW_CREDENTIALS": "true"},
            "KEEL_API__CORS_ORIGINS: a wildcard origin with KEEL_API__CORS_ALLOW_CREDENTIALS=true",
        ),
        ({"KEEL_DATABASE__ECHO": "true"}, "KEEL_DATABASE__ECHO: SQL echo would log data in production"),
    ],
)
def test_production_refuses_insecure_values(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], refusal: str
) -> None:
    monkeypatch.setenv("KEEL_ENVIRONMENT", "production")
    monkeypatch.setenv("KEEL_SECURITY__JWT_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----...")
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert refusal in str(caught.value)


def test_production_requires_a_signing_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEL_ENVIRONMENT", "production")
    with pytest.raises(SettingsError, match="KEEL_SECURITY__JWT_PRIVATE_KEY: a signing key is required") as caught:
        load_settings()
    assert "KEEL_SECURITY__KEY_RING_DIR" in str(caught.value)


def test_production_accepts_a_key_ring_instead_of_one_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KEEL_ENVIRONMENT", "production")
    monkeypatch.setenv("KEEL_SECURITY__KEY_RING_DIR", str(tmp_path / "ring"))
    monkeypatch.setenv("KEEL_SECURITY__CLIENT_SECRET_KEY", "A" * 43 + "=")
    assert load_settings().security.key_ring_dir == tmp_path / "ring"


def test_production_requires_a_key_for_client_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEL_ENVIRONMENT", "production")
    monkeypatch.setenv("KEEL_SECURITY__JWT_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----...")
    with pytest.raises(SettingsError, match="KEEL_SECURITY__CLIENT_SECRET_KEY: a key encrypting API client secrets"):
        load_settings()


def test_production_with_safe_values_starts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEL_ENVIRONMENT", "production")
    monkeypatch.setenv("KEEL_SECURITY__JWT_PRIVATE_KEY", "-----BEGIN PRIVATE KEY-----...")
    monkeypatch.setenv("KEEL_SECURITY__CLIENT_SECRET_KEY", CLIENT_SECRET_KEY)
    monkeypatch.setenv("KEEL_API__CORS_ORIGINS", "https://app.example")
    monkeypatch.setenv("KEEL_API__CORS_ALLOW_CREDENTIALS", "true")
    settings = load_settings()
    assert settings.is_production
    assert "BEGIN" not in repr(settings)  # secrets stay out of reprs and logs


def test_wildcard_cors_without_credentials_is_allowed_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEL_ENVIRONMENT", "production")
    monkeypatch.setenv("KEEL_SECURITY__JWT_PRIVATE_KEY", "key")
    monkeypatch.setenv("KEEL_SECURITY__CLIENT_SECRET_KEY", CLIENT_SECRET_KEY)
    monkeypatch.setenv("KEEL_API__CORS_ORIGINS", "*")
    assert load_settings().api.cors_origins == ["*"]


def test_settings_are_immutable() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="frozen"):
        settings.database.pool_size = 1  # type: ignore[misc]


def _run_keel(tmp_path: Path, *command: str, **variables: str) -> subprocess.CompletedProcess[str]:
    """``python -m keel COMMAND`` with only ``variables`` set (no KEEL_* from the caller), in an empty directory."""
    return subprocess.run(
        [sys.executable, "-m", "keel", *command],
        env={"PATH": "/usr/bin:/bin", **variables},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("command", [["serve"], ["db", "status"]])
def test_the_cli_exits_2_with_one_message_and_no_traceback(tmp_path: Path, command: list[str]) -> None:
    result = _run_keel(tmp_path, *command, KEEL_CACHE__MODE="memcached", KEEL_ENVIRONMENT="staging")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("keel: invalid settings:\n")
    assert "KEEL_CACHE__MODE: Input should be 'redis' or 'off'" in result.stderr
    assert "KEEL_ENVIRONMENT: Input should be 'development', 'test' or 'production'" in result.stderr
    assert result.stdout == ""


def test_serve_refuses_a_signing_key_that_is_not_ec_p256(tmp_path: Path) -> None:
    result = _run_keel(
        tmp_path,
        "serve",
        KEEL_ENVIRONMENT="production",
        KEEL_SECURITY__JWT_PRIVATE_KEY="-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n",
        KEEL_SECURITY__CLIENT_SECRET_KEY=CLIENT_SECRET_KEY,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("keel: invalid settings:\n  KEEL_SECURITY__JWT_PRIVATE_KEY: ")
