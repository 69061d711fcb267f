"""Payments in PostgreSQL: the payment on its order's row, refunds beside it."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from sqlalchemy import ColumnElement, and_, delete, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert

from grocery.adapters.sql.database import SessionSql
from grocery.adapters.sql.orders import orders_with_lines, payment_values
from grocery.adapters.sql.schema.orders import FOLLOW_UP, UNAUTHORIZED_SQL, orders
from grocery.adapters.sql.schema.payments import payment_events, refunds
from grocery.adapters.sql.schema.stock import stock_movements
from grocery.core.orders import Order, OrderStatus
from grocery.core.payments import Payment, PaymentStatus, Refund


def _due(now: datetime, unpaid_before: datetime) -> ColumnElement[bool]:
    status, payment = orders.c.status, orders.c.payment_status
    waited = or_(orders.c.payment_retry_at.is_(None), orders.c.payment_retry_at <= now)
    return and_(
        waited,
        or_(
            status == OrderStatus.CANCELLED.value,
            and_(payment.in_(UNAUTHORIZED_SQL), orders.c.created_at < unpaid_before),
            and_(payment == PaymentStatus.AUTHORIZED.value, orders.c.final_total.isnot(None)),
        ),
    )


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

    async def discard(self, order_id: UUID) -> None:
        await self._sql.execute(
            delete(stock_movements).where(stock_movements.c.order_id == order_id)
        )
        # Its lines and order_categories rows go by their foreign keys' cascades.
        await self._sql.execute(delete(orders).where(orders.c.id == order_id))

    async def lock_by_reference(self, reference: str) -> Order | None:
        query = select(orders).where(orders.c.payment_reference == reference).with_for_update()
        found = await orders_with_lines(self._sql, query)
        return found[0] if found else None

    async def needing_follow_up(
        self, *, now: datetime, unpaid_before: datetime, limit: int
    ) -> list[Order]:
        query = (
            select(orders)
            .where(FOLLOW_UP, _due(now, unpaid_before))
            .order_by(orders.c.created_at, orders.c.id)
            .limit(limit)
        )
        return await orders_with_lines(self._sql, query)

    async def first_time(self, event_id: str, at: datetime) -> bool:
        # The primary key makes a concurrent insert of the same id wait, then do nothing.
        statement = (
            pg_insert(payment_events)
            .values(id=event_id, applied_at=at)
            .on_conflict_do_nothing(index_elements=[payment_events.c.id])
            .returning(payment_events.c.id)
        )
        return (await self._sql.execute(statement)).first() is not None
