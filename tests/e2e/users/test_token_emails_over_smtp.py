"""Password reset and email verification, end to end with nothing faked: the request over HTTP writes the token's
email to the outbox in its transaction, the worker delivers it through Temporal to a real SMTP server, and the link
in that email is what completes the flow."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from welcome_support import outbox_rows, with_temporal

from keel.container import build_container
from keel.presentation.worker import serve_worker
from keel.settings import Settings
from support.api import PASSWORD, SignUp
from support.smtp import ReceivedMail, SmtpServer, links_in
from support.temporal import TEMPORAL_GROUP, DevServer
from support.waiting import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.slow, pytest.mark.xdist_group(TEMPORAL_GROUP)]

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture
def settings(settings: Settings, temporal_dev_server: DevServer, smtp_server: SmtpServer) -> Settings:
    email = settings.email.model_copy(
        update={"smtp_host": smtp_server.host, "smtp_port": smtp_server.port, "public_base_url": "https://app.example"}
    )
    return with_temporal(settings, temporal_dev_server.address).model_copy(update={"email": email})


def _mail_with(smtp_server: SmtpServer, path: str) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return any(_link(mail, path) is not None for mail in smtp_server.received)

    return check


def _link(mail: ReceivedMail, path: str) -> str | None:
    return next((link for link in links_in(mail.part("html")) if urlsplit(link).path == path), None)


def _token(smtp_server: SmtpServer, path: str, to: str) -> str:
    (link,) = [
        link for mail in smtp_server.received if mail.envelope_to == (to,) and (link := _link(mail, path)) is not None
    ]
    assert link.startswith("https://app.example/")
    (token,) = parse_qs(urlsplit(link).query)["token"]
    assert token in mail_text(smtp_server, to)  # the plain-text part carries the same link
    return token


def mail_text(smtp_server: SmtpServer, to: str) -> str:
    return "\n".join(mail.part("plain") for mail in smtp_server.received if mail.envelope_to == (to,))


async def test_a_password_reset_email_arrives_and_its_link_resets_the_password(
    client: httpx.AsyncClient, sign_up: SignUp, settings: Settings, smtp_server: SmtpServer
) -> None:
    owner = await sign_up()
    email = owner.user["email"]
    asked = await client.post("/api/v1/auth/password-reset", json={"tenant": owner.tenant_slug, "email": email})
    assert asked.status_code == 202, asked.text
    unknown = await client.post(
        "/api/v1/auth/password-reset", json={"tenant": owner.tenant_slug, "email": "nobody@nowhere.example"}
    )
    assert unknown.status_code == 202  # the same answer: no account enumeration

    stop, ready = asyncio.Event(), asyncio.Event()
    worker = asyncio.create_task(serve_worker(build_container(settings), stop, ready=ready.set))
    try:
        await wait_until(_mail_with(smtp_server, "/reset-password"), within=60, what="the password-reset email")
    finally:
        stop.set()
        await asyncio.wait_for(worker, 60)

    token = _token(smtp_server, "/reset-password", email)
    rows = await outbox_rows(settings.database.url)
    assert rows
    assert all(row["dispatched_at"] is not None for row in rows)
    assert all("token" not in row["payload"]["context"] for row in rows), "a handed-on token is not kept"
    confirmed = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": NEW_PASSWORD}
    )
    assert confirmed.status_code == 204, confirmed.text
    again = await client.post("/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": PASSWORD})
    assert again.status_code == 400  # single use
    old = await client.post(
        "/api/v1/auth/login", json={"tenant": owner.tenant_slug, "email": email, "password": PASSWORD}
    )
    new = await client.post(
        "/api/v1/auth/login", json={"tenant": owner.tenant_slug, "email": email, "password": NEW_PASSWORD}
    )
    assert (old.status_code, new.status_code) == (401, 200)
    assert all(mail.envelope_to == (email,) for mail in smtp_server.received if _link(mail, "/reset-password"))


async def test_a_verification_email_arrives_and_its_link_verifies_the_address(
    client: httpx.AsyncClient, sign_up: SignUp, settings: Settings, smtp_server: SmtpServer
) -> None:
    owner = await sign_up()
    email = owner.user["email"]
    asked = await client.post("/api/v1/auth/verify-email/request", headers=owner.headers)
    assert asked.status_code == 202, asked.text

    stop, ready = asyncio.Event(), asyncio.Event()
    worker = asyncio.create_task(serve_worker(build_container(settings), stop, ready=ready.set))
    try:
        await wait_until(_mail_with(smtp_server, "/verify-email"), within=60, what="the verification email")
    finally:
        stop.set()
        await asyncio.wait_for(worker, 60)

    token = _token(smtp_server, "/verify-email", email)
    verified = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert verified.status_code == 204, verified.text
    me = await client.get("/api/v1/users/me", headers=owner.headers)
    assert me.json()["email_verified"] is True
