"""KEEL-HMAC-SHA256: how a partner signs a request, and how keel rebuilds what was signed.

A signed request carries three headers::

    x-keel-date: 20261122T101500Z                       (UTC, within ±300 s of keel's clock)
    x-keel-nonce: 3q2-7w_Kb0c1VZ8xYtQ2aA                 (16-64 of A-Z a-z 0-9 _ -, never reused)
    Authorization: KEEL-HMAC-SHA256 Credential=<client id>, SignedHeaders=x-keel-date;x-keel-nonce, Signature=<hex>

The signature is ``hex(HMAC-SHA256(secret, string to sign))``, where the string to sign is::

    KEEL-HMAC-SHA256 \\n <x-keel-date> \\n hex(SHA-256(canonical request))

and the canonical request is, one item per line:

1. the method, upper case;
2. the path, percent-decoded then encoded again (everything but ``A-Z a-z 0-9 - _ . ~ /``);
3. the query: each name and value decoded (``+`` is a space) then encoded like the path (``/`` too), the pairs sorted
   by name then value, joined ``name=value`` with ``&`` (empty when there is none);
4. one line per signed header, in the order of SignedHeaders: ``name:value``, the name lower case, the value trimmed
   with inner runs of whitespace made one space (a header sent several times: its values joined with ``,``);
5. an empty line;
6. SignedHeaders: the signed header names, lower case, sorted, joined with ``;`` — at least ``x-keel-date`` and
   ``x-keel-nonce``;
7. hex(SHA-256(the raw body)) (of nothing for a request without a body).

Any byte of the method, path, query, signed headers or body that differs between the two ends changes the signature.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final
from urllib.parse import parse_qsl, quote, unquote, urlsplit

ALGORITHM: Final = "KEEL-HMAC-SHA256"
DATE_HEADER: Final = "x-keel-date"
NONCE_HEADER: Final = "x-keel-nonce"
REQUIRED_SIGNED_HEADERS: Final = frozenset({DATE_HEADER, NONCE_HEADER})
DATE_FORMAT: Final = "%Y%m%dT%H%M%SZ"
MAX_AUTHORIZATION_LENGTH: Final = 1024
MAX_SIGNED_HEADERS: Final = 16

_DATE: Final = re.compile(r"^[0-9]{8}T[0-9]{6}Z$")
_NONCE: Final = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_HEADER_NAME: Final = re.compile(r"^[a-z0-9!#$%&'*+.^_`|~-]{1,64}$")
_CREDENTIAL: Final = re.compile(r"^[A-Za-z0-9-]{1,64}$")
_SIGNATURE: Final = re.compile(r"^[0-9a-f]{64}$")
_WHITESPACE: Final = re.compile(r"\s+")
_UNRESERVED: Final = "-_.~"


class MalformedSignature(ValueError):
    """The Authorization header or a signed header is not in the KEEL-HMAC-SHA256 form."""


@dataclass(frozen=True, slots=True)
class Authorization:
    client_id: str
    signed_headers: tuple[str, ...]
    signature: str = field(repr=False)


def format_date(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(DATE_FORMAT)


def parse_date(value: str) -> datetime:
    if not _DATE.fullmatch(value):
        raise MalformedSignature(f"{DATE_HEADER} must look like 20261122T101500Z (UTC)")
    try:
        return datetime.strptime(value, DATE_FORMAT).replace(tzinfo=UTC)
    except ValueError:
        raise MalformedSignature(f"{DATE_HEADER} is not a valid date and time") from None


def check_nonce(value: str) -> str:
    if not _NONCE.fullmatch(value):
        raise MalformedSignature(f"{NONCE_HEADER} must be 16 to 64 characters of A-Z, a-z, 0-9, '_' and '-'")
    return value


def canonical_path(path: str) -> str:
    return quote(unquote(path or "/"), safe="/" + _UNRESERVED)


def canonical_query(query: str) -> str:
    pairs = parse_qsl(query, keep_blank_values=True)
    return "&".join(
        f"{quote(name, safe=_UNRESERVED)}={quote(value, safe=_UNRESERVED)}" for name, value in sorted(pairs)
    )


def canonical_header_value(values: Sequence[str]) -> str:
    return ",".join(_WHITESPACE.sub(" ", value.strip()) for value in values)


def canonical_request(
    method: str,
    path: str,
    query: str,
    *,
    headers: Mapping[str, Sequence[str]],
    signed_headers: Sequence[str],
    body: bytes,
) -> str:
    """The canonical request. ``headers`` maps lower-case names to every value sent under that name; each of
    ``signed_headers`` must be present."""
    lines = [method.upper(), canonical_path(path), canonical_query(query)]
    for name in signed_headers:
        values = headers.get(name)
        if not values:
            raise MalformedSignature(f"the signed header {name!r} is not in the request")
        lines.append(f"{name}:{canonical_header_value(values)}")
    lines.extend(["", ";".join(signed_headers), hashlib.sha256(body).hexdigest()])
    return "\n".join(lines)


def string_to_sign(date: str, canonical: str) -> bytes:
    return f"{ALGORITHM}\n{date}\n{hashlib.sha256(canonical.encode('utf-8')).hexdigest()}".encode()


def signature(secret: str, to_sign: bytes) -> str:
    return hmac.new(secret.encode("utf-8"), to_sign, hashlib.sha256).hexdigest()


def parse_authorization(header: str) -> Authorization:
    """The parts of a KEEL-HMAC-SHA256 ``Authorization`` header; ``MalformedSignature`` says what is wrong."""
    if len(header) > MAX_AUTHORIZATION_LENGTH:
        raise MalformedSignature("the Authorization header is too long")
    scheme, _, rest = header.strip().partition(" ")
    if scheme != ALGORITHM:
        raise MalformedSignature(f"the Authorization scheme must be {ALGORITHM}")
    parameters: dict[str, str] = {}
    for item in rest.split(","):
        name, equals, value = item.strip().partition("=")
        if not equals or name in parameters:
            raise MalformedSignature("expected Credential=..., SignedHeaders=..., Signature=... once each")
        parameters[name] = value.strip()
    if parameters.keys() != {"Credential", "SignedHeaders", "Signature"}:
        raise MalformedSignature("expected Credential=..., SignedHeaders=..., Signature=... once each")
    if not _CREDENTIAL.fullmatch(parameters["Credential"]):
        raise MalformedSignature("Credential must be the API client's id")
    if not _SIGNATURE.fullmatch(parameters["Signature"]):
        raise MalformedSignature("Signature must be 64 lower-case hex digits")
    signed = tuple(parameters["SignedHeaders"].split(";"))
    if (
        len(signed) > MAX_SIGNED_HEADERS
        or list(signed) != sorted(set(signed))
        or not all(_HEADER_NAME.fullmatch(name) for name in signed)
    ):
        raise MalformedSignature("SignedHeaders must be distinct lower-case header names, sorted, joined with ';'")
    missing = REQUIRED_SIGNED_HEADERS - set(signed)
    if missing:
        raise MalformedSignature(f"SignedHeaders must include {', '.join(sorted(missing))}")
    return Authorization(parameters["Credential"], signed, parameters["Signature"])


def sign_request(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    client_id: str,
    secret: str,
    now: datetime | None = None,
    nonce: str | None = None,
    sign_headers: Sequence[str] = ("content-type",),
) -> dict[str, str]:
    """The headers to add to a request so that keel accepts it: ``x-keel-date``, ``x-keel-nonce`` and
    ``Authorization``. ``headers`` are the request's own; those named in ``sign_headers`` are signed when present."""
    date = format_date(now or datetime.now(UTC))
    added = {DATE_HEADER: date, NONCE_HEADER: check_nonce(nonce or secrets.token_urlsafe(24))}
    present = {name.lower(): [value] for name, value in headers.items()}
    present.update({name: [value] for name, value in added.items()})
    signed = sorted({*REQUIRED_SIGNED_HEADERS, *(name.lower() for name in sign_headers if name.lower() in present)})
    parts = urlsplit(url)
    canonical = canonical_request(method, parts.path, parts.query, headers=present, signed_headers=signed, body=body)
    mac = signature(secret, string_to_sign(date, canonical))
    added["authorization"] = f"{ALGORITHM} Credential={client_id}, SignedHeaders={';'.join(signed)}, Signature={mac}"
    return added
