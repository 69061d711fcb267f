"""Low-stock alerts in PostgreSQL: at most one open per product, announced once committed."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from uuid import UUID

import structlog
from sqlalchemy import RowMapping, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from grocery.adapters.sql.database import SessionSql
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
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

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
        if (await self._sql.execute(statement)).first() is None:
            return False
        # Announced only once the transaction holding it commits: a rolled-back checkout's
        # alert never existed.
        self._sql.after_commit(partial(_announce, alert, product_name))
        return True

    async def resolve(self, product_id: UUID, at: datetime) -> bool:
        statement = (
            update(low_stock_alerts)
            .where(low_stock_alerts.c.product_id == product_id, OPEN)
            .values(resolved_at=at)
            .returning(low_stock_alerts.c.id)
        )
        return (await self._sql.execute(statement)).first() is not None

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
        return [_alert_view(row) for row in (await self._sql.execute(query)).mappings()]


def _announce(alert: LowStockAlert, product_name: str) -> None:
    log.warning(
        STOCK_LOW,
        alert_id=str(alert.id),
        product_id=str(alert.product_id),
        product=product_name,
        stock=alert.stock,
        threshold=alert.threshold,
    )


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
