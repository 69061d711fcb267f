"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from litestar import Controller, get

from grocery.adapters.sql.database import Database
from grocery.core.errors import ServiceUnavailable
from grocery.core.ports.blobs import BlobStore
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.guards import PUBLIC


class HealthController(Controller):
    path = "/health"
    tags = ("operations",)
    opt = PUBLIC
    include_in_schema = True

    @get("/live", sync_to_thread=False)
    def live(self) -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @get("/ready")
    async def ready(
        self, database: Injected[Database], blobs: Injected[BlobStore]
    ) -> dict[str, str]:
        """PostgreSQL and storage answer; 503 `service_unavailable` otherwise."""
        await database.ping()
        try:
            await blobs.ping()
        except ServiceUnavailable:
            raise ServiceUnavailable("Storage is unavailable; try again shortly.") from None
        return {"status": "ok", "database": "ok", "storage": "ok"}


__all__ = ["HealthController"]
