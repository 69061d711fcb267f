"""Low-stock alerts and where they are delivered."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol
from uuid import UUID

from grocery.core.alerts import AlertStatus, AlertView, LowStockAlert
from grocery.core.ports.outbox import Outbox
from grocery.core.ports.restock import RestockNotices
from grocery.core.ports.stock import StockLedger
from grocery.core.ports.transaction import Transaction


class LowStockAlertRepository(Protocol):
    async def open(self, alert: LowStockAlert, product_name: str) -> bool:
        """False (and nothing changes) when the product already has an open alert. An opened
        alert is announced (logged as `stock.low`) once the transaction commits."""
        ...

    async def resolve(self, product_id: UUID, at: datetime) -> bool:
        """Resolve the product's open alert; False when there was none."""
        ...

    async def page(
        self, *, status: AlertStatus | None, before: UUID | None, limit: int
    ) -> list[AlertView]:
        """Newest first, older than the given id (keyset), at most `limit`."""
        ...


class StockWatch(Protocol):
    """Where a stock change's ledger lines, alerts and back-in-stock mail are written, in the
    transaction of the change."""

    stock_movements: StockLedger
    low_stock_alerts: LowStockAlertRepository
    restock_notices: RestockNotices
    outbox: Outbox


class AlertWork(Transaction, Protocol):
    """What listing alerts for managers works with."""

    low_stock_alerts: LowStockAlertRepository


class AlertSink(Protocol):
    async def deliver(self, payload: Mapping[str, object], idempotency_key: str) -> None:
        """ServiceUnavailable when the receiver didn't take it (it is tried again later)."""
        ...
