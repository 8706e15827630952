"""Secrets never reach a log line, however deep they are nested and however their key is spelled."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
import structlog
from hypothesis import given
from hypothesis import strategies as st

from keel.infrastructure.logging import REDACTED, configure_logging, redact_secrets

SECRET_KEYS = [
    "password",
    "Password",
    "DB_PASSWORD",
    "token",
    "refresh_token",
    "secret",
    "client-secret",
    "Authorization",
    "api_key",
    "X-Api-Key",
    "cookie",
    "Set-Cookie",
]


@pytest.mark.parametrize("key", SECRET_KEYS)
def test_secret_keys_are_redacted_at_the_top(key: str) -> None:
    event = redact_secrets(None, "info", {"event": "x", key: "s3cr3t"})
    assert event[key] == REDACTED


def test_nested_mappings_lists_and_header_pairs_are_redacted() -> None:
    event = redact_secrets(
        None,
        "info",
        {
            "event": "request",
            "body": {"user": {"email": "a@b.c", "password": "hunter2"}, "items": [{"api_key": "k"}]},
            "headers": [(b"authorization", b"Bearer abc"), (b"accept", b"*/*")],
        },
    )
    assert event["body"]["user"] == {"email": "a@b.c", "password": REDACTED}
    assert event["body"]["items"] == [{"api_key": REDACTED}]
    assert event["headers"] == [(b"authorization", REDACTED), (b"accept", b"*/*")]


def test_ordinary_keys_are_untouched() -> None:
    event = redact_secrets(None, "info", {"event": "x", "email": "a@b.c", "user_id": 7})
    assert event == {"event": "x", "email": "a@b.c", "user_id": 7}


json_leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5))
safe_keys = st.sampled_from(["email", "name", "id", "items", "data", "user"])


@given(
    tree=st.recursive(
        json_leaves,
        lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(safe_keys, children, max_size=3)),
        max_leaves=12,
    ),
    secret_key=st.sampled_from(SECRET_KEYS),
    path=st.lists(safe_keys, max_size=4),
)
def test_a_secret_anywhere_in_the_event_never_survives(tree: Any, secret_key: str, path: list[str]) -> None:
    marker = "SUPER-SECRET-VALUE"
    nested: Any = {secret_key: marker}
    for key in reversed(path):
        nested = {key: [tree, nested]}
    event = redact_secrets(None, "info", {"event": "x", "payload": nested})
    assert marker not in json.dumps(event, default=str)


@pytest.mark.parametrize("log_format", ["json", "console"])
def test_configured_logging_redacts_in_the_rendered_output(capsys: pytest.CaptureFixture[str], log_format: str) -> None:
    configure_logging(level="INFO", log_format=log_format, production=False, service="keel-test")  # type: ignore[arg-type]
    structlog.get_logger("t").info("login", user={"email": "a@b.c", "password": "hunter2"}, token="abc.def")
    logging.getLogger("thirdparty").warning("plain stdlib line")
    err = capsys.readouterr().err
    assert "hunter2" not in err
    assert "abc.def" not in err
    assert REDACTED in err
    assert "plain stdlib line" in err
    if log_format == "json":
        first = json.loads(err.splitlines()[0])
        assert first["event"] == "login"
        assert first["service"] == "keel-test"
        assert first["user"]["password"] == REDACTED


@pytest.mark.parametrize("log_format", ["json", "console"])
def test_a_logged_exception_never_shows_frame_locals(capsys: pytest.CaptureFixture[str], log_format: str) -> None:
    configure_logging(level="INFO", log_format=log_format, production=False, service="keel-test")  # type: ignore[arg-type]

    def fail(authorization: str) -> None:
        raise ValueError("boom")

    secret = "-".join(["secret", "token", "in", "a", "local"])  # not in the source lines a traceback quotes
    try:
        fail(f"Bearer {secret}")
    except ValueError:
        structlog.get_logger("t").exception("request.failed")
    err = capsys.readouterr().err

    assert "boom" in err
    assert secret not in err
    if log_format == "json":
        frames = json.loads(err.splitlines()[0])["exception"][0]["frames"]
        assert frames
        assert all("locals" not in frame for frame in frames)
