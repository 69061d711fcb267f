"""Payments in memory: the payment on its order, refunds beside it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import UUID

from grocery.adapters.memory.orders import OrderTables
from grocery.adapters.memory.stock import StockTables
from grocery.core.orders import Order, OrderStatus
from grocery.core.payments import (
    UNAUTHORIZED,
    Payment,
    PaymentProvider,
    PaymentStatus,
    Refund,
)


class MemoryPaymentRepository:
    def __init__(self, tables: OrderTables, stock: StockTables) -> None:
        self._tables = tables
        self._stock = stock

    async def save(self, order_id: UUID, payment: Payment, at: datetime) -> None:
        order = self._tables.orders[order_id]
        self._tables.orders[order_id] = replace(order, payment=payment, updated_at=at)

    async def add_refund(self, refund: Refund) -> None:
        self._tables.refunds.append(refund)

    async def refunds(self, order_id: UUID) -> list[Refund]:
        found = [refund for refund in self._tables.refunds if refund.order_id == order_id]
        return sorted(found, key=lambda refund: refund.id)

    async def discard(self, order_id: UUID) -> None:
        del self._tables.orders[order_id]
        movements = self._stock.movements
        for movement_id in [m.id for m in movements.values() if m.order_id == order_id]:
            del movements[movement_id]

    async def lock_by_reference(self, reference: str) -> Order | None:
        return next(
            (o for o in self._tables.orders.values() if o.payment.reference == reference), None
        )

    async def needing_follow_up(
        self, *, now: datetime, unpaid_before: datetime, limit: int
    ) -> list[Order]:
        due = [o for o in self._tables.orders.values() if _due(o, now, unpaid_before)]
        return sorted(due, key=lambda order: (order.created_at, order.id))[:limit]

    async def first_time(self, event_id: str, at: datetime) -> bool:
        if event_id in self._tables.payment_events:
            return False
        self._tables.payment_events.add(event_id)
        return True


def _due(order: Order, now: datetime, unpaid_before: datetime) -> bool:
    payment = order.payment
    if payment.provider is not PaymentProvider.STRIPE:
        return False
    if payment.retry_at is not None and payment.retry_at > now:
        return False
    if order.status is OrderStatus.CANCELLED:
        return payment.status in UNAUTHORIZED or payment.status in {
            PaymentStatus.AUTHORIZED,
            PaymentStatus.CAPTURED,
            PaymentStatus.PARTIALLY_REFUNDED,
        }
    if payment.status in UNAUTHORIZED:
        return order.created_at < unpaid_before
    return payment.status is PaymentStatus.AUTHORIZED and order.final is not None
