"""OpenTelemetry traces, on when OTEL_EXPORTER_OTLP_ENDPOINT is set: one server span per
request (Litestar's OpenTelemetry plugin), named by its route template, with a span for each
SQL statement (SQLAlchemy's and asyncpg's instrumentation) under it. The request's id in
the logs and the X-Request-ID header is its trace id, so a log line leads to its trace.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog
from litestar import Request
from litestar.plugins.opentelemetry import OpenTelemetryConfig, OpenTelemetryPlugin
from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, get_current_span

from grocery.adapters.sql.database import Database
from grocery.entrypoints.logs import REQUEST_ID


def otlp_provider(endpoint: str) -> TracerProvider:
    """Spans batched to an OTLP/HTTP collector (OTEL_SERVICE_NAME names the service)."""
    service = os.environ.get("OTEL_SERVICE_NAME") or "grocery"
    provider = TracerProvider(resource=Resource.create({"service.name": service}))
    exporter = OTLPSpanExporter(endpoint=f"{endpoint.rstrip('/')}/v1/traces")
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


class Tracing:
    """What create_app wires when traces are on, all sending to one provider."""

    def __init__(self, provider: TracerProvider) -> None:
        self.provider = provider

    def plugin(self) -> OpenTelemetryPlugin:
        return OpenTelemetryPlugin(
            OpenTelemetryConfig(
                tracer_provider=self.provider,
                server_request_hook_handler=_request_id_is_the_trace_id,
                exclude_spans=["receive", "send"],  # one span per request, not per message
            )
        )

    @staticmethod
    async def name_span_by_route(request: Request[Any, Any, Any]) -> None:
        """Once routed: the request's span is named by its route template, not its path."""
        template = request.scope.get("path_template")
        if template:
            span = get_current_span()
            span.update_name(f"{request.method} {template}")
            span.set_attribute("http.route", template)

    @contextmanager
    def sql(self, databases: list[Database]) -> Iterator[None]:
        """A span for each statement while the app runs (asyncpg's instrumentation patches
        the driver for the whole process, so it is undone when the app stops)."""
        engines = {id(d.engine): d.engine.sync_engine for d in databases}
        instrumented = SQLAlchemyInstrumentor()
        instrumented.instrument(engines=list(engines.values()), tracer_provider=self.provider)
        AsyncPGInstrumentor().instrument(tracer_provider=self.provider)  # type: ignore[no-untyped-call]
        try:
            yield
        finally:
            AsyncPGInstrumentor().uninstrument()  # type: ignore[no-untyped-call]
            instrumented.uninstrument()
            self.provider.shutdown()


def _request_id_is_the_trace_id(span: Span, scope: dict[str, Any]) -> None:
    context = span.get_span_context()
    if not context.is_valid:
        return
    trace_id = format(context.trace_id, "032x")
    holder: list[str] | None = scope.get(REQUEST_ID)
    if holder is not None:
        holder[0] = trace_id
    structlog.contextvars.bind_contextvars(request_id=trace_id)
