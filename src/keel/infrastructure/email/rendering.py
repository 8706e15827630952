"""The ``EmailRenderer`` on Jinja2, with the templates shipped in this package (``templates/``).

Layout of ``templates/``::

    layout.html, layout.txt     the shared layouts: greeting, content, footer blocks
    macros.html                 the link button
    <locale>/layout.html|.txt   the locale's greeting and footer, over the shared layouts
    <locale>/<template>.subject.txt, <template>.txt, <template>.html

HTML is autoescaped (a value never becomes markup); subject and text are not (they are not HTML). A value the template
uses and the context lacks is an error, never an empty string (``StrictUndefined``). The values each template gets
are listed in ``keel.application.email.context``; the renderer adds the template's link, built on the public base
URL, and ``locale`` and ``subject`` for the layouts.

Locale lookup: the tag, then the tag without its last subtag, and so on, then the default locale — ``de-AT`` ->
``de`` -> ``en`` — taking the first locale that has the template (case-insensitive).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from jinja2 import (
    BaseLoader,
    Environment,
    PackageLoader,
    StrictUndefined,
    TemplateError,
    TemplateNotFound,
    UndefinedError,
    select_autoescape,
)

from keel.application.email import PermanentEmailError, RenderedEmail, check_render_context

DEFAULT_LOCALE: Final = "en"
PARTS: Final = ("subject.txt", "txt", "html")
"""The files of one template in one locale: ``<template>.<part>``."""


def locale_candidates(locale: str, default: str = DEFAULT_LOCALE) -> list[str]:
    """``"zh-Hant-TW"`` -> ``["zh-hant-tw", "zh-hant", "zh", "en"]``: lower-cased, most specific first."""
    subtags = [subtag for subtag in locale.strip().lower().replace("_", "-").split("-") if subtag]
    candidates = ["-".join(subtags[:length]) for length in range(len(subtags), 0, -1)]
    return [*candidates, default.lower()]


class JinjaEmailRenderer:
    """Renders the shipped templates; links start with ``public_base_url``."""

    def __init__(
        self, public_base_url: str, *, default_locale: str = DEFAULT_LOCALE, loader: BaseLoader | None = None
    ) -> None:
        self._base_url = public_base_url.rstrip("/")
        self._default_locale = default_locale
        self._environment = Environment(
            loader=loader or PackageLoader("keel.infrastructure.email", "templates"),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        names = self._environment.list_templates()
        self._locales = {name.split("/", 1)[0].lower(): name.split("/", 1)[0] for name in names if "/" in name}
        self._names = frozenset(names)
        if default_locale.lower() not in self._locales:
            raise ValueError(f"the email templates have no folder for the default locale {default_locale!r}")

    @property
    def locales(self) -> tuple[str, ...]:
        """The locales that have templates, sorted."""
        return tuple(sorted(self._locales.values()))

    def locale_for(self, template: str, locale: str) -> str:
        """The locale ``template`` is rendered in for a recipient of ``locale`` (see the module for the lookup)."""
        for candidate in locale_candidates(locale, self._default_locale):
            folder = self._locales.get(candidate)
            if folder is not None and all(f"{folder}/{template}.{part}" in self._names for part in PARTS):
                return folder
        raise PermanentEmailError(f"the {template} email has no templates, not even in {self._default_locale!r}")

    def render(self, template: str, locale: str, context: Mapping[str, object]) -> RenderedEmail:
        contract = check_render_context(template, context)
        chosen = self.locale_for(template, locale)
        values: dict[str, object] = {
            **context,
            contract.link.name: contract.link.build(self._base_url, context),
            "locale": chosen,
        }
        try:
            subject = " ".join(self._render(f"{chosen}/{template}.subject.txt", values).split())
            values["subject"] = subject
            text = self._render(f"{chosen}/{template}.txt", values).strip() + "\n"
            html = self._render(f"{chosen}/{template}.html", values)
        except UndefinedError as error:
            raise PermanentEmailError(f"the {template} email uses a value its context lacks: {error.message}") from None
        except TemplateNotFound as error:
            raise PermanentEmailError(f"the {template} email needs the missing template {error.name}") from None
        except TemplateError as error:
            raise PermanentEmailError(f"the {template} email cannot be rendered: {error}") from None
        if not subject:
            raise PermanentEmailError(f"the {template} email renders an empty subject in {chosen!r}")
        return RenderedEmail(subject=subject, text=text, html=html)

    def _render(self, name: str, values: Mapping[str, object]) -> str:
        return self._environment.get_template(name).render(values)
