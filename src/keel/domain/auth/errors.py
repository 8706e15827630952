"""What can go wrong with sessions and one-time tokens, in domain terms."""

from __future__ import annotations

from keel.domain.errors import Conflict


class EmailAlreadyVerified(Conflict):
    """Verification was asked for an address that is already verified."""

    code = "email_already_verified"

    def __init__(self) -> None:
        super().__init__("This email address is already verified.", context={"field": "email"})
