"""Why a signed partner request was refused. Each is a 401 with its own ``code``, so a partner can fix its signer;
an unknown client, a revoked one and a wrong signature are deliberately one error."""

from __future__ import annotations

from keel.application.errors import AuthenticationRequired

SIGNATURE_SCHEME = "KEEL-HMAC-SHA256"


class SignedRequestRefused(AuthenticationRequired):
    code = "signed_request_refused"
    challenge = SIGNATURE_SCHEME


class InvalidSignature(SignedRequestRefused):
    code = "invalid_signature"

    def __init__(self) -> None:
        super().__init__("The signature does not match this request for any valid secret of an active API client.")


class RequestTimeSkewed(SignedRequestRefused):
    code = "request_time_skewed"


class NonceReused(SignedRequestRefused):
    code = "nonce_reused"

    def __init__(self) -> None:
        super().__init__("This x-keel-nonce was used already: sign each request with a new one.")


class MalformedSignedRequest(SignedRequestRefused):
    """The Authorization header or a signed header is missing or not in the expected form."""

    code = "malformed_signed_request"
