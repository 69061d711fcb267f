"""Low-stock alerts in PostgreSQL: at most one open per product, announced once committed."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import structlog
from sqlalchemy import RowMapping, event, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from grocery.adapters.sql.schema.alerts import OPEN, low_stock_alerts
from grocery.adapters.sql.schema.catalog import products
from grocery.core.alerts import (
    STOCK_LOW,
    AlertedProduct,
    AlertStatus,
    AlertView,
    LowStockAlert,
)

log = structlog.get_logger("grocery.alerts")


class SqlLowStockAlertRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._opened: list[tuple[LowStockAlert, str]] = []

    async def open(self, alert: LowStockAlert, product_name: str) -> bool:
        statement = (
            pg_insert(low_stock_alerts)
            .values(
                id=alert.id,
                product_id=alert.product_id,
                stock=alert.stock,
                threshold=alert.threshold,
                created_at=alert.created_at,
            )
            .on_conflict_do_nothing(index_elements=["product_id"], index_where=OPEN)
            .returning(low_stock_alerts.c.id)
        )
        if (await self._session.execute(statement)).first() is None:
            return False
        if not self._opened:
            # Announced only once the transaction holding them commits: a rolled-back
            # checkout's alert never existed.
            session = self._session.sync_session
            event.listen(session, "after_commit", self._announce, once=True)
            event.listen(session, "after_rollback", self._forget, once=True)
        self._opened.append((alert, product_name))
        return True

    async def resolve(self, product_id: UUID, at: datetime) -> bool:
        statement = (
            update(low_stock_alerts)
            .where(low_stock_alerts.c.product_id == product_id, OPEN)
            .values(resolved_at=at)
            .returning(low_stock_alerts.c.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def page(
        self, *, status: AlertStatus | None, before: UUID | None, limit: int
    ) -> list[AlertView]:
        query = (
            select(
                low_stock_alerts,
                products.c.name.label("product_name"),
                products.c.slug.label("product_slug"),
            )
            .join(products, products.c.id == low_stock_alerts.c.product_id)
            .order_by(low_stock_alerts.c.id.desc())
            .limit(limit)
        )
        if status is AlertStatus.OPEN:
            query = query.where(OPEN)
        elif status is AlertStatus.RESOLVED:
            query = query.where(low_stock_alerts.c.resolved_at.isnot(None))
        if before is not None:
            query = query.where(low_stock_alerts.c.id < before)
        return [_alert_view(row) for row in (await self._session.execute(query)).mappings()]

    def _announce(self, _: Any) -> None:
        for alert, product_name in self._opened:
            log.warning(
                STOCK_LOW,
                alert_id=str(alert.id),
                product_id=str(alert.product_id),
                product=product_name,
                stock=alert.stock,
                threshold=alert.threshold,
            )
        self._opened.clear()

    def _forget(self, _: Any) -> None:
        self._opened.clear()


def _alert_view(row: RowMapping) -> AlertView:
    return AlertView(
        alert=LowStockAlert(
            id=row["id"],
            product_id=row["product_id"],
            stock=row["stock"],
            threshold=row["threshold"],
            created_at=row["created_at"],
            resolved_at=row["resolved_at"],
        ),
        product=AlertedProduct(
            id=row["product_id"], name=row["product_name"], slug=row["product_slug"]
        ),
    )
