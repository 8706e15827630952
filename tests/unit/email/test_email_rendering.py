"""The shipped templates: every template renders in every locale, values never become markup, links carry their
values URL-encoded, and a recipient's locale falls back to one the templates have."""

from __future__ import annotations

from itertools import product

import pytest
from jinja2 import DictLoader

from keel.application.email import TEMPLATE_CONTEXTS, EmailTemplate, PermanentEmailError, RenderedEmail
from keel.infrastructure.email.rendering import JinjaEmailRenderer, locale_candidates
from support.smtp import links_in

BASE_URL = "https://app.example.com"
RENDERER = JinjaEmailRenderer(BASE_URL)
REQUEST_VALUES: dict[EmailTemplate, dict[str, str]] = {
    EmailTemplate.WELCOME: {},
    EmailTemplate.VERIFY_EMAIL: {"token": "v-123"},
    EmailTemplate.PASSWORD_RESET: {"token": "r-456"},
    EmailTemplate.JOB_FINISHED: {"job_id": "job-1", "job_name": "Nightly export", "job_status": "succeeded"},
}
EXPECTED_LINKS = {
    EmailTemplate.WELCOME: f"{BASE_URL}/sign-in",
    EmailTemplate.VERIFY_EMAIL: f"{BASE_URL}/verify-email?token=v-123",
    EmailTemplate.PASSWORD_RESET: f"{BASE_URL}/reset-password?token=r-456",
    EmailTemplate.JOB_FINISHED: f"{BASE_URL}/jobs/job-1",
}


def context(template: EmailTemplate, name: str = "Ada Lovelace", **values: str) -> dict[str, object]:
    return {**REQUEST_VALUES[template], "recipient_name": name, "recipient_email": "ada@example.com", **values}


def render(
    template: EmailTemplate, locale: str = "en", renderer: JinjaEmailRenderer = RENDERER, **values: str
) -> RenderedEmail:
    return renderer.render(template, locale, context(template, **values))


def test_english_and_german_are_shipped() -> None:
    assert {"de", "en"} <= set(RENDERER.locales)
    assert set(TEMPLATE_CONTEXTS) == set(EmailTemplate)


@pytest.mark.parametrize(("template", "locale"), list(product(EmailTemplate, RENDERER.locales)))
def test_every_template_renders_in_every_locale(template: EmailTemplate, locale: str) -> None:
    rendered = render(template, locale)

    assert RENDERER.locale_for(template, locale) == locale
    assert rendered.subject
    assert "\n" not in rendered.subject
    assert rendered.subject in rendered.html  # the HTML title
    assert rendered.html.startswith("<!DOCTYPE html>")
    assert f'<html lang="{locale}">' in rendered.html
    assert links_in(rendered.html) == [EXPECTED_LINKS[template]]
    assert EXPECTED_LINKS[template] in rendered.text
    assert "Ada Lovelace" in rendered.text
    assert "Ada Lovelace" in rendered.html
    assert "ada@example.com" in rendered.text  # the footer names the address
    assert rendered.text.endswith("\n")
    assert not rendered.text.endswith("\n\n")
    assert "<" not in rendered.text


def test_english_and_german_say_different_things() -> None:
    english, german = render(EmailTemplate.VERIFY_EMAIL, "en"), render(EmailTemplate.VERIFY_EMAIL, "de")

    assert english.subject == "Confirm your email address"
    assert german.subject == "Bestätigen Sie Ihre E-Mail-Adresse"
    assert german.text.startswith("Hallo Ada Lovelace,\n")
    assert english.text.startswith("Hello Ada Lovelace,\n")


def test_a_recipient_without_a_name_gets_a_plain_greeting() -> None:
    rendered = render(EmailTemplate.WELCOME, name="")

    assert rendered.subject == "Welcome"
    assert rendered.text.startswith("Hello,\n")


def test_the_job_status_decides_the_wording() -> None:
    succeeded = render(EmailTemplate.JOB_FINISHED, job_status="succeeded")
    failed = render(EmailTemplate.JOB_FINISHED, job_status="failed")

    assert succeeded.subject == "Your job “Nightly export” has finished"
    assert failed.subject == "Your job “Nightly export” failed"


def test_a_name_with_markup_is_escaped_in_html_and_kept_as_typed_in_text() -> None:
    name = '<script>alert("hi")</script> & Co'
    rendered = render(EmailTemplate.WELCOME, name=name)

    assert "<script>" not in rendered.html
    assert "&lt;script&gt;alert(&#34;hi&#34;)&lt;/script&gt; &amp; Co" in rendered.html
    assert f"Hello {name}," in rendered.text
    assert rendered.subject == f"Welcome, {name}"


def test_a_job_name_with_markup_is_escaped_too() -> None:
    rendered = render(EmailTemplate.JOB_FINISHED, job_name="<b>bold</b>")

    assert "<b>" not in rendered.html
    assert "&lt;b&gt;bold&lt;/b&gt;" in rendered.html


def test_a_token_is_url_encoded_in_its_link() -> None:
    token = "a b&c/d=e+f?g#h"
    rendered = render(EmailTemplate.PASSWORD_RESET, token=token)

    expected = f"{BASE_URL}/reset-password?token=a%20b%26c%2Fd%3De%2Bf%3Fg%23h"
    assert links_in(rendered.html) == [expected]
    assert expected in rendered.text


def test_a_job_id_is_one_encoded_path_segment() -> None:
    rendered = render(EmailTemplate.JOB_FINISHED, job_id="../admin?x=1")

    assert links_in(rendered.html) == [f"{BASE_URL}/jobs/..%2Fadmin%3Fx%3D1"]


@pytest.mark.parametrize("base_url", ["https://example.org/portal", "https://example.org/portal/"])
def test_links_keep_the_path_of_the_base_url(base_url: str) -> None:
    rendered = render(EmailTemplate.VERIFY_EMAIL, renderer=JinjaEmailRenderer(base_url), token="t")

    assert links_in(rendered.html) == ["https://example.org/portal/verify-email?token=t"]


@pytest.mark.parametrize(
    ("locale", "chosen"),
    [("de", "de"), ("de-AT", "de"), ("de-CH", "de"), ("DE-at", "de"), ("en-GB", "en"), ("fr", "en"),
     ("zh-Hant-TW", "en"), ("", "en")],
)  # fmt: skip
def test_a_locale_falls_back_to_its_language_then_to_english(locale: str, chosen: str) -> None:
    assert RENDERER.locale_for(EmailTemplate.WELCOME, locale) == chosen
    assert f'<html lang="{chosen}">' in render(EmailTemplate.WELCOME, locale).html


def test_locale_candidates_go_from_the_most_specific_tag_to_the_default() -> None:
    assert locale_candidates("zh-Hant-TW") == ["zh-hant-tw", "zh-hant", "zh", "en"]
    assert locale_candidates("pt_BR", default="de") == ["pt-br", "pt", "de"]


def templates(**files: str) -> dict[str, str]:
    """A minimal template folder: English and German layouts, plus ``files``."""
    layout = "{% block content %}{% endblock %}"
    return {"en/layout.html": layout, "de/layout.html": layout, **files}


def welcome_in(locale: str, *, html: str = "<p>{{ recipient_name }}</p>") -> dict[str, str]:
    return {
        f"{locale}/welcome.subject.txt": f"{locale} subject",
        f"{locale}/welcome.txt": f"{locale} text {{{{ sign_in_url }}}}",
        f"{locale}/welcome.html": html,
    }


def test_a_template_missing_in_a_locale_falls_back_to_the_default_one() -> None:
    renderer = JinjaEmailRenderer(BASE_URL, loader=DictLoader(templates(**welcome_in("en"))))

    rendered = renderer.render(EmailTemplate.WELCOME, "de-AT", context(EmailTemplate.WELCOME))

    assert renderer.locale_for(EmailTemplate.WELCOME, "de-AT") == "en"
    assert (rendered.subject, rendered.text) == ("en subject", f"en text {BASE_URL}/sign-in\n")


def test_a_template_without_files_is_a_permanent_error() -> None:
    renderer = JinjaEmailRenderer(BASE_URL, loader=DictLoader(templates(**welcome_in("en"))))

    with pytest.raises(PermanentEmailError, match="the password_reset email has no templates"):
        renderer.render(EmailTemplate.PASSWORD_RESET, "en", context(EmailTemplate.PASSWORD_RESET))


def test_an_unknown_template_is_a_permanent_error() -> None:
    with pytest.raises(PermanentEmailError, match="unknown email template 'newsletter'"):
        RENDERER.render("newsletter", "en", context(EmailTemplate.WELCOME))  # type: ignore[arg-type]


def test_a_value_the_template_uses_and_the_context_lacks_is_a_permanent_error() -> None:
    loader = DictLoader(templates(**welcome_in("en", html="<p>{{ tenant_name }}</p>")))
    renderer = JinjaEmailRenderer(BASE_URL, loader=loader)

    with pytest.raises(PermanentEmailError, match="'tenant_name' is undefined"):
        renderer.render(EmailTemplate.WELCOME, "en", context(EmailTemplate.WELCOME))


def test_a_broken_template_is_a_permanent_error() -> None:
    renderer = JinjaEmailRenderer(BASE_URL, loader=DictLoader(templates(**welcome_in("en", html="{% if %}"))))

    with pytest.raises(PermanentEmailError, match="cannot be rendered"):
        renderer.render(EmailTemplate.WELCOME, "en", context(EmailTemplate.WELCOME))


@pytest.mark.parametrize(
    ("values", "problem"),
    [
        ({"recipient_name": "A"}, "missing: recipient_email"),
        ({"recipient_name": "A", "recipient_email": "a@example.com"}, "missing or empty: token"),
        (
            {"recipient_name": "A", "recipient_email": "a@example.com", "token": "t", "verify_url": "https://x"},
            "verify_url must not be given",
        ),
    ],
)
def test_a_context_that_misses_values_is_a_permanent_error(values: dict[str, object], problem: str) -> None:
    with pytest.raises(PermanentEmailError, match=problem):
        RENDERER.render(EmailTemplate.VERIFY_EMAIL, "en", values)


def test_the_default_locale_must_have_templates() -> None:
    with pytest.raises(ValueError, match="no folder for the default locale 'fr'"):
        JinjaEmailRenderer(BASE_URL, default_locale="fr")
