"""W3C trace context carried through the outbox: written with the row in the request, used to start the workflow.

The carrier is a small dict (``{"traceparent": "00-<trace id>-<span id>-01"}``, plus ``tracestate`` when there is
one), stored in the outbox payload under ``trace_context``. With no active span (tracing off, or outside a request)
it is empty and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Final

from opentelemetry import context, propagate

TRACE_CONTEXT_KEY: Final = "trace_context"


def current_trace_context() -> dict[str, str]:
    """The active span's context as W3C headers; empty when no span is active."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


@contextmanager
def carried_trace_context(payload: Mapping[str, Any]) -> Iterator[None]:
    """Make the trace context stored in ``payload`` (if any) the current one inside the block."""
    carrier = payload.get(TRACE_CONTEXT_KEY)
    if not isinstance(carrier, dict) or not carrier:
        yield
        return
    token = context.attach(propagate.extract({str(k): str(v) for k, v in carrier.items()}))
    try:
        yield
    finally:
        context.detach(token)
