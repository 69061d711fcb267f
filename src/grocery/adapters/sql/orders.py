"""Orders, promo redemptions, idempotency keys, low-stock alerts and the outbox in PostgreSQL,
and the conditional stock and sales-counter updates of checkout and cancellation.

Tables as migrations 0005_checkout and 0007_sales_counters create them. Every counter (stock,
units sold, revenue, a promo's uses) moves by an UPDATE relative to itself, never by
reading, changing and writing back.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
import structlog
from advanced_alchemy.base import orm_registry
from sqlalchemy import (
    CTE,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    PrimaryKeyConstraint,
    RowMapping,
    Table,
    Text,
    Uuid,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects.postgresql import JSON, JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from grocery.adapters.sql.carts import promo_codes
from grocery.adapters.sql.catalog import products
from grocery.adapters.sql.database import SessionSql
from grocery.core.alerts import (
    STOCK_LOW,
    AlertedProduct,
    AlertStatus,
    AlertView,
    LowStockAlert,
    OutboxMessage,
    StockMove,
)
from grocery.core.orders import (
    Answer,
    KeptAnswer,
    Order,
    OrderLine,
    OrderMark,
    OrderStatus,
    TakenStock,
)
from grocery.core.pricing import CartLine

metadata = orm_registry.metadata

MONEY = Numeric(12, 2)
STATUSES_SQL = "'placed', 'processing', 'shipped', 'delivered', 'cancelled'"

orders = Table(
    "orders",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=False),
    Column("status", Text, nullable=False),
    Column("subtotal", MONEY, nullable=False),
    Column("discount", MONEY, nullable=False),
    Column("total", MONEY, nullable=False),
    Column("units", Integer, nullable=False),  # its lines' quantities summed, for reports
    Column("promo_code_id", Uuid, ForeignKey("promo_codes.id", ondelete="SET NULL")),
    Column("promo_code", Text),
    Column("currency", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("cancelled_at", DateTime(timezone=True)),
    CheckConstraint(f"status IN ({STATUSES_SQL})", name="status"),
    CheckConstraint("discount >= 0", name="discount_not_negative"),
    CheckConstraint("total >= 0", name="total_not_negative"),
    CheckConstraint("total = subtotal - discount", name="total_adds_up"),
    CheckConstraint("units > 0", name="units_positive"),
    CheckConstraint("(status = 'cancelled') = (cancelled_at IS NOT NULL)", name="cancelled_at"),
)
Index("ix_orders_user_newest", orders.c.user_id, orders.c.created_at.desc(), orders.c.id.desc())
Index("ix_orders_newest", orders.c.created_at.desc(), orders.c.id.desc())
Index(
    "ix_orders_promo_code_id",
    orders.c.promo_code_id,
    postgresql_where=orders.c.promo_code_id.isnot(None),
)

order_lines = Table(
    "order_lines",
    metadata,
    Column("id", Uuid, primary_key=True),
    # Both keys are looked up through the reports' indexes (adapters/sql/reports.py), which
    # lead with them (migration 0009_order_lines_indexes).
    Column("order_id", Uuid, ForeignKey("orders.id", ondelete="CASCADE"), nullable=False),
    Column("product_id", Uuid, ForeignKey("products.id"), nullable=False),
    Column("product_name", Text, nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("price_at_purchase", MONEY, nullable=False),
    Column("discount", MONEY, nullable=False),
    Column("line_total", MONEY, nullable=False),
    CheckConstraint("quantity > 0", name="quantity_positive"),
    CheckConstraint("price_at_purchase >= 0", name="price_at_purchase_not_negative"),
    CheckConstraint("discount >= 0", name="discount_not_negative"),
    CheckConstraint("line_total >= 0", name="line_total_not_negative"),
)

# One row per (order not cancelled, category it bought from): a category's distinct orders,
# which its products' counters can't give. Kept by checkout and cancellation below, and by
# migration 0007_sales_counters' trigger when a product changes category.
order_categories = Table(
    "order_categories",
    metadata,
    Column("order_id", Uuid, ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", Uuid, primary_key=True, index=True),
)

promo_redemptions = Table(
    "promo_redemptions",
    metadata,
    Column(
        "promo_code_id",
        Uuid,
        ForeignKey("promo_codes.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column(
        "user_id",
        Uuid,
        ForeignKey("users.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column(
        "order_id",
        Uuid,
        ForeignKey("orders.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Index("ix_promo_redemptions_promo_code_id_user_id", "promo_code_id", "user_id"),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("user_id", Uuid, ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
    Column("key", Text, nullable=False),
    Column("request_hash", Text, nullable=False),
    Column("response_status", Integer),
    Column("response_body", JSON),  # json keeps the answer's keys in their order
    Column(
        "order_id",
        Uuid,
        ForeignKey("orders.id", ondelete="SET NULL"),
        index=True,
    ),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("user_id", "key"),
    CheckConstraint("(response_status IS NULL) = (response_body IS NULL)", name="answered_whole"),
)

low_stock_alerts = Table(
    "low_stock_alerts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column(
        "product_id",
        Uuid,
        ForeignKey("products.id", ondelete="CASCADE"),
        nullable=False,
        index=True,
    ),
    Column("stock", Integer, nullable=False),
    Column("threshold", Integer, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("resolved_at", DateTime(timezone=True)),
)
OPEN_ALERT_INDEX = "uq_low_stock_alerts_open_product_id"
_OPEN = low_stock_alerts.c.resolved_at.is_(None)
Index(OPEN_ALERT_INDEX, low_stock_alerts.c.product_id, unique=True, postgresql_where=_OPEN)
Index("ix_low_stock_alerts_open_newest", low_stock_alerts.c.id.desc(), postgresql_where=_OPEN)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", Text, nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("idempotency_key", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
    Column("last_error", Text),
    CheckConstraint("attempts >= 0", name="attempts_not_negative"),
)
Index(
    "ix_outbox_due",
    outbox.c.next_attempt_at,
    postgresql_where=outbox.c.delivered_at.is_(None),
)

log = structlog.get_logger("grocery.alerts")


# --- stock --------------------------------------------------------------------


# One statement for every line: the rows are locked in id order first, so two checkouts,
# or a checkout and a cancellation, never wait on each other in a circle; then each sees
# the stock the previous one left, so the shelf can't go below zero. A short product's row
# is locked but not changed. Arrays as InitPlans keep the generic plan (adapters/sql/carts.py,
# _ON_THE_SHELF).
_TAKE = """
    WITH wanted AS (
        SELECT * FROM unnest((SELECT $1::uuid[]), (SELECT $2::int[])) AS wanted (id, quantity)
    ), locked AS MATERIALIZED (
        SELECT p.id FROM wanted JOIN products p USING (id) ORDER BY p.id FOR UPDATE OF p
    )
    UPDATE products p SET stock = p.stock - wanted.quantity
      FROM locked JOIN wanted USING (id)
     WHERE p.id = locked.id AND p.stock >= wanted.quantity AND NOT p.archived
    RETURNING p.id, p.name, p.price, p.category_id, p.stock, p.low_stock_threshold,
              wanted.quantity
"""
# A cancelled order's units back on the shelf, locking as _TAKE does. An ordered product
# is never deleted (only archived), so every one is there.
_PUT_BACK = """
    WITH back AS (
        SELECT * FROM unnest((SELECT $1::uuid[]), (SELECT $2::int[])) AS back (id, quantity)
    ), locked AS MATERIALIZED (
        SELECT p.id FROM back JOIN products p USING (id) ORDER BY p.id FOR UPDATE OF p
    )
    UPDATE products p SET stock = p.stock + back.quantity
      FROM locked JOIN back USING (id)
     WHERE p.id = locked.id
    RETURNING p.id, p.name, p.stock, p.low_stock_threshold, back.quantity
"""


class SqlStockRoom:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def take(self, wanted: Mapping[UUID, int]) -> dict[UUID, TakenStock]:
        rows = await self._sql.fetch(_TAKE, list(wanted), list(wanted.values()))
        return {row["id"]: _taken(row) for row in rows}

    async def put_back(self, quantities: Mapping[UUID, int]) -> list[StockMove]:
        rows = await self._sql.fetch(_PUT_BACK, list(quantities), list(quantities.values()))
        moved = {row["id"]: _move(row, stock_before=row["stock"] - row["quantity"]) for row in rows}
        return [moved[product_id] for product_id in quantities]


def _taken(row: Mapping[str, Any]) -> TakenStock:
    quantity = row["quantity"]
    line = CartLine(
        product_id=row["id"],
        name=row["name"],
        category_id=row["category_id"],
        unit_price=row["price"],
        quantity=quantity,
    )
    return TakenStock(line=line, move=_move(row, stock_before=row["stock"] + quantity))


def _move(row: Mapping[Any, Any], *, stock_before: int) -> StockMove:
    return StockMove(
        product_id=row["id"],
        product_name=row["name"],
        stock_before=stock_before,
        stock_after=row["stock"],
        threshold=row["low_stock_threshold"],
    )


# --- orders -------------------------------------------------------------------


# An order, its lines and its products' sales counters in one statement, however many
# lines (the lines' foreign key is checked at the statement's end, when the order is
# there). The order's categories come from the very rows it counted, which its stock take
# left locked, so no product changes category in between.
_ADD_ORDER = """
    WITH line AS (
        SELECT * FROM unnest((SELECT $13::uuid[]), (SELECT $14::uuid[]), (SELECT $15::text[]),
                             (SELECT $16::int[]), (SELECT $17::numeric[]),
                             (SELECT $18::numeric[]), (SELECT $19::numeric[]))
               AS line (id, product_id, product_name, quantity, price_at_purchase, discount,
                        line_total)
    ), placed AS (
        INSERT INTO orders (id, user_id, status, subtotal, discount, total, promo_code_id,
                            promo_code, currency, created_at, updated_at, cancelled_at, units)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                (SELECT sum(quantity) FROM line))
    ), stored AS (
        INSERT INTO order_lines (id, order_id, product_id, product_name, quantity,
                                 price_at_purchase, discount, line_total)
        SELECT id, $1, product_id, product_name, quantity, price_at_purchase, discount,
               line_total
          FROM line
    ), sold AS (
        SELECT product_id, sum(quantity) AS units, sum(line_total) AS revenue
          FROM line GROUP BY product_id
    ), counted AS (
        UPDATE products p
           SET units_sold = p.units_sold + sold.units,
               revenue_sold = p.revenue_sold + sold.revenue,
               orders_sold = p.orders_sold + 1
          FROM sold WHERE p.id = sold.product_id
        RETURNING p.category_id
    )
    INSERT INTO order_categories (order_id, category_id)
    SELECT DISTINCT $1::uuid, category_id FROM counted
"""


class SqlOrderRepository:
    def __init__(self, session: AsyncSession, sql: SessionSql) -> None:
        self._session = session
        self._sql = sql

    async def add(self, order: Order) -> None:
        lines = order.lines
        await self._sql.execute(
            _ADD_ORDER,
            order.id,
            order.user_id,
            order.status.value,
            order.subtotal,
            order.discount,
            order.total,
            order.promo_code_id,
            order.promo_code,
            order.currency,
            order.created_at,
            order.updated_at,
            order.cancelled_at,
            [line.id for line in lines],
            [line.product_id for line in lines],
            [line.product_name for line in lines],
            [line.quantity for line in lines],
            [line.price_at_purchase for line in lines],
            [line.discount for line in lines],
            [line.line_total for line in lines],
        )

    async def uncount_sold(self, order: Order) -> None:
        sold = _sold_in(order.id)
        uncounted = (
            update(products)
            .where(products.c.id == sold.c.product_id)
            .values(
                units_sold=products.c.units_sold - sold.c.units,
                revenue_sold=products.c.revenue_sold - sold.c.revenue,
                orders_sold=products.c.orders_sold - 1,
            )
            .returning(products.c.id)
            .cte("uncounted")
        )
        # PostgreSQL runs a data-modifying WITH once, whether or not the main statement reads it.
        await self._session.execute(
            delete(order_categories)
            .where(order_categories.c.order_id == order.id)
            .add_cte(uncounted)
        )

    async def get(self, order_id: UUID) -> Order | None:
        found = await self._with_lines(select(orders).where(orders.c.id == order_id))
        return found[0] if found else None

    async def page(
        self, *, customer: UUID | None, after: OrderMark | None, limit: int
    ) -> list[Order]:
        query = select(orders).order_by(orders.c.created_at.desc(), orders.c.id.desc()).limit(limit)
        if customer is not None:
            query = query.where(orders.c.user_id == customer)
        if after is not None:
            query = query.where(tuple_(orders.c.created_at, orders.c.id) < tuple_(*after))
        return await self._with_lines(query)

    async def move(
        self,
        order_id: UUID,
        *,
        to: OrderStatus,
        allowed_from: Collection[OrderStatus],
        at: datetime,
    ) -> bool:
        # Conditional on the status: a concurrent move waits for this one's row lock, then
        # finds the status changed and moves nothing.
        values: dict[str, Any] = {"status": to.value, "updated_at": at}
        if to is OrderStatus.CANCELLED:
            values["cancelled_at"] = at
        statement = (
            update(orders)
            .where(orders.c.id == order_id, orders.c.status.in_([s.value for s in allowed_from]))
            .values(values)
            .returning(orders.c.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def _with_lines(self, query: Any) -> list[Order]:
        """The orders `query` selects, each with its lines (one query for them all)."""
        rows = list((await self._session.execute(query)).mappings())
        lines: dict[UUID, list[OrderLine]] = {row["id"]: [] for row in rows}
        if lines:
            line_query = (
                select(order_lines)
                .where(order_lines.c.order_id.in_(lines))
                .order_by(order_lines.c.order_id, order_lines.c.id)
            )
            for line in (await self._session.execute(line_query)).mappings():
                lines[line["order_id"]].append(_line(line))
        return [_order(row, tuple(lines[row["id"]])) for row in rows]


def _sold_in(order_id: UUID) -> CTE:
    """The order's stored lines, per product: units and revenue."""
    return (
        select(
            order_lines.c.product_id,
            func.sum(order_lines.c.quantity).label("units"),
            func.sum(order_lines.c.line_total).label("revenue"),
        )
        .where(order_lines.c.order_id == order_id)
        .group_by(order_lines.c.product_id)
        .cte("sold")
    )


def _line(row: RowMapping) -> OrderLine:
    return OrderLine(
        id=row["id"],
        product_id=row["product_id"],
        product_name=row["product_name"],
        quantity=row["quantity"],
        price_at_purchase=row["price_at_purchase"],
        discount=row["discount"],
        line_total=row["line_total"],
    )


def _order(row: RowMapping, lines: tuple[OrderLine, ...]) -> Order:
    return Order(
        id=row["id"],
        user_id=row["user_id"],
        status=OrderStatus(row["status"]),
        lines=lines,
        subtotal=row["subtotal"],
        discount=row["discount"],
        total=row["total"],
        promo_code_id=row["promo_code_id"],
        promo_code=row["promo_code"],
        currency=row["currency"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        cancelled_at=row["cancelled_at"],
    )


# --- promo redemptions --------------------------------------------------------


class SqlPromoRedemptionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def claim(self, promo_id: UUID) -> bool:
        statement = (
            update(promo_codes)
            .where(
                promo_codes.c.id == promo_id,
                or_(
                    promo_codes.c.max_uses.is_(None),
                    promo_codes.c.times_used < promo_codes.c.max_uses,
                ),
            )
            .values(times_used=promo_codes.c.times_used + 1)
            .returning(promo_codes.c.id)
        )
        return (await self._session.execute(statement)).first() is not None

    async def record(self, promo_id: UUID, user_id: UUID, order_id: UUID, at: datetime) -> None:
        await self._session.execute(
            insert(promo_redemptions).values(
                promo_code_id=promo_id, user_id=user_id, order_id=order_id, created_at=at
            )
        )

    async def release(self, order_id: UUID) -> bool:
        statement = (
            delete(promo_redemptions)
            .where(promo_redemptions.c.order_id == order_id)
            .returning(promo_redemptions.c.promo_code_id)
        )
        promo_id = (await self._session.execute(statement)).scalar()
        if promo_id is None:
            return False
        await self._session.execute(
            update(promo_codes)
            .where(promo_codes.c.id == promo_id)
            .values(times_used=promo_codes.c.times_used - 1)
        )
        return True


# --- idempotency keys ---------------------------------------------------------


_CLAIM_KEY = """
    INSERT INTO idempotency_keys (user_id, key, request_hash, created_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT DO NOTHING RETURNING key
"""
# The body goes as JSON text (json keeps the answer's keys in their order).
_ANSWER_KEY = """
    UPDATE idempotency_keys SET response_status = $3, response_body = $4::json, order_id = $5
     WHERE user_id = $1 AND key = $2
"""


class SqlIdempotencyKeyRepository:
    def __init__(self, session: AsyncSession, sql: SessionSql) -> None:
        self._session = session
        self._sql = sql

    async def claim(
        self, user_id: UUID, key: str, request_hash: str, at: datetime
    ) -> KeptAnswer | None:
        # The insert waits while a concurrent request holds the same key, then either takes
        # it (that one rolled back) or finds it answered (that one committed).
        if await self._sql.fetchrow(_CLAIM_KEY, user_id, key, request_hash, at) is not None:
            return None
        query = select(
            idempotency_keys.c.request_hash,
            idempotency_keys.c.response_status,
            idempotency_keys.c.response_body,
        ).where(idempotency_keys.c.user_id == user_id, idempotency_keys.c.key == key)
        row = (await self._session.execute(query)).mappings().one()
        answer = (
            None
            if row["response_status"] is None
            else Answer(status=row["response_status"], body=row["response_body"])
        )
        return KeptAnswer(request_hash=row["request_hash"], answer=answer)

    async def answer(self, user_id: UUID, key: str, answer: Answer, order_id: UUID) -> None:
        body = msgspec.json.encode(answer.body).decode()
        await self._sql.execute(_ANSWER_KEY, user_id, key, answer.status, body, order_id)


# --- low-stock alerts ---------------------------------------------------------


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
            .on_conflict_do_nothing(index_elements=["product_id"], index_where=_OPEN)
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
            .where(low_stock_alerts.c.product_id == product_id, _OPEN)
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
            query = query.where(_OPEN)
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


# --- the outbox ---------------------------------------------------------------

_LAST_ERROR_MAX_LENGTH = 1000


class SqlOutbox:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(self, message: OutboxMessage) -> None:
        await self._session.execute(
            insert(outbox).values(
                id=message.id,
                kind=message.kind,
                payload=dict(message.payload),
                idempotency_key=message.idempotency_key,
                created_at=message.created_at,
                attempts=message.attempts,
                next_attempt_at=message.next_attempt_at,
            )
        )

    async def claim_due(self, now: datetime, limit: int) -> list[OutboxMessage]:
        query = (
            select(outbox)
            .where(outbox.c.delivered_at.is_(None), outbox.c.next_attempt_at <= now)
            .order_by(outbox.c.next_attempt_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return [
            OutboxMessage(
                id=row["id"],
                kind=row["kind"],
                payload=row["payload"],
                idempotency_key=row["idempotency_key"],
                created_at=row["created_at"],
                next_attempt_at=row["next_attempt_at"],
                attempts=row["attempts"],
            )
            for row in (await self._session.execute(query)).mappings()
        ]

    async def delivered(self, message_id: UUID, at: datetime) -> None:
        await self._session.execute(
            update(outbox)
            .where(outbox.c.id == message_id)
            .values(delivered_at=at, attempts=outbox.c.attempts + 1, last_error=None)
        )

    async def retry_later(self, message_id: UUID, *, at: datetime, error: str) -> None:
        await self._session.execute(
            update(outbox)
            .where(outbox.c.id == message_id)
            .values(
                attempts=outbox.c.attempts + 1,
                next_attempt_at=at,
                last_error=error[:_LAST_ERROR_MAX_LENGTH],
            )
        )
