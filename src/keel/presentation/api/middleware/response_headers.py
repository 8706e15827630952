"""The headers every response carries: security headers, and the quota headers of a rate-limited request.

Security headers (computed once, appended to each response as raw bytes):

- ``X-Content-Type-Options: nosniff``, ``Referrer-Policy: no-referrer``, ``X-Frame-Options: DENY``,
  ``Cross-Origin-Opener-Policy: same-origin``, ``Cross-Origin-Resource-Policy: same-origin``;
- ``Content-Security-Policy``: for JSON, nothing may load at all (``default-src 'none'; frame-ancestors 'none'``);
  for ``/docs`` and ``/redoc``, the pages' own script and the Swagger UI / ReDoc assets FastAPI loads from the jsDelivr
  CDN (and ReDoc's web worker and fonts), nothing else;
- ``Strict-Transport-Security`` in production only (``KEEL_API__HSTS_MAX_AGE_SECONDS``): outside it, a browser told to
  use HTTPS for ``localhost`` would remember it for every local project.

Headers a route set itself are kept: a route that wants another CSP or another referrer policy says so.

Quota headers (draft-ietf-httpapi-ratelimit-headers-09): when the request was counted against a quota,
``RateLimit-Policy: "<class>";q=<limit>;w=<period s>`` and ``RateLimit: "<class>";r=<remaining>;t=<s until whole>``.
"""

from __future__ import annotations

from typing import Final

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from keel.application.ports.rate_limits import RateDecision
from keel.presentation.api.rate_limiting import DECISION_STATE

type RawHeaders = list[tuple[bytes, bytes]]

_CDN: Final = "https://cdn.jsdelivr.net"
_FASTAPI_ICON: Final = "https://fastapi.tiangolo.com"
API_CSP: Final = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
DOCS_CSP: Final = (
    f"default-src 'none'; script-src 'self' 'unsafe-inline' {_CDN}; style-src 'self' 'unsafe-inline' {_CDN} "
    f"https://fonts.googleapis.com; img-src 'self' data: {_FASTAPI_ICON} {_CDN}; font-src https://fonts.gstatic.com; "
    f"connect-src 'self'; worker-src blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
DOCS_PATHS: Final = ("/docs", "/redoc")


def _security_headers(*, csp: str, hsts_max_age: int | None) -> RawHeaders:
    headers = [
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-frame-options", b"DENY"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"cross-origin-resource-policy", b"same-origin"),
        (b"content-security-policy", csp.encode("latin-1")),
    ]
    if hsts_max_age:
        headers.append((b"strict-transport-security", f"max-age={hsts_max_age}; includeSubDomains".encode()))
    return headers


def quota_headers(decision: RateDecision) -> RawHeaders:
    quota = decision.quota
    return [
        (b"ratelimit-policy", f'"{quota.name}";q={quota.limit};w={quota.period_seconds}'.encode()),
        (b"ratelimit", f'"{quota.name}";r={decision.remaining};t={decision.reset_seconds}'.encode()),
    ]


class ResponseHeadersMiddleware:
    def __init__(self, app: ASGIApp, *, hsts_max_age: int | None, docs_paths: tuple[str, ...] = DOCS_PATHS) -> None:
        self.app = app
        self._api = _security_headers(csp=API_CSP, hsts_max_age=hsts_max_age)
        self._docs = _security_headers(csp=DOCS_CSP, hsts_max_age=hsts_max_age)
        self._docs_paths = docs_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        defaults = self._docs if path.startswith(self._docs_paths) else self._api

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers: RawHeaders = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(header for header in defaults if header[0] not in present)
                decision = scope["state"].get(DECISION_STATE) if "state" in scope else None
                if isinstance(decision, RateDecision) and decision.counted:
                    headers.extend(quota_headers(decision))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
