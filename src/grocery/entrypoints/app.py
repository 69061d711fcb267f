"""create_app(settings, adapters): the only place that wires ports to adapters."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from litestar import Litestar, Router, get
from litestar.di import Provide
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin, SwaggerRenderPlugin
from litestar.response import Redirect

from grocery.adapters.blobs import make_blob_store
from grocery.adapters.sql.database import Database
from grocery.config import Settings
from grocery.core.ports import BlobStore, Clock
from grocery.entrypoints.http.health import HealthController
from grocery.entrypoints.http.problems import EXCEPTION_HANDLERS
from grocery.entrypoints.logs import access_log_middleware, configure_logging


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


@dataclass
class Adapters:
    """Everything outside the core that a running shop talks to."""

    database: Database
    blobs: BlobStore
    clock: Clock


def build_adapters(settings: Settings) -> Adapters:
    if settings.database_url is None:
        raise ValueError("settings.database_url must be resolved before building adapters")
    return Adapters(
        database=Database(settings.database_url, pool_size=settings.db_pool_size),
        blobs=make_blob_store(
            settings.storage_url,
            public_base_url=settings.media_base_url,
            presign=settings.storage_presign,
            presign_ttl_seconds=settings.storage_presign_ttl_seconds,
            env=settings.storage_env,
        ),
        clock=SystemClock(),
    )


@get("/docs", include_in_schema=False, sync_to_thread=False)
def docs() -> Redirect:
    return Redirect("/schema/swagger")


def create_app(settings: Settings, adapters: Adapters | None = None) -> Litestar:
    configure_logging(settings)
    wired = adapters or build_adapters(settings)

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await wired.database.dispose()

    dependencies = {
        "settings": Provide(lambda: settings, use_cache=True, sync_to_thread=False),
        "database": Provide(lambda: wired.database, use_cache=True, sync_to_thread=False),
        "blobs": Provide(lambda: wired.blobs, use_cache=True, sync_to_thread=False),
        "clock": Provide(lambda: wired.clock, use_cache=True, sync_to_thread=False),
    }
    api = Router(path="/api", route_handlers=[])
    return Litestar(
        route_handlers=[HealthController, api, docs],
        dependencies=dependencies,
        exception_handlers=dict(EXCEPTION_HANDLERS),
        middleware=[access_log_middleware],
        lifespan=[lifespan],
        request_max_body_size=settings.max_body_bytes,
        openapi_config=OpenAPIConfig(
            title="grocery",
            version="1.0.0",
            description="A grocery store's REST API: catalog, cart, promo codes, checkout, orders, reports.",
            path="/schema",
            render_plugins=[
                SwaggerRenderPlugin(path="/swagger"),
                ScalarRenderPlugin(path="/scalar"),
            ],
        ),
        debug=False,
    )
