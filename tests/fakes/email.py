"""Fakes of the email ports: a renderer that shows what it was given, a sender that fails as scripted."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from keel.application.email import (
    EmailDeliveryError,
    EmailMessage,
    RenderedEmail,
    SentEmail,
    check_render_context,
)


@dataclass(frozen=True)
class RenderCall:
    template: str
    locale: str
    context: dict[str, object]


class RecordingEmailRenderer:
    """Holds the real renderer's contract (``check_render_context``) and renders the context as plain lines."""

    def __init__(self) -> None:
        self.calls: list[RenderCall] = []

    def render(self, template: str, locale: str, context: Mapping[str, object]) -> RenderedEmail:
        check_render_context(template, context)
        self.calls.append(RenderCall(template, locale, dict(context)))
        lines = "\n".join(f"{key}={value}" for key, value in sorted(context.items()))
        return RenderedEmail(subject=f"{template} ({locale})", text=lines, html=f"<pre>{lines}</pre>")


class ScriptedEmailSender:
    """Raises the errors given to ``fail_next``, one per call, then accepts messages into ``sent``.

    ``during_send`` runs inside each call before it answers (e.g. to look at the stored record mid-send).
    """

    def __init__(self, during_send: Callable[[EmailMessage], None] | None = None) -> None:
        self.sent: list[EmailMessage] = []
        self.calls = 0
        self._failures: deque[EmailDeliveryError] = deque()
        self._during_send = during_send

    def fail_next(self, *errors: EmailDeliveryError) -> None:
        self._failures.extend(errors)

    async def send(self, message: EmailMessage) -> SentEmail:
        self.calls += 1
        if self._during_send is not None:
            self._during_send(message)
        if self._failures:
            raise self._failures.popleft()
        self.sent.append(message)
        return SentEmail(provider_message_id=f"<{message.message_id}@fake.example>")
