"""Entity tags of versioned resources: ``"<version>"``. ``If-Match`` guards writes, ``If-None-Match`` saves reads."""

from __future__ import annotations

import re

from keel.application.errors import ApplicationError

_ETAG = re.compile(r'^(?:W/)?"(\d{1,18})"$')


class PreconditionFailed(ApplicationError):
    """``If-Match`` names no current version of the resource."""

    code = "precondition_failed"


def etag_of(version: int) -> str:
    return f'"{version}"'


def expected_version(if_match: str | None) -> int | None:
    """The version an ``If-Match`` header requires: ``None`` when absent or ``*``.

    A list of tags or a tag that keel did not issue can match no version: that is a failed precondition (412).
    """
    if if_match is None or if_match.strip() == "*":
        return None
    match = _ETAG.fullmatch(if_match.strip())
    if match is None:
        raise PreconditionFailed("If-Match must be one entity tag of this resource, as sent in its ETag header.")
    return int(match.group(1))


def none_match(if_none_match: str | None, version: int) -> bool:
    """Whether ``If-None-Match`` names the current version (so a GET may answer 304)."""
    if if_none_match is None:
        return False
    current = etag_of(version)
    tags = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in tags or current in tags
