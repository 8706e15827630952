"""A structlog processor that hides the values of secret-looking keys, at any depth of the event."""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from typing import Any

REDACTED = "[REDACTED]"

# A key is secret when it contains one of these words, in any case: `password`, `DB_PASSWORD`, `X-Api-Key`,
# `refresh_token`, `Set-Cookie`, `Authorization`. Over-matching (`token_count`) is the safe side to err on.
_SECRET_WORDS = ("password", "passwd", "token", "secret", "authorization", "api_key", "apikey", "cookie")
_MAX_DEPTH = 8


def is_secret_key(key: object) -> bool:
    if isinstance(key, bytes):
        key = key.decode("latin-1")
    if not isinstance(key, str):
        return False
    normalised = key.lower().replace("-", "_")
    return any(word in normalised for word in _SECRET_WORDS)


def _redact(value: Any, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, Mapping):
        return {k: REDACTED if is_secret_key(k) else _redact(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        items = [_redact(item, depth + 1) for item in value]
        if isinstance(value, tuple) and len(value) == 2 and is_secret_key(value[0]):
            return (value[0], REDACTED)
        return items if isinstance(value, list) else tuple(items)
    return value


def redact_secrets(_logger: object, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if is_secret_key(key):
            event_dict[key] = REDACTED
        else:
            event_dict[key] = _redact(event_dict[key], 0)
    return event_dict
