"""Picking in PostgreSQL: the order locked while it is picked, picks per line, the final bill.

A pick updates its line and replaces the line's substitute row. Completing writes the bill
onto the lines and the order, and moves the sales counters as checkout and cancellation do:
relative to themselves, on rows of the products the order holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from sqlalchemy import delete, insert, select, update

from grocery.adapters.sql.database import SessionSql
from grocery.adapters.sql.orders import count_sales, orders_with_lines
from grocery.adapters.sql.schema.orders import order_lines, orders
from grocery.core.final_bill import FinalBill
from grocery.core.ids import new_id
from grocery.core.orders import Order
from grocery.core.picking import Pick, SubstitutePick
from grocery.core.sales import SalesChange, counted_sales, line_sales

# The bill onto every line at once: each line's pick (shipping picked in full records them
# here), its billed amounts and what it counts in sales; then its substitute's row.
_BILL_LINES = """
    WITH billed AS (
        SELECT * FROM unnest((SELECT $1::uuid[]), (SELECT $2::int[]), (SELECT $3::numeric[]),
                             (SELECT $4::numeric[]), (SELECT $5::numeric[]),
                             (SELECT $6::numeric[]), (SELECT $7::int[]), (SELECT $8::numeric[]),
                             (SELECT $9::numeric[]), (SELECT $10::numeric[]),
                             (SELECT $11::numeric[]))
               AS billed (id, picked_quantity, picked_weight_kg, picked_amount,
                          substitute_amount, final_discount, sold_units, sold_revenue,
                          substitute_discount, substitute_revenue, final_tax)
    ), own AS (
        UPDATE order_lines l
           SET picked_quantity = billed.picked_quantity,
               picked_weight_kg = billed.picked_weight_kg,
               picked_amount = billed.picked_amount,
               substitute_amount = billed.substitute_amount,
               final_discount = billed.final_discount,
               final_tax = billed.final_tax,
               sold_units = billed.sold_units,
               sold_revenue = billed.sold_revenue
          FROM billed WHERE l.id = billed.id
    )
    UPDATE order_lines l
       SET discount = billed.substitute_discount,
           line_total = billed.substitute_revenue,
           sold_units = l.quantity,
           sold_revenue = billed.substitute_revenue
      FROM billed WHERE l.substitute_for = billed.id
"""
# The counters move by the differences picking made, their rows locked in id order as
# checkout locks them (every product whose stock completion gives back is among them, so
# its stock update then waits for nothing). The order's categories become those of the
# products it handed over (the rows it drops and the ones it adds never overlap, so one
# statement can do both).
_RECOUNT = """
    WITH change AS (
        SELECT * FROM unnest((SELECT $2::uuid[]), (SELECT $3::int[]), (SELECT $4::numeric[]),
                             (SELECT $5::int[])) AS change (product_id, units, revenue, orders)
    ), locked AS MATERIALIZED (
        SELECT p.id FROM change JOIN products p ON p.id = change.product_id
         ORDER BY p.id FOR UPDATE OF p
    ), counted AS (
        UPDATE products p
           SET units_sold = p.units_sold + change.units,
               revenue_sold = p.revenue_sold + change.revenue,
               orders_sold = p.orders_sold + change.orders
          FROM locked JOIN change ON change.product_id = locked.id
         WHERE p.id = locked.id
    ), bought AS (
        SELECT DISTINCT p.category_id
          FROM order_lines l JOIN products p ON p.id = l.product_id
         WHERE l.order_id = $1 AND l.sold_units > 0
    ), dropped AS (
        DELETE FROM order_categories
         WHERE order_id = $1 AND category_id NOT IN (SELECT category_id FROM bought)
    )
    INSERT INTO order_categories (order_id, category_id)
    SELECT $1::uuid, category_id FROM bought
    ON CONFLICT DO NOTHING
"""


class SqlPickRepository:
    def __init__(self, sql: SessionSql) -> None:
        self._sql = sql

    async def lock(self, order_id: UUID) -> Order | None:
        query = select(orders).where(orders.c.id == order_id).with_for_update()
        found = await orders_with_lines(self._sql, query)
        return found[0] if found else None

    async def record(self, order_id: UUID, line_id: UUID, pick: Pick) -> None:
        await self._sql.execute(
            update(order_lines)
            .where(order_lines.c.id == line_id, order_lines.c.order_id == order_id)
            .values(picked_quantity=pick.picked_quantity, picked_weight_kg=pick.picked_weight_kg)
        )
        await self._sql.execute(delete(order_lines).where(order_lines.c.substitute_for == line_id))
        if pick.substitute is not None:
            await self._sql.execute(
                insert(order_lines).values(_substitute_row(order_id, line_id, pick.substitute))
            )

    async def complete(self, order: Order, sales: Sequence[SalesChange]) -> None:
        bill = order.final
        assert bill is not None  # completing means having a final bill
        # The reports' rollups lose what the order counted at checkout, then gain the bill.
        await count_sales(self._sql, order.id, -1)
        await self._bill_lines(order, bill)
        handed_over = sum(sold.units for sold in counted_sales(order).values())
        await self._sql.execute(
            update(orders)
            .where(orders.c.id == order.id)
            .values(
                final_subtotal=bill.subtotal,
                final_discount=bill.discount,
                final_total=bill.total,
                final_tax=bill.tax,
                picked_at=order.updated_at,
                updated_at=order.updated_at,
                units=handed_over,
            )
        )
        if sales:
            await self._sql.execute_sql(
                _RECOUNT,
                order.id,
                [change.product_id for change in sales],
                [change.units for change in sales],
                [change.revenue for change in sales],
                [change.orders for change in sales],
            )
        await count_sales(self._sql, order.id, 1)

    async def _bill_lines(self, order: Order, bill: FinalBill) -> None:
        billed = [bill.line(line.id) for line in order.lines]
        sold = [line_sales(line, b) for line, b in zip(order.lines, billed, strict=True)]
        picks = [line.pick for line in order.lines]
        await self._sql.execute_sql(
            _BILL_LINES,
            [line.id for line in order.lines],
            [pick.picked_quantity if pick else None for pick in picks],
            [pick.picked_weight_kg if pick else None for pick in picks],
            [b.picked_amount for b in billed],
            [b.substitute_amount for b in billed],
            [b.discount for b in billed],
            [s.units for s in sold],
            [s.revenue for s in sold],
            [s.substitute_discount for s in sold],
            [s.substitute_revenue for s in sold],
            [b.tax for b in billed],
        )


def _substitute_row(order_id: UUID, line_id: UUID, substitute: SubstitutePick) -> dict[str, object]:
    """A substitute's own line: priced as picked, counting nothing until picking completes."""
    weighing = substitute.weighing
    return {
        "id": new_id(),
        "order_id": order_id,
        "substitute_for": line_id,
        "product_id": substitute.product_id,
        "product_name": substitute.product_name,
        "quantity": substitute.quantity,
        "price_at_purchase": substitute.unit_price,
        "discount": 0,
        "line_total": substitute.unit_price * substitute.quantity,
        "step_kg": None if weighing is None else weighing.step_kg,
        "price_per_kg": None if weighing is None else weighing.price_per_kg,
        "picked_weight_kg": substitute.weight_kg,
        "sold_units": 0,
        "sold_revenue": 0,
        # Its own class: the final bill taxes it at that (its tax stays on its line's row).
        "tax_class": None if substitute.taxed_by is None else substitute.taxed_by.tax_class,
        "tax_rate": None if substitute.taxed_by is None else substitute.taxed_by.rate,
    }
