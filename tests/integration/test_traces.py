"""OpenTelemetry traces (the SDK's in-memory exporter standing in for the OTLP collector): a
checkout is one trace, its server span named by route and its SQL statements as spans under
it, and the request id in the header and the access log is the trace id."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import structlog
from litestar.testing import AsyncTestClient
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from grocery.config import Settings
from grocery.entrypoints.app import create_app
from grocery.entrypoints.logs import configure_logging
from tests.integration.catalog_shop import Client
from tests.integration.checkout_shop import Shop, checkout
from tests.integration.conftest import SignedInUser, make_settings


@pytest.fixture
async def traced(settings: Settings) -> AsyncIterator[tuple[Client, InMemorySpanExporter]]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    app = create_app(
        make_settings(str(settings.database_url), log_level="INFO"), tracer_provider=provider
    )
    try:
        async with AsyncTestClient(app=app, base_url="http://testserver.local") as client:
            yield client, exporter
    finally:
        configure_logging(settings)  # the other tests' quieter logs


def in_trace(spans: tuple[ReadableSpan, ...], trace_id: int) -> list[ReadableSpan]:
    return [
        span for span in spans if span.context is not None and span.context.trace_id == trace_id
    ]


async def test_a_checkout_is_one_trace_with_its_sql_spans(
    traced: tuple[Client, InMemorySpanExporter], shop: Shop, ann: SignedInUser
) -> None:
    client, exporter = traced
    apples = await shop.product("1.00", stock=5)
    await shop.fill(ann, (apples, 2))

    with structlog.testing.capture_logs() as logs:
        placed = await checkout(client, ann)
    assert placed.status_code == 201, placed.text

    servers = [s for s in exporter.get_finished_spans() if s.name == "POST /api/checkout"]
    assert len(servers) == 1, [s.name for s in exporter.get_finished_spans()]
    server = servers[0]
    assert server.context is not None and server.parent is None
    spans = in_trace(exporter.get_finished_spans(), server.context.trace_id)
    assert [s for s in spans if s.parent is None] == [server]  # one trace, one root
    statements = [
        str(s.attributes.get("db.statement", "")) for s in spans if s.attributes is not None
    ]
    sql = [statement for statement in statements if statement]
    assert len(sql) >= 3, sql
    assert any("INSERT INTO orders" in statement for statement in sql), sql

    trace_id = format(server.context.trace_id, "032x")
    assert placed.headers["x-request-id"] == trace_id
    lines = [line for line in logs if line.get("event") == "request"]
    assert [line["request_id"] for line in lines] == [trace_id]
