"""Payments in memory: the payment on its order, refunds beside it."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from uuid import UUID

from grocery.adapters.memory.orders import OrderTables
from grocery.core.payments import Payment, Refund


class MemoryPaymentRepository:
    def __init__(self, tables: OrderTables) -> None:
        self._tables = tables

    async def save(self, order_id: UUID, payment: Payment, at: datetime) -> None:
        order = self._tables.orders[order_id]
        self._tables.orders[order_id] = replace(order, payment=payment, updated_at=at)

    async def add_refund(self, refund: Refund) -> None:
        self._tables.refunds.append(refund)

    async def refunds(self, order_id: UUID) -> list[Refund]:
        found = [refund for refund in self._tables.refunds if refund.order_id == order_id]
        return sorted(found, key=lambda refund: refund.id)
