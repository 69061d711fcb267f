"""Orders in PostgreSQL, with the sales counters checkout and cancellation keep.

A line's substitute is a row of its own (schema/orders.py); reading an order puts it back
on its line's pick.

Every counter (units sold, revenue, orders) moves by an UPDATE relative to itself, never by
reading, changing and writing back.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import CTE, RowMapping, delete, func, select, tuple_, update

from grocery.adapters.sql.database import SessionSql
from grocery.adapters.sql.order_fulfilment import (
    count_slot_day,
    fulfilment_values,
    order_fulfilment,
)
from grocery.adapters.sql.schema.catalog import products
from grocery.adapters.sql.schema.orders import order_categories, order_lines, orders
from grocery.core.final_bill import BilledLine, FinalBill
from grocery.core.orders import Order, OrderLine, OrderMark, OrderStatus, SlotTally
from grocery.core.payments import MANUAL_PAYMENT, Payment, PaymentProvider, PaymentStatus
from grocery.core.picking import Pick, SubstitutePick
from grocery.core.substitutions import Substitution, SubstitutionChoice
from grocery.core.taxes import TaxRate
from grocery.core.weights import Weighing

# An order, its lines, its products' sales counters and the reports' rollups (migrations
# 0024_sales_days: its products' day, its own day's stripe; 0027_category_sales: its
# categories' day and month stripes, whose orders order_categories' trigger then counts;
# 0030_recent_sales: its products' last 30 days, when they are kept and its day is in) in
# one statement, however many lines (the lines' foreign key is checked at the statement's
# end, when the order is there). The order's categories come from the very rows it counted,
# which its stock take left locked, so no product changes category in between. The WITH
# part is ORDER_WITH: checkout's placement (adapters/sql/placements.py) adds its own to it.
ORDER_WITH = """
    WITH line AS (
        SELECT * FROM unnest((SELECT $13::uuid[]), (SELECT $14::uuid[]), (SELECT $15::text[]),
                             (SELECT $16::int[]), (SELECT $17::numeric[]),
                             (SELECT $18::numeric[]), (SELECT $19::numeric[]),
                             (SELECT $20::uuid[]), (SELECT $21::numeric[]),
                             (SELECT $22::numeric[]), (SELECT $23::text[]),
                             (SELECT $24::uuid[]), (SELECT $27::numeric[]),
                             (SELECT $28::text[]), (SELECT $29::numeric[]))
               AS line (id, product_id, product_name, quantity, price_at_purchase, discount,
                        line_total, category_id, step_kg, price_per_kg, substitution,
                        preferred_substitute_id, tax, tax_class, tax_rate)
    ), placed AS (
        INSERT INTO orders (id, user_id, status, subtotal, discount, total, promo_code_id,
                            promo_code, currency, created_at, updated_at, cancelled_at, units,
                            tax, prices_include_tax, delivery_fee, fulfilment_method, slot_id,
                            slot_starts_at, slot_ends_at, delivery_address, pickup_point_id,
                            pickup_point_name)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                (SELECT sum(quantity) FROM line), $25, $26,
                $30, $31, $32, $33, $34, $35::jsonb, $36, $37)
    ), stored AS (
        INSERT INTO order_lines (id, order_id, product_id, product_name, quantity,
                                 price_at_purchase, discount, line_total, category_id, step_kg,
                                 price_per_kg, substitution, preferred_substitute_id,
                                 sold_units, sold_revenue, tax, tax_class, tax_rate)
        SELECT id, $1, product_id, product_name, quantity, price_at_purchase, discount,
               line_total, category_id, step_kg, price_per_kg, substitution,
               preferred_substitute_id, quantity, line_total, tax, tax_class, tax_rate
          FROM line
    ), today AS (
        SELECT ($10::timestamptz AT TIME ZONE zone)::date AS day,
               (($10::timestamptz AT TIME ZONE zone)::date >= recent_from IS TRUE)::int AS recent
          FROM sales_zone
    ), sold AS (
        SELECT product_id, sum(quantity) AS units, sum(line_total) AS revenue, sum(tax) AS tax,
               coalesce((SELECT recent FROM today), 0) AS recent
          FROM line GROUP BY product_id
    ), counted AS (
        UPDATE products p
           SET units_sold = p.units_sold + sold.units,
               revenue_sold = p.revenue_sold + sold.revenue,
               orders_sold = p.orders_sold + 1,
               tax_sold = p.tax_sold + sold.tax,
               recent_units = p.recent_units + sold.recent * sold.units,
               recent_orders = p.recent_orders + sold.recent
          FROM sold WHERE p.id = sold.product_id
        RETURNING p.category_id, sold.units, sold.revenue, sold.tax
    ), bought AS (
        SELECT category_id, sum(units) AS units, sum(revenue) AS revenue, sum(tax) AS tax
          FROM counted GROUP BY category_id
    ), product_day AS (
        INSERT INTO product_sales_days AS d (product_id, day, units, revenue, tax, orders)
        SELECT product_id, today.day, units, revenue, tax, 1
          FROM sold CROSS JOIN today ORDER BY product_id
        ON CONFLICT (product_id, day) DO UPDATE
           SET units = d.units + excluded.units, revenue = d.revenue + excluded.revenue,
               tax = d.tax + excluded.tax, orders = d.orders + 1
    ), order_day AS (
        INSERT INTO order_sales_days AS d (day, stripe, orders, units, revenue, tax)
        SELECT today.day, hashtext($1::uuid::text) & 31, 1, (SELECT sum(quantity) FROM line),
               $6 - $30, $25
          FROM today
        ON CONFLICT (day, stripe) DO UPDATE
           SET orders = d.orders + 1, units = d.units + excluded.units,
               revenue = d.revenue + excluded.revenue, tax = d.tax + excluded.tax
    ), category_day AS (
        INSERT INTO category_sales_days AS d (day, category_id, stripe, units, revenue, tax)
        SELECT today.day, category_id, hashtext($1::uuid::text) & 7, units, revenue, tax
          FROM bought CROSS JOIN today ORDER BY category_id
        ON CONFLICT (day, category_id, stripe) DO UPDATE
           SET units = d.units + excluded.units, revenue = d.revenue + excluded.revenue,
               tax = d.tax + excluded.tax
    ), category_month AS (
        INSERT INTO category_sales_months AS d (month, category_id, stripe, units, revenue, tax)
        SELECT date_trunc('month', today.day)::date, category_id, hashtext($1::uuid::text) & 7,
               units, revenue, tax
          FROM bought CROSS JOIN today ORDER BY category_id
        ON CONFLICT (month, category_id, stripe) DO UPDATE
           SET units = d.units + excluded.units, revenue = d.revenue + excluded.revenue,
               tax = d.tax + excluded.tax
    )"""
ORDER_CATEGORIES = """
    INSERT INTO order_categories (order_id, category_id)
    SELECT $1::uuid, category_id FROM bought
"""
_ADD_ORDER = ORDER_WITH + ORDER_CATEGORIES


class SqlOrderRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def add(self, order: Order) -> None:
        await self._sql.execute_sql(_ADD_ORDER, *order_arguments(order))
        await store_payment(self._sql, order)

    async def uncount_sold(self, order: Order) -> None:
        # The rollups first, read from the order as it still counts (migration 0024).
        await count_sales(self._sql, order.id, -1)
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
        await self._sql.execute(
            delete(order_categories)
            .where(order_categories.c.order_id == order.id)
            .add_cte(uncounted)
        )

    async def get(self, order_id: UUID) -> Order | None:
        found = await self._with_lines(select(orders).where(orders.c.id == order_id))
        return found[0] if found else None

    async def page(
        self,
        *,
        customer: UUID | None,
        status: OrderStatus | None,
        after: OrderMark | None,
        limit: int,
    ) -> list[Order]:
        query = select(orders).order_by(orders.c.created_at.desc(), orders.c.id.desc()).limit(limit)
        if customer is not None:
            query = query.where(orders.c.user_id == customer)
        if status is not None:
            query = query.where(orders.c.status == status.value)
        if after is not None:
            query = query.where(tuple_(orders.c.created_at, orders.c.id) < tuple_(*after))
        return await self._with_lines(query)

    async def of_slot_day(
        self,
        *,
        starts_from: datetime,
        starts_before: datetime,
        status: OrderStatus | None,
        after: OrderMark | None,
        limit: int,
    ) -> list[Order]:
        start = orders.c.slot_starts_at
        query = (
            select(orders)
            .where(start >= starts_from, start < starts_before)
            .order_by(start, orders.c.id)
            .limit(limit)
        )
        if status is not None:
            query = query.where(orders.c.status == status.value)
        if after is not None:
            query = query.where(tuple_(start, orders.c.id) > tuple_(*after))
        return await self._with_lines(query)

    async def count_slot_day(
        self, *, starts_from: datetime, starts_before: datetime
    ) -> list[SlotTally]:
        return await count_slot_day(self._sql, starts_from, starts_before)

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
        return (await self._sql.execute(statement)).first() is not None

    async def _with_lines(self, query: Any) -> list[Order]:
        return await orders_with_lines(self._sql, query)


def order_arguments(order: Order) -> list[Any]:
    """$1 to $37 of ORDER_WITH."""
    lines = order.lines
    return [
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
        [line.category_id for line in lines],
        [None if line.weighing is None else line.weighing.step_kg for line in lines],
        [None if line.weighing is None else line.weighing.price_per_kg for line in lines],
        [line.choice.substitution.value for line in lines],
        [line.choice.preferred_substitute_id for line in lines],
        order.tax,
        order.prices_include_tax,
        [line.tax for line in lines],
        [None if line.taxed_by is None else line.taxed_by.tax_class for line in lines],
        [None if line.taxed_by is None else line.taxed_by.rate for line in lines],
        order.delivery_fee,
        *fulfilment_values(order.fulfilment),
    ]


async def store_payment(sql: SessionSql, order: Order) -> None:
    """The payment columns' defaults are a manual payment not yet taken: only another
    provider's payment is written (by the payments repository, on the same row)."""
    if order.payment != MANUAL_PAYMENT:
        await sql.execute(
            update(orders).where(orders.c.id == order.id).values(payment_values(order.payment))
        )


async def orders_with_lines(sql: SessionSql, query: Any) -> list[Order]:
    """The orders `query` selects, each with its lines, their picks and substitutes (one
    query for all the lines)."""
    rows = list((await sql.execute(query)).mappings())
    lines: dict[UUID, list[RowMapping]] = {row["id"]: [] for row in rows}
    if lines:
        line_query = (
            select(order_lines)
            .where(order_lines.c.order_id.in_(lines))
            .order_by(order_lines.c.order_id, order_lines.c.id)
        )
        for line in (await sql.execute(line_query)).mappings():
            lines[line["order_id"]].append(line)
    return [_order(row, lines[row["id"]]) for row in rows]


async def count_sales(sql: SessionSql, order_id: UUID, sign: int) -> None:
    """Add to (1) or take from (-1) the reports' rollups what the order counts as its rows
    stand, its products locked in id order first (migration 0024_sales_days)."""
    await sql.execute(select(func.grocery_count_sales(order_id, sign)))


def _sold_in(order_id: UUID) -> CTE:
    """What the order counts in sales, per product that sold: units and revenue."""
    units = func.sum(order_lines.c.sold_units)
    return (
        select(
            order_lines.c.product_id,
            units.label("units"),
            func.sum(order_lines.c.sold_revenue).label("revenue"),
        )
        .where(order_lines.c.order_id == order_id)
        .group_by(order_lines.c.product_id)
        .having(units > 0)
        .cte("sold")
    )


def _line(row: RowMapping, substitute: RowMapping | None) -> OrderLine:
    pick = (
        None
        if row["picked_quantity"] is None
        else Pick(
            picked_quantity=row["picked_quantity"],
            picked_weight_kg=row["picked_weight_kg"],
            substitute=None if substitute is None else _substitute(substitute),
        )
    )
    return OrderLine(
        id=row["id"],
        product_id=row["product_id"],
        product_name=row["product_name"],
        quantity=row["quantity"],
        price_at_purchase=row["price_at_purchase"],
        discount=row["discount"],
        line_total=row["line_total"],
        category_id=row["category_id"],
        weighing=_weighing(row),
        choice=SubstitutionChoice(
            Substitution(row["substitution"]), row["preferred_substitute_id"]
        ),
        pick=pick,
        tax=row["tax"],
        taxed_by=_taxed_by(row),
    )


def _substitute(row: RowMapping) -> SubstitutePick:
    return SubstitutePick(
        product_id=row["product_id"],
        product_name=row["product_name"],
        quantity=row["quantity"],
        unit_price=row["price_at_purchase"],
        weighing=_weighing(row),
        weight_kg=row["picked_weight_kg"],
        taxed_by=_taxed_by(row),
    )


def _taxed_by(row: RowMapping) -> TaxRate | None:
    return None if row["tax_class"] is None else TaxRate(row["tax_class"], row["tax_rate"])


def _weighing(row: RowMapping) -> Weighing | None:
    step_kg = row["step_kg"]
    return None if step_kg is None else Weighing(row["price_per_kg"], step_kg)


def _order(row: RowMapping, rows: list[RowMapping]) -> Order:
    substitutes = {line["substitute_for"]: line for line in rows if line["substitute_for"]}
    ordered = [line for line in rows if line["substitute_for"] is None]
    return Order(
        id=row["id"],
        user_id=row["user_id"],
        status=OrderStatus(row["status"]),
        lines=tuple(_line(line, substitutes.get(line["id"])) for line in ordered),
        subtotal=row["subtotal"],
        discount=row["discount"],
        total=row["total"],
        promo_code_id=row["promo_code_id"],
        promo_code=row["promo_code"],
        currency=row["currency"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        cancelled_at=row["cancelled_at"],
        final=_final_bill(row, ordered),
        payment=_payment(row),
        tax=row["tax"],
        prices_include_tax=row["prices_include_tax"],
        delivery_fee=row["delivery_fee"],
        fulfilment=order_fulfilment(row),
    )


def _payment(row: RowMapping) -> Payment:
    return Payment(
        provider=PaymentProvider(row["payment_provider"]),
        status=PaymentStatus(row["payment_status"]),
        amount_authorized=row["payment_amount_authorized"],
        amount_captured=row["payment_amount_captured"],
        amount_refunded=row["payment_amount_refunded"],
        client_secret=row["payment_client_secret"],
        reference=row["payment_reference"],
        tries=row["payment_tries"],
        retry_at=row["payment_retry_at"],
    )


def payment_values(payment: Payment) -> dict[str, Any]:
    """The order row's payment columns."""
    return {
        "payment_provider": payment.provider.value,
        "payment_status": payment.status.value,
        "payment_amount_authorized": payment.amount_authorized,
        "payment_amount_captured": payment.amount_captured,
        "payment_amount_refunded": payment.amount_refunded,
        "payment_client_secret": payment.client_secret,
        "payment_reference": payment.reference,
        "payment_tries": payment.tries,
        "payment_retry_at": payment.retry_at,
    }


def _final_bill(row: RowMapping, ordered: list[RowMapping]) -> FinalBill | None:
    if row["final_total"] is None:
        return None
    return FinalBill(
        lines=tuple(
            BilledLine(
                line_id=line["id"],
                picked_amount=line["picked_amount"],
                substitute_amount=line["substitute_amount"],
                discount=line["final_discount"],
                tax=line["final_tax"],
            )
            for line in ordered
        ),
        subtotal=row["final_subtotal"],
        discount=row["final_discount"],
        total=row["final_total"],
        tax=row["final_tax"],
    )
