"""Names the email tests share with their fixtures (``conftest.py``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from keel.domain.users import User
from keel.infrastructure.persistence import SqlAlchemyUnitOfWork
from keel.settings import EmailSettings

FROM_ADDRESS = "keel <no-reply@keel.test>"
PUBLIC_BASE_URL = "https://app.keel.test"

type MakeUow = Callable[[], SqlAlchemyUnitOfWork]
type MakeUser = Callable[..., Awaitable[User]]


def email_settings(host: str, port: int, **changes: object) -> EmailSettings:
    """Settings pointing the sender at ``host:port``, with a From address and base URL of the tests."""
    values: dict[str, object] = {
        "smtp_host": host,
        "smtp_port": port,
        "from_address": FROM_ADDRESS,
        "public_base_url": PUBLIC_BASE_URL,
        "timeout_seconds": 5.0,
    }
    return EmailSettings(**(values | changes))  # type: ignore[arg-type]
