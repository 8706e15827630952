"""Fixtures of the session and token API tests: the one-time tokens the app announces (what the email would carry)."""

from __future__ import annotations

import pytest

from keel.container import Container
from keel.domain.auth import OneTimeTokenRequested


@pytest.fixture
def announced(container: Container) -> list[OneTimeTokenRequested]:
    """Every ``PasswordResetRequested``/``EmailVerificationRequested`` the app publishes, in order: where a test finds
    the token an email would have carried."""
    events: list[OneTimeTokenRequested] = []

    async def record(event: OneTimeTokenRequested) -> None:
        events.append(event)

    container.event_bus().subscribe(OneTimeTokenRequested, record)
    return events
