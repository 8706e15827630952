"""The values every email template is rendered with — the one place that lists them.

Every template gets, from ``DeliverEmail``:

================== =================================================================================================
``recipient_name``  the recipient user's full name; empty when it is not known (a plain ``to`` address, no name)
``recipient_email`` the address the message goes to
================== =================================================================================================

The requester puts these in ``EmailRequest.context`` (strings; ids and small values only):

================== =================================================================================================
``welcome``         nothing
``verify_email``    ``token``: the email-verification token
``password_reset``  ``token``: the password-reset token
``job_finished``    ``job_id``, ``job_name``, ``job_status`` (``succeeded`` or ``failed``)
================== =================================================================================================

The renderer adds one link per template, built on ``KEEL_EMAIL__PUBLIC_BASE_URL`` (path segments and query values
URL-encoded):

================== =================================================================================================
``welcome``         ``sign_in_url``: ``<base>/sign-in``
``verify_email``    ``verify_url``: ``<base>/verify-email?token=<token>``
``password_reset``  ``reset_url``: ``<base>/reset-password?token=<token>``
``job_finished``    ``job_url``: ``<base>/jobs/<job_id>``
================== =================================================================================================

A request that misses a value, gives an empty one, gives a value outside its choices, or sets a name listed above as
given by ``DeliverEmail`` or the renderer, cannot be rendered: ``PermanentEmailError``. Other names are ignored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final
from urllib.parse import quote, urlencode

from keel.application.email.ports import EmailTemplate, PermanentEmailError

RECIPIENT_NAME: Final = "recipient_name"
RECIPIENT_EMAIL: Final = "recipient_email"
RECIPIENT_KEYS: Final = (RECIPIENT_NAME, RECIPIENT_EMAIL)


@dataclass(frozen=True, slots=True)
class Link:
    """A link the renderer adds: ``name`` in the context, ``path`` under the base URL with ``{key}`` segments filled
    from the context, and the context values named in ``query`` as query parameters."""

    name: str
    path: str
    query: tuple[str, ...] = ()

    def build(self, base_url: str, values: Mapping[str, object]) -> str:
        """The absolute URL for these values; ``base_url`` has no trailing slash."""
        segments = {key: quote(str(value), safe="") for key, value in values.items()}
        url = base_url + self.path.format_map(segments)
        if self.query:
            url += "?" + urlencode({key: str(values[key]) for key in self.query}, quote_via=quote)
        return url


@dataclass(frozen=True, slots=True)
class TemplateContext:
    """What one template needs from the request, and the link it gets."""

    link: Link
    required: tuple[str, ...] = ()
    choices: Mapping[str, frozenset[str]] = field(default_factory=dict)


TEMPLATE_CONTEXTS: Final[Mapping[EmailTemplate, TemplateContext]] = {
    EmailTemplate.WELCOME: TemplateContext(link=Link("sign_in_url", "/sign-in")),
    EmailTemplate.VERIFY_EMAIL: TemplateContext(
        link=Link("verify_url", "/verify-email", query=("token",)), required=("token",)
    ),
    EmailTemplate.PASSWORD_RESET: TemplateContext(
        link=Link("reset_url", "/reset-password", query=("token",)), required=("token",)
    ),
    EmailTemplate.JOB_FINISHED: TemplateContext(
        link=Link("job_url", "/jobs/{job_id}"),
        required=("job_id", "job_name", "job_status"),
        choices={"job_status": frozenset({"succeeded", "failed"})},
    ),
}


def template_context(template: str) -> TemplateContext:
    """The context contract of ``template``; ``PermanentEmailError`` for a template that does not exist."""
    try:
        return TEMPLATE_CONTEXTS[EmailTemplate(template)]
    except ValueError:
        known = ", ".join(EmailTemplate)
        raise PermanentEmailError(f"unknown email template {template!r}; known templates: {known}") from None


def check_request_context(template: str, context: Mapping[str, object]) -> None:
    """Raise ``PermanentEmailError`` naming every problem of a request's ``context`` for ``template``."""
    contract = template_context(template)
    _raise_if_unusable(template, _problems(contract, context, reserved=(*RECIPIENT_KEYS, contract.link.name)))


def check_render_context(template: str, context: Mapping[str, object]) -> TemplateContext:
    """The contract of ``template`` if ``context`` (the request's values and the recipient's) can render it;
    ``PermanentEmailError`` naming every problem otherwise."""
    contract = template_context(template)
    problems = _problems(contract, context, reserved=(contract.link.name,))
    absent = [key for key in RECIPIENT_KEYS if key not in context]
    if absent:
        problems.insert(0, f"missing: {', '.join(absent)}")
    _raise_if_unusable(template, problems)
    return contract


def _problems(contract: TemplateContext, context: Mapping[str, object], *, reserved: tuple[str, ...]) -> list[str]:
    problems: list[str] = []
    given = sorted(set(reserved) & context.keys())
    if given:
        problems.append(f"{', '.join(given)} must not be given: the delivery sets them")
    missing = [key for key in contract.required if not str(context.get(key, "")).strip()]
    if missing:
        problems.append(f"missing or empty: {', '.join(missing)}")
    for key, allowed in contract.choices.items():
        value = context.get(key)
        if value is not None and str(value).strip() and str(value) not in allowed:
            problems.append(f"{key} is {value!r}, expected one of {', '.join(sorted(allowed))}")
    return problems


def _raise_if_unusable(template: str, problems: list[str]) -> None:
    if problems:
        raise PermanentEmailError(f"the context of the {template} email is not usable: {'; '.join(problems)}")
