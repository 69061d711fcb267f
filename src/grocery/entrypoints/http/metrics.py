"""GET /metrics for Prometheus, the per-request counting, and the pools' sampler."""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from typing import TYPE_CHECKING, Any

import structlog
from litestar import Request, Response, get
from litestar.enums import ScopeType

from grocery.adapters.sql.database import Database
from grocery.adapters.sql.outbox import outbox_backlog
from grocery.core.errors import NotAuthenticated, NotFound, ServiceUnavailable
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.guards import PUBLIC
from grocery.entrypoints.metrics import UNMATCHED, OutboxBacklog, ShopMetrics

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

log = structlog.get_logger("grocery.metrics")
SAMPLE_POOLS_EVERY = 1.0  # seconds
# The text format every Prometheus reads (Litestar adds the charset to text/ types).
EXPOSITION = "text/plain; version=0.0.4"


class MetricsAccess:
    """Whether /metrics is served, and the bearer token it asks for (none: open)."""

    def __init__(self, metrics: ShopMetrics | None, token: str | None) -> None:
        self.metrics = metrics
        self.token = token

    def check(self, request: Request[Any, Any, Any]) -> ShopMetrics:
        if self.metrics is None:
            raise NotFound("Metrics are off (GROCERY_METRICS).")
        if self.token is not None:
            given = request.headers.get("authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode()):
                raise NotAuthenticated("GET /metrics needs the metrics bearer token.")
        return self.metrics


@get("/metrics", opt=PUBLIC, include_in_schema=False, tags=["operations"])
async def serve_metrics(
    request: Request[Any, Any, Any],
    metrics_access: Injected[MetricsAccess],
    database: Injected[Database],
) -> Response[bytes]:
    """Every worker's figures in the Prometheus text format, and the outbox's backlog."""
    metrics = metrics_access.check(request)
    collected_now = []
    try:
        collected_now.append(OutboxBacklog(*await outbox_backlog(database)))
    except ServiceUnavailable:
        log.warning("metrics_without_outbox", reason="database unavailable")
    body = metrics.exposition(*collected_now)
    return Response(body, media_type=EXPOSITION)


def metrics_middleware(app: ASGIApp, metrics: ShopMetrics) -> ASGIApp:
    """Count each request by its route template (never its path) and status, and time it."""

    async def measured(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await app(scope, receive, send_status)
        finally:
            route = scope.get("path_template") or UNMATCHED
            metrics.request(scope["method"], route, status, time.perf_counter() - started)

    return measured


@asynccontextmanager
async def pools_sampled(metrics: ShopMetrics, database: Database) -> AsyncIterator[None]:
    """Write this worker's connections in use every second (the scrape adds the workers')."""

    async def sample() -> None:
        while True:
            for pool, count in database.connections_in_use().items():
                metrics.connections_in_use(pool, count)
            await asyncio.sleep(SAMPLE_POOLS_EVERY)

    task = asyncio.create_task(sample())
    try:
        yield
    finally:
        task.cancel()
        with suppress(asyncio.CancelledError):
            await task
