"""What the settings' sections share: the environments, the cache modes, list and rate parsing, the base model."""

from __future__ import annotations

import base64
import binascii
import re
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
)
from pydantic_settings import NoDecode


class Environment(StrEnum):
    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class CacheMode(StrEnum):
    REDIS = "redis"
    OFF = "off"


def _split_csv(value: object) -> object:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


CsvList = Annotated[list[str], NoDecode, BeforeValidator(_split_csv)]

CLIENT_SECRET_KEY_BYTES = 32
_RATE = re.compile(r"^(?P<count>\d{1,7})/(?P<amount>\d{0,6})(?P<unit>[smhd])$")
_SECONDS_PER_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86_400}
_HOST_PATTERN = re.compile(r"^(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$|^\[[0-9A-Fa-f:.]+\]$")


MAX_RATE_PER_SECOND = 1_000_000


def parse_rate(spec: str) -> tuple[int, int] | None:
    """``"10/1m"`` -> ``(10, 60)``: a count per period in seconds; ``"0"`` -> ``None``, no limit.

    The period is a number (1 if left out) and a unit: ``s``, ``m``, ``h`` or ``d``: ``100/s``, ``5/15m``, ``1000/1d``.
    """
    text = spec.strip()
    if text == "0":
        return None
    match = _RATE.fullmatch(text)
    if match is None:
        raise ValueError(f"expected a rate such as '10/1m' (a count per period: s, m, h or d) or 0, not {spec!r}")
    count = int(match["count"])
    seconds = int(match["amount"] or "1") * _SECONDS_PER_UNIT[match["unit"]]
    if count < 1 or not 1 <= seconds <= 86_400:
        raise ValueError(f"a rate allows at least 1 request in a period of 1 s to 1 d, not {spec!r}")
    if count > seconds * MAX_RATE_PER_SECOND:  # the limiter counts in microseconds: one request per µs at most
        raise ValueError(f"a rate allows at most {MAX_RATE_PER_SECOND} requests per second, not {spec!r}")
    return count, seconds


def _valid_rate(spec: str) -> str:
    parse_rate(spec)
    return spec.strip()


RateSpec = Annotated[str, AfterValidator(_valid_rate)]


def decode_client_secret_key(encoded: str) -> bytes:
    """The 32-byte key in ``encoded`` (base64, standard or URL-safe, padding optional); ``ValueError`` otherwise."""
    text = encoded.strip()
    try:
        key = base64.urlsafe_b64decode(text.replace("+", "-").replace("/", "_") + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        raise ValueError("the client secret key is not base64") from None
    if len(key) != CLIENT_SECRET_KEY_BYTES:
        raise ValueError(f"the client secret key must be {CLIENT_SECRET_KEY_BYTES} bytes, not {len(key)}")
    return key


class _Section(BaseModel):
    model_config = {"extra": "forbid", "frozen": True}
