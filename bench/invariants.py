"""Stock bookkeeping across a run, checked in SQL: nothing oversold, nothing lost.

Before the load, `snapshot` keeps every product's stock and units_sold. Afterwards:
  - no product has negative stock;
  - stock + units_sold is what it was for every product (a sale moves a unit, never makes one);
  - every product's stock went down by exactly the units of the orders placed meanwhile
    (substitutes included), less the units that completing picking gave back meanwhile;
  - the hot product sold no more than it had;
  - every product's stock is the sum of its stock movements (the ledger explains the shelf);
  - no slot has more places booked and held (unexpired) than its capacity;
  - every slot's booked count is the orders booking it that were not cancelled;
  - the reports' rollups (migrations 0024_sales_days, 0027_category_sales) are the sums over
    the counted order lines and orders, day by day (and month by month for the categories) in
    their zone, and each product's tax_sold its lines' tax.
The picking count assumes an order completed since the snapshot was placed before it only when
its picks took no substitute (bench/run's picking orders don't).
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

import asyncpg


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


async def snapshot(connection: asyncpg.Connection) -> None:
    await connection.execute(
        """
        DROP TABLE IF EXISTS bench_stock_before;
        CREATE TABLE bench_stock_before AS
            SELECT id, stock, units_sold, clock_timestamp() AS taken_at FROM products;
        ALTER TABLE bench_stock_before ADD PRIMARY KEY (id);
        """
    )


# Units that left the shelf since the snapshot, by product: those of orders placed meanwhile
# (cancelled ones gave theirs back; a substitute is a line of its own), less the units not
# picked of orders whose picking was completed meanwhile (given back then).
_MOVED_SINCE = """
    SELECT product_id, sum(units)::bigint AS units, count(DISTINCT order_id) AS orders,
           sum(returned)::bigint AS returned
      FROM (SELECT l.product_id, l.quantity AS units, o.id AS order_id, 0 AS returned
              FROM orders o JOIN order_lines l ON l.order_id = o.id
             WHERE o.created_at >= (SELECT min(taken_at) FROM bench_stock_before)
               AND o.status <> 'cancelled'
            UNION ALL
            SELECT l.product_id, l.picked_quantity - l.quantity, NULL, l.quantity - l.picked_quantity
              FROM orders o JOIN order_lines l ON l.order_id = o.id
             WHERE o.picked_at >= (SELECT min(taken_at) FROM bench_stock_before)
               AND o.status <> 'cancelled'
               AND l.substitute_for IS NULL AND l.picked_quantity < l.quantity) moved
     GROUP BY product_id
"""
# Products whose stock is not the sum of their movements.
_OFF_THE_LEDGER = """
    SELECT p.id FROM products p
      LEFT JOIN (SELECT product_id, sum(quantity) AS total FROM stock_movements
                  GROUP BY product_id) m ON m.product_id = p.id
     WHERE p.stock <> coalesce(m.total, 0)
"""


async def off_the_ledger(connection: asyncpg.Connection) -> set[UUID]:
    """The products whose stock is not the sum of their movements."""
    return {row["id"] for row in await connection.fetch(_OFF_THE_LEDGER)}


async def check(connection: asyncpg.Connection, hot_product: UUID) -> list[Check]:
    negative = await connection.fetchval("SELECT count(*) FROM products WHERE stock < 0")
    unconserved = await connection.fetchval(
        """
        SELECT count(*) FROM products p JOIN bench_stock_before b USING (id)
         WHERE p.stock + p.units_sold <> b.stock + b.units_sold
        """
    )
    unexplained = await connection.fetchval(
        f"""
        SELECT count(*) FROM products p JOIN bench_stock_before b USING (id)
          LEFT JOIN ({_MOVED_SINCE}) s ON s.product_id = p.id
         WHERE b.stock - p.stock <> coalesce(s.units, 0)
        """  # noqa: S608 - a constant
    )
    totals = await connection.fetchrow(
        f"""
        SELECT coalesce(sum(units), 0) AS units, coalesce(sum(returned), 0) AS returned,
               count(*) AS products
          FROM ({_MOVED_SINCE}) s
        """  # noqa: S608 - a constant
    )
    orders = await connection.fetchval(
        """
        SELECT count(*) FROM orders
         WHERE created_at >= (SELECT min(taken_at) FROM bench_stock_before)
        """
    )
    hot = await connection.fetchrow(
        """
        SELECT b.stock AS before, p.stock AS after, p.units_sold - b.units_sold AS sold
          FROM products p JOIN bench_stock_before b USING (id) WHERE p.id = $1
        """,
        hot_product,
    )
    unexplained_stock = len(await off_the_ledger(connection))
    overbooked = await connection.fetchval(_OVERBOOKED)
    miscounted = await connection.fetchval(_MISCOUNTED)
    slots = await connection.fetchrow(_SLOTS_USED)
    off_rollups = await rollups_off(connection)
    return [
        Check("no negative stock", negative == 0, f"{negative} products below zero"),
        Check(
            "stock + units_sold conserved",
            unconserved == 0,
            f"{unconserved} products changed their total",
        ),
        Check(
            "stock moved by exactly the units ordered and given back",
            unexplained == 0,
            f"{unexplained} mismatches; {orders} orders placed, {totals['units']} units"
            f" of {totals['products']} products net of {totals['returned']} given back by picking",
        ),
        Check(
            "hot product not oversold",
            hot["after"] >= 0 and hot["sold"] <= hot["before"],
            f"stock {hot['before']} -> {hot['after']}, {hot['sold']} sold",
        ),
        Check(
            "stock is the sum of its movements",
            unexplained_stock == 0,
            f"{unexplained_stock} products off their ledger",
        ),
        Check(
            "no slot overbooked",
            overbooked == 0,
            f"{overbooked} slots over capacity; {slots['booked']} places booked and"
            f" {slots['held']} held in {slots['slots']} slots",
        ),
        Check(
            "slot bookings match live orders",
            miscounted == 0,
            f"{miscounted} slots whose booked count is not their live orders",
        ),
        Check(
            "sales rollups are the sums of the order lines",
            not any(off_rollups.values()),
            ", ".join(f"{count} {kind} rows off" for kind, count in off_rollups.items()),
        ),
    ]


# What the reports' rollups must hold, summed straight from the orders and their lines: the
# lines that count (sold something, of an order not cancelled), on their order's local day.
_COUNTED_LINES = """
    SELECT l.*, (o.created_at AT TIME ZONE z.zone)::date AS day
      FROM orders o JOIN order_lines l ON l.order_id = o.id CROSS JOIN sales_zone z
     WHERE o.status <> 'cancelled' AND l.sold_units > 0
"""


def _category_rollup_off(period: str, column: str, table: str) -> str:
    """Rows of a category rollup (0027_category_sales) off the counted lines, per period and
    the category their product is in now."""
    return f"""
        SELECT count(*) FROM (
            SELECT {period} AS {column}, p.category_id, count(DISTINCT l.order_id) AS orders,
                   sum(l.sold_units) AS units, sum(l.sold_revenue) AS revenue,
                   sum(coalesce(l.final_tax, l.tax)) AS tax
              FROM ({_COUNTED_LINES}) l JOIN products p ON p.id = l.product_id
             GROUP BY 1, 2) direct
          FULL JOIN (SELECT {column}, category_id, sum(orders) AS orders, sum(units) AS units,
                            sum(revenue) AS revenue, sum(tax) AS tax
                       FROM {table} GROUP BY 1, 2
                     HAVING sum(orders) <> 0 OR sum(units) <> 0 OR sum(revenue) <> 0
                         OR sum(tax) <> 0) kept USING ({column}, category_id)
         WHERE (direct.orders, direct.units, direct.revenue, direct.tax)
               IS DISTINCT FROM (kept.orders, kept.units, kept.revenue, kept.tax)
    """  # noqa: S608 - constants


_ROLLUPS_OFF = {
    "product day": f"""
        SELECT count(*) FROM (
            SELECT product_id, day, sum(sold_units) AS units, sum(sold_revenue) AS revenue,
                   sum(coalesce(final_tax, tax)) AS tax, count(DISTINCT order_id) AS orders
              FROM ({_COUNTED_LINES}) l GROUP BY product_id, day) direct
          FULL JOIN (SELECT * FROM product_sales_days WHERE orders <> 0 OR units <> 0
                        OR revenue <> 0 OR tax <> 0) kept USING (product_id, day)
         WHERE (direct.units, direct.revenue, direct.tax, direct.orders)
               IS DISTINCT FROM (kept.units, kept.revenue, kept.tax, kept.orders)
    """,  # noqa: S608 - constants
    "order day": """
        SELECT count(*) FROM (
            SELECT (o.created_at AT TIME ZONE z.zone)::date AS day, count(*) AS orders,
                   sum(o.units) AS units,
                   sum(coalesce(o.final_total, o.total) - o.delivery_fee) AS revenue,
                   sum(coalesce(o.final_tax, o.tax)) AS tax
              FROM orders o CROSS JOIN sales_zone z
             WHERE o.status <> 'cancelled' AND o.units > 0 GROUP BY 1) direct
          FULL JOIN (SELECT day, sum(orders) AS orders, sum(units) AS units,
                            sum(revenue) AS revenue, sum(tax) AS tax
                       FROM order_sales_days GROUP BY day
                     HAVING sum(orders) <> 0 OR sum(units) <> 0 OR sum(revenue) <> 0
                         OR sum(tax) <> 0) kept USING (day)
         WHERE (direct.orders, direct.units, direct.revenue, direct.tax)
               IS DISTINCT FROM (kept.orders, kept.units, kept.revenue, kept.tax)
    """,
    "category day": _category_rollup_off("l.day", "day", "category_sales_days"),
    "category month": _category_rollup_off(
        "date_trunc('month', l.day)::date", "month", "category_sales_months"
    ),
    "product tax": f"""
        SELECT count(*) FROM products p
          LEFT JOIN (SELECT product_id, sum(coalesce(final_tax, tax)) AS tax
                       FROM ({_COUNTED_LINES}) l GROUP BY product_id) direct
            ON direct.product_id = p.id
         WHERE p.tax_sold <> coalesce(direct.tax, 0)
    """,  # noqa: S608 - constants
    # The last 30 days' counters (0030_recent_sales), when kept: what the lines of the days
    # from recent_from on counted.
    "product recent": f"""
        SELECT count(*) FROM products p CROSS JOIN sales_zone z
          LEFT JOIN (SELECT l.product_id, sum(l.sold_units) AS units,
                            count(DISTINCT l.order_id) AS orders
                       FROM ({_COUNTED_LINES}) l
                      WHERE l.day >= (SELECT recent_from FROM sales_zone)
                      GROUP BY l.product_id) direct ON direct.product_id = p.id
         WHERE z.recent_from IS NOT NULL
           AND (p.recent_units, p.recent_orders)
               IS DISTINCT FROM (coalesce(direct.units, 0), coalesce(direct.orders, 0))
    """,  # noqa: S608 - constants
}


async def rollups_off(connection: asyncpg.Connection) -> dict[str, int]:
    """How many rows of each rollup differ from the sums over the order lines."""
    return {kind: await connection.fetchval(sql) for kind, sql in _ROLLUPS_OFF.items()}


_HELD = "(SELECT count(*) FROM slot_holds h WHERE h.slot_id = s.id AND h.held_until > now())"
_LIVE = "(SELECT count(*) FROM orders o WHERE o.slot_id = s.id AND o.status <> 'cancelled')"
_OVERBOOKED = f"SELECT count(*) FROM slots s WHERE s.booked + {_HELD} > s.capacity"  # noqa: S608
_MISCOUNTED = f"SELECT count(*) FROM slots s WHERE s.booked <> {_LIVE}"  # noqa: S608
_SLOTS_USED = f"""
    SELECT count(*) AS slots, coalesce(sum(s.booked), 0) AS booked,
           coalesce(sum({_HELD}), 0) AS held
      FROM slots s WHERE s.booked > 0 OR {_HELD} > 0
"""  # noqa: S608
