"""Email: what a message is, how it is rendered and sent, and the record of each delivery."""

from keel.application.email.context import TEMPLATE_CONTEXTS, Link, TemplateContext, check_render_context
from keel.application.email.deliver import DeliverEmailUseCase
from keel.application.email.delivery import EmailDelivery, EmailDeliveryRepository
from keel.application.email.ports import (
    DeliverEmail,
    DeliveryOutcome,
    DeliveryStatus,
    EmailDeliveryError,
    EmailMessage,
    EmailRenderer,
    EmailRequest,
    EmailSender,
    EmailTemplate,
    PermanentEmailError,
    RenderedEmail,
    SentEmail,
    TransientEmailError,
)

__all__ = [
    "TEMPLATE_CONTEXTS",
    "DeliverEmail",
    "DeliverEmailUseCase",
    "DeliveryOutcome",
    "DeliveryStatus",
    "EmailDelivery",
    "EmailDeliveryError",
    "EmailDeliveryRepository",
    "EmailMessage",
    "EmailRenderer",
    "EmailRequest",
    "EmailSender",
    "EmailTemplate",
    "Link",
    "PermanentEmailError",
    "RenderedEmail",
    "SentEmail",
    "TemplateContext",
    "TransientEmailError",
    "check_render_context",
]
