"""Payments in PostgreSQL: the payment on its order's row, refunds beside it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import insert, select, update

from grocery.adapters.sql.database import SessionSql
from grocery.adapters.sql.orders import payment_values
from grocery.adapters.sql.schema.orders import orders
from grocery.adapters.sql.schema.payments import refunds
from grocery.core.payments import Payment, Refund


class SqlPaymentRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def save(self, order_id: UUID, payment: Payment, at: datetime) -> None:
        await self._sql.execute(
            update(orders)
            .where(orders.c.id == order_id)
            .values({**payment_values(payment), "updated_at": at})
        )

    async def add_refund(self, refund: Refund) -> None:
        await self._sql.execute(
            insert(refunds).values(
                id=refund.id,
                order_id=refund.order_id,
                amount=refund.amount,
                reason=refund.reason,
                created_at=refund.created_at,
                by=refund.by,
            )
        )

    async def refunds(self, order_id: UUID) -> list[Refund]:
        rows = await self._sql.execute(
            select(refunds).where(refunds.c.order_id == order_id).order_by(refunds.c.id)
        )
        return [Refund(**row) for row in rows.mappings()]
