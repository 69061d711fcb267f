"""Low-stock alerts over HTTP, for managers."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec
from litestar import Controller, get
from litestar.params import FromQuery

from grocery.core.alerts import AlertStatus, AlertView
from grocery.core.services.alerts import AlertService
from grocery.entrypoints.http.deps import Injected
from grocery.entrypoints.http.guards import manager
from grocery.entrypoints.http.pages import DEFAULT_LIMIT, Limit, id_cursor, read_id_cursor


class AlertedProductOut(msgspec.Struct):
    id: UUID
    name: str
    slug: str


class LowStockAlertOut(msgspec.Struct):
    id: UUID
    product: AlertedProductOut
    stock: int  # when the alert opened
    threshold: int
    created_at: datetime
    resolved_at: datetime | None

    @classmethod
    def of(cls, view: AlertView) -> LowStockAlertOut:
        alert, product = view.alert, view.product
        return cls(
            id=alert.id,
            product=AlertedProductOut(id=product.id, name=product.name, slug=product.slug),
            stock=alert.stock,
            threshold=alert.threshold,
            created_at=alert.created_at,
            resolved_at=alert.resolved_at,
        )


class LowStockAlertListOut(msgspec.Struct):
    items: list[LowStockAlertOut]
    next_cursor: str | None


class AlertController(Controller):
    path = "/alerts"
    tags = ("alerts",)
    guards = (manager,)

    @get("/low-stock")
    async def low_stock(
        self,
        alerts: Injected[AlertService],
        status: FromQuery[AlertStatus | None] = None,
        limit: Limit = DEFAULT_LIMIT,
        cursor: FromQuery[str | None] = None,
    ) -> LowStockAlertListOut:
        """Newest first; `status=open` or `resolved` to see only those."""
        page = await alerts.page(status=status, before=read_id_cursor(cursor), limit=limit)
        return LowStockAlertListOut(
            items=[LowStockAlertOut.of(view) for view in page.alerts],
            next_cursor=id_cursor(page.last_id),
        )
