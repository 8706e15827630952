"""The security settings: sound defaults, and argon2 parameters argon2 can actually use."""

from __future__ import annotations

import pytest

from keel.settings import SettingsError, load_settings


def test_the_defaults_are_the_documented_ones() -> None:
    security = load_settings(_env_file=None).security
    assert (security.argon2_time_cost, security.argon2_memory_cost_kib, security.argon2_parallelism) == (3, 65_536, 4)
    assert security.jwt_leeway_seconds == 10
    assert security.access_token_ttl_seconds == 900
    assert security.refresh_token_ttl_seconds == 30 * 24 * 3600
    assert security.password_reset_ttl_seconds == security.email_verification_ttl_seconds == 30 * 60
    assert security.key_ring_dir is None
    assert security.key_ring_reload_seconds == 30


def test_one_key_and_a_key_ring_are_exclusive() -> None:
    with pytest.raises(SettingsError, match="KEEL_SECURITY__JWT_PRIVATE_KEY and KEEL_SECURITY__KEY_RING_DIR are"):
        load_settings(_env_file=None, security={"jwt_private_key": "pem", "key_ring_dir": "/ring"})


def test_argon2_needs_8_kib_of_memory_per_lane() -> None:
    with pytest.raises(SettingsError, match="KEEL_SECURITY__ARGON2_MEMORY_COST_KIB must be at least 8 KiB per lane"):
        load_settings(_env_file=None, security={"argon2_memory_cost_kib": 31, "argon2_parallelism": 4})
    assert load_settings(_env_file=None, security={"argon2_memory_cost_kib": 32, "argon2_parallelism": 4})


@pytest.mark.parametrize(
    ("field", "value", "variable"),
    [
        ("argon2_time_cost", 0, "KEEL_SECURITY__ARGON2_TIME_COST"),
        ("argon2_parallelism", 0, "KEEL_SECURITY__ARGON2_PARALLELISM"),
        ("jwt_leeway_seconds", -1, "KEEL_SECURITY__JWT_LEEWAY_SECONDS"),
        ("jwt_leeway_seconds", 3600, "KEEL_SECURITY__JWT_LEEWAY_SECONDS"),
        ("refresh_token_ttl_seconds", 60, "KEEL_SECURITY__REFRESH_TOKEN_TTL_SECONDS"),
        ("password_reset_ttl_seconds", 10, "KEEL_SECURITY__PASSWORD_RESET_TTL_SECONDS"),
        ("email_verification_ttl_seconds", 10, "KEEL_SECURITY__EMAIL_VERIFICATION_TTL_SECONDS"),
        ("key_ring_reload_seconds", 0, "KEEL_SECURITY__KEY_RING_RELOAD_SECONDS"),
    ],
)
def test_out_of_range_values_are_refused_by_name(field: str, value: int, variable: str) -> None:
    with pytest.raises(SettingsError, match=variable):
        load_settings(_env_file=None, security={field: value})
