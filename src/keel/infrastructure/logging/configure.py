"""Configure structlog (and route the standard library's logging through it) once per process."""

from __future__ import annotations

import logging
import sys
from typing import Literal, TextIO

import structlog
from structlog.processors import ExceptionRenderer
from structlog.tracebacks import ExceptionDictTransformer
from structlog.typing import EventDict, Processor

from keel.infrastructure.logging.redaction import redact_secrets
from keel.infrastructure.logging.trace_context import add_trace_context


def configure_logging(
    *,
    level: str,
    log_format: Literal["auto", "json", "console"],
    production: bool,
    service: str,
    trace_context: bool = False,
) -> None:
    """JSON lines for machines (production, or ``log_format=json``), coloured console lines for people.

    The request id and anything else bound with ``structlog.contextvars`` appear in every line, including the lines
    of third-party libraries that log through the standard library. With ``trace_context`` (tracing on), so do the
    active span's ``trace_id`` and ``span_id``.
    """
    use_json = log_format == "json" or (log_format == "auto" and production)
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_service(service),
        redact_secrets,
    ]
    if trace_context:
        shared.insert(1, add_trace_context)
    renderer: Processor
    # Never print frame locals: they hold request headers, passwords and tokens that redaction cannot see.
    if use_json:
        # (structlog's ready-made `dict_tracebacks` shows them.)
        shared.append(ExceptionRenderer(ExceptionDictTransformer(show_locals=False, max_frames=20)))
        renderer = structlog.processors.JSONRenderer()
    else:
        renderer = structlog.dev.ConsoleRenderer(
            colors=sys.stderr.isatty(),
            exception_formatter=structlog.dev.RichTracebackFormatter(show_locals=False, max_frames=20),
        )

    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = _StderrHandler()
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("uvicorn.access",):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True


def _add_service(service: str) -> Processor:
    def add_service(_logger: object, _method: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service", service)
        return event_dict

    return add_service


class _StderrHandler(logging.StreamHandler[TextIO]):
    """Writes to whatever ``sys.stderr`` is at the time of the write (it may be redirected after configuration)."""

    @property
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: TextIO) -> None:
        return None
