"""Low-stock alerts: when a stock change opens or resolves one, and the webhook's news of it.

An alert opens when a product's stock goes from at or above its threshold to below it,
and resolves when it comes back. Each opening is also an outbox message, delivered to
the shop's webhook at least once (the alert id is its idempotency key).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from uuid import UUID

from grocery.core.catalog import Product, StockCrossing, crossing
from grocery.core.ids import new_id
from grocery.core.outbox import OutboxMessage

STOCK_LOW = "stock.low"


@dataclass(frozen=True, kw_only=True, slots=True)
class StockMove:
    """A product's stock before and after one change, with its threshold."""

    product_id: UUID
    product_name: str
    stock_before: int
    stock_after: int
    threshold: int
    threshold_before: int | None = None  # set when a manager's edit changed the threshold too

    @classmethod
    def edited(cls, before: Product, after: Product) -> StockMove:
        """A manager's edit of the product, which may change its stock and its threshold."""
        return cls(
            product_id=after.id,
            product_name=after.name,
            stock_before=before.stock,
            stock_after=after.stock,
            threshold=after.low_stock_threshold,
            threshold_before=before.low_stock_threshold,
        )

    @property
    def crossing(self) -> StockCrossing | None:
        # Each side is measured against its own threshold, so an edit that raises the
        # threshold above the stock opens an alert as a sale below it would.
        before = self.threshold if self.threshold_before is None else self.threshold_before
        return crossing(self.stock_before - before, self.stock_after - self.threshold, 0)


class AlertStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


@dataclass(frozen=True, kw_only=True, slots=True)
class LowStockAlert:
    id: UUID
    product_id: UUID
    stock: int  # when it opened
    threshold: int
    created_at: datetime
    resolved_at: datetime | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class AlertedProduct:
    id: UUID
    name: str
    slug: str


@dataclass(frozen=True, kw_only=True, slots=True)
class AlertView:
    """An alert as managers list it, with its product."""

    alert: LowStockAlert
    product: AlertedProduct


def alert_for(move: StockMove, now: datetime) -> LowStockAlert:
    return LowStockAlert(
        id=new_id(),
        product_id=move.product_id,
        stock=move.stock_after,
        threshold=move.threshold,
        created_at=now,
    )


# --- the webhook's news -------------------------------------------------------


def stock_low_message(alert: LowStockAlert, product_name: str) -> OutboxMessage:
    """The webhook's news of an opened alert; the alert id keys it, so a redelivery is known."""
    payload = {
        "event": STOCK_LOW,
        "alert_id": str(alert.id),
        "product": {"id": str(alert.product_id), "name": product_name},
        "stock": alert.stock,
        "threshold": alert.threshold,
        "created_at": alert.created_at.isoformat(),
    }
    return OutboxMessage(
        id=new_id(),
        kind=STOCK_LOW,
        payload=payload,
        idempotency_key=str(alert.id),
        created_at=alert.created_at,
        next_attempt_at=alert.created_at,
    )
