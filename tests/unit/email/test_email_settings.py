"""The email settings refuse what would make bad messages: a From without domain, links that are not http(s) URLs,
an attempt that may outlive its claim. And the container builds the email pieces from them."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from keel.application.email import DeliverEmailUseCase, EmailTemplate
from keel.container import build_container, running
from keel.infrastructure.email.smtp import SmtpEmailSender
from keel.settings import Settings, SettingsError, load_settings


@pytest.fixture(autouse=True)
def _no_keel_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Start from defaults: no KEEL_* variables and no .env in the working directory."""
    for name in list(os.environ):
        if name.startswith("KEEL_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize(
    ("variables", "refusal"),
    [
        ({"KEEL_EMAIL__FROM_ADDRESS": "keel"}, "KEEL_EMAIL__FROM_ADDRESS: expected an address such as"),
        ({"KEEL_EMAIL__FROM_ADDRESS": "keel <@example.com>"}, "KEEL_EMAIL__FROM_ADDRESS: expected an address"),
        ({"KEEL_EMAIL__PUBLIC_BASE_URL": "app.example.com"}, "KEEL_EMAIL__PUBLIC_BASE_URL: expected an http"),
        ({"KEEL_EMAIL__PUBLIC_BASE_URL": "ftp://app.example.com"}, "KEEL_EMAIL__PUBLIC_BASE_URL: expected an http"),
        ({"KEEL_EMAIL__PUBLIC_BASE_URL": "https://app.example.com/?a=1"}, "KEEL_EMAIL__PUBLIC_BASE_URL: expected"),
        ({"KEEL_EMAIL__TIMEOUT_SECONDS": "0"}, "KEEL_EMAIL__TIMEOUT_SECONDS: Input should be greater than 0"),
        (
            {"KEEL_EMAIL__TIMEOUT_SECONDS": "60", "KEEL_EMAIL__CLAIM_SECONDS": "60"},
            "KEEL_EMAIL: claim_seconds must exceed timeout_seconds",
        ),
    ],
)
def test_unusable_email_settings_are_refused_by_name(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], refusal: str
) -> None:
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=refusal):
        load_settings()


def test_the_public_base_url_loses_its_trailing_slash(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEEL_EMAIL__PUBLIC_BASE_URL", "https://app.example.com/portal/")
    assert load_settings().email.public_base_url == "https://app.example.com/portal"


async def test_the_container_builds_the_email_delivery_from_the_settings() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        cache={"mode": "off"},  # type: ignore[arg-type]
        observability={"log_level": "WARNING"},  # type: ignore[arg-type]
        email={"smtp_host": "mail.example.org", "smtp_port": 2525, "public_base_url": "https://app.example.org"},  # type: ignore[arg-type]
    )
    container = build_container(settings)
    async with running(container):
        deliver = await container.deliver_email()
        sender = container.email_sender()
        rendered = container.email_renderer().render(
            EmailTemplate.WELCOME, "en", {"recipient_name": "", "recipient_email": "ann@example.com"}
        )

        assert isinstance(deliver, DeliverEmailUseCase)
        assert deliver is await container.deliver_email()
        assert isinstance(sender, SmtpEmailSender)
        assert sender.server == "mail.example.org:2525"
        assert "https://app.example.org/sign-in" in rendered.text
