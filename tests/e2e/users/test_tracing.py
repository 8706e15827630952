"""With an OTLP endpoint configured, a request is traced — server span named after its route, SQL spans below it —
its log lines carry the trace id, and the outbox row it writes carries its W3C trace context.

Spans go to the SDK's in-memory exporter: the container's ``span_processor`` is overridden, nothing leaves the test.
"""

from __future__ import annotations

import json

import httpx
import pytest
from dependency_injector import providers
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from welcome_support import outbox_rows

from keel.container import Container, build_container
from keel.settings import CacheMode, Settings
from support.api import SignUp

pytestmark = pytest.mark.e2e


def traced(settings: Settings) -> Settings:
    """``settings`` with tracing on, JSON logs at INFO, and an N+1 threshold every write crosses (a log line)."""
    observability = settings.observability.model_copy(
        update={
            "otlp_endpoint": "http://127.0.0.1:4318",
            "log_format": "json",
            "log_level": "INFO",
            "n_plus_one_threshold": 1,
        }
    )
    return settings.model_copy(update={"observability": observability})


@pytest.fixture
def settings(settings: Settings) -> Settings:
    plain_sql = settings.cache.model_copy(update={"mode": CacheMode.OFF})  # every read reaches PostgreSQL
    return traced(settings.model_copy(update={"cache": plain_sql}))


@pytest.fixture
def exporter() -> InMemorySpanExporter:
    return InMemorySpanExporter()


@pytest.fixture
def container(settings: Settings, exporter: InMemorySpanExporter) -> Container:
    container = build_container(settings)
    container.span_processor.override(providers.Object(SimpleSpanProcessor(exporter)))
    return container


def trace_of(spans: tuple[ReadableSpan, ...], name: str) -> tuple[ReadableSpan, list[ReadableSpan]]:
    """The span named ``name`` and every span of its trace."""
    [root] = [span for span in spans if span.name == name]
    assert root.context is not None
    return root, [span for span in spans if span.context is not None and span.context.trace_id == root.context.trace_id]


async def test_a_request_has_a_server_span_and_sql_spans_in_one_trace(
    client: httpx.AsyncClient, sign_up: SignUp, exporter: InMemorySpanExporter
) -> None:
    owner = await sign_up()
    exporter.clear()
    response = await client.get(f"/api/v1/users/{owner.id}", headers=owner.headers)
    assert response.status_code == 200

    server, trace = trace_of(exporter.get_finished_spans(), "GET /api/v1/users/{user_id}")
    assert server.kind is SpanKind.SERVER
    assert server.parent is None
    assert server.attributes is not None
    assert server.attributes["http.route"] == "/api/v1/users/{user_id}"
    sql = [span for span in trace if span.attributes and span.attributes.get("db.system") == "postgresql"]
    assert sql, [span.name for span in trace]
    assert all(span.kind is SpanKind.CLIENT for span in sql)
    assert any("SELECT" in (span.attributes or {}).get("db.statement", "") for span in sql)


async def test_probes_and_scrapes_are_not_traced(client: httpx.AsyncClient, exporter: InMemorySpanExporter) -> None:
    for path in ("/health/live", "/metrics", "/health/live"):
        assert (await client.get(path)).status_code == 200
    assert [span.name for span in exporter.get_finished_spans() if span.kind is SpanKind.SERVER] == []
    assert (await client.get("/api/v1/meta/nothing-here")).status_code == 404
    assert [span.name for span in exporter.get_finished_spans() if span.kind is SpanKind.SERVER] == ["GET unmatched"]


async def test_log_lines_of_a_request_carry_its_trace_id(
    client: httpx.AsyncClient, sign_up: SignUp, exporter: InMemorySpanExporter, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    await sign_up()  # creating a tenant issues several statements: over the threshold of 1, a warning line
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    [warning] = [line for line in lines if line["event"] == "db.n_plus_one" and line["route"] == "/api/v1/tenants"]
    server, trace = trace_of(exporter.get_finished_spans(), "POST /api/v1/tenants")
    assert server.context is not None
    assert warning["trace_id"] == format(server.context.trace_id, "032x")
    assert warning["span_id"] in {format(span.context.span_id, "016x") for span in trace if span.context}


async def test_the_outbox_row_written_by_a_request_carries_its_trace_context(
    client: httpx.AsyncClient, sign_up: SignUp, exporter: InMemorySpanExporter, settings: Settings
) -> None:
    await sign_up()  # the owner's welcome email is an outbox row
    server, _ = trace_of(exporter.get_finished_spans(), "POST /api/v1/tenants")
    assert server.context is not None
    [row] = await outbox_rows(settings.database.url)
    traceparent = row["payload"]["trace_context"]["traceparent"]
    version, trace_id, _span_id, _flags = traceparent.split("-")
    assert (version, trace_id) == ("00", format(server.context.trace_id, "032x"))


class TestWithTracingOff:
    @pytest.fixture
    def settings(self, settings: Settings) -> Settings:
        observability = settings.observability.model_copy(update={"otlp_endpoint": None})
        return settings.model_copy(update={"observability": observability})

    async def test_nothing_is_traced_and_no_trace_context_is_stored(
        self, client: httpx.AsyncClient, sign_up: SignUp, exporter: InMemorySpanExporter, settings: Settings
    ) -> None:
        owner = await sign_up()
        assert (await client.get(f"/api/v1/users/{owner.id}", headers=owner.headers)).status_code == 200
        assert exporter.get_finished_spans() == ()
        [row] = await outbox_rows(settings.database.url)
        assert "trace_context" not in row["payload"]
