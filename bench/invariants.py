"""Stock bookkeeping across a run, checked in SQL: nothing oversold, nothing lost.

Before the load, `snapshot` keeps every product's stock and units_sold. Afterwards:
  - no product has negative stock;
  - stock + units_sold is what it was for every product (a sale moves a unit, never makes one);
  - every product's stock went down by exactly the units of the orders placed meanwhile;
  - the hot product sold no more than it had.
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


# Orders placed since the snapshot (cancelled ones gave their units back).
_SOLD_SINCE = """
    SELECT l.product_id, sum(l.quantity)::bigint AS units, count(DISTINCT o.id) AS orders
      FROM orders o JOIN order_lines l ON l.order_id = o.id
     WHERE o.created_at >= (SELECT min(taken_at) FROM bench_stock_before)
       AND o.status <> 'cancelled'
     GROUP BY l.product_id
"""


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
          LEFT JOIN ({_SOLD_SINCE}) s ON s.product_id = p.id
         WHERE b.stock - p.stock <> coalesce(s.units, 0)
        """  # noqa: S608 - a constant
    )
    totals = await connection.fetchrow(
        f"SELECT coalesce(sum(units), 0) AS units, count(*) AS products FROM ({_SOLD_SINCE}) s"  # noqa: S608
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
    return [
        Check("no negative stock", negative == 0, f"{negative} products below zero"),
        Check(
            "stock + units_sold conserved",
            unconserved == 0,
            f"{unconserved} products changed their total",
        ),
        Check(
            "stock moved by exactly the units ordered",
            unexplained == 0,
            f"{unexplained} mismatches; {orders} orders placed, {totals['units']} units"
            f" of {totals['products']} products",
        ),
        Check(
            "hot product not oversold",
            hot["after"] >= 0 and hot["sold"] <= hot["before"],
            f"stock {hot['before']} -> {hot['after']}, {hot['sold']} sold",
        ),
    ]
