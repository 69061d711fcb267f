"""Low-stock alerts in memory."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from uuid import UUID

from grocery.adapters.memory.catalog import CatalogTables
from grocery.core.alerts import AlertedProduct, AlertStatus, AlertView, LowStockAlert


@dataclass
class AlertTables:
    alerts: dict[UUID, LowStockAlert] = field(default_factory=dict)
    # Alerts announced (logged as stock.low); only a committed unit of work publishes them.
    announced: list[UUID] = field(default_factory=list)


class MemoryLowStockAlertRepository:
    def __init__(self, tables: AlertTables, catalog: CatalogTables) -> None:
        self._tables = tables
        self._products = catalog.products

    async def open(self, alert: LowStockAlert, product_name: str) -> bool:
        if self._open_alert(alert.product_id) is not None:
            return False
        self._tables.alerts[alert.id] = alert
        self._tables.announced.append(alert.id)
        return True

    async def resolve(self, product_id: UUID, at: datetime) -> bool:
        alert = self._open_alert(product_id)
        if alert is None:
            return False
        self._tables.alerts[alert.id] = replace(alert, resolved_at=at)
        return True

    async def page(
        self, *, status: AlertStatus | None, before: UUID | None, limit: int
    ) -> list[AlertView]:
        chosen = [
            alert
            for alert_id, alert in sorted(self._tables.alerts.items(), reverse=True)
            if (before is None or alert_id < before)
            and (status is None or (alert.resolved_at is None) == (status is AlertStatus.OPEN))
        ]
        return [self._view(alert) for alert in chosen[:limit]]

    def _open_alert(self, product_id: UUID) -> LowStockAlert | None:
        return next(
            (
                alert
                for alert in self._tables.alerts.values()
                if alert.product_id == product_id and alert.resolved_at is None
            ),
            None,
        )

    def _view(self, alert: LowStockAlert) -> AlertView:
        product = self._products[alert.product_id]
        return AlertView(
            alert=alert,
            product=AlertedProduct(id=product.id, name=product.name, slug=product.slug),
        )
