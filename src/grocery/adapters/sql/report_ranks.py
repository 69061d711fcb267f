"""The best and worst sellers of the whole catalog over a range of days, found without
summing every product's days.

Summing the range's product-day rows reads a row per product and day sold (at 10,000,000
lines, some 600,000 rows for 30 days) only to keep the first `limit`. Instead a statement
sums the range for a walk of the likeliest products, and answers when the walk proves
that no product left out could rank among the first `limit`; a walk that reaches the end
of the catalog is exact whatever it found:
- most: the walk goes down the all-time counter (`units_sold`, ix_products_sales_rank).
  What a product sold within any days is at most what it ever sold, so once the last row
  kept sold more than the last product walked ever did, no product after it can reach
  the rows kept. Else those rows still bound the answer: its last row sold at least as
  much as theirs, so a second walk of every product that ever sold that much holds it.
- least: asked for exactly the days the products' recent counters are of (the last 30,
  migration 0030_recent_sales: from sales_zone.recent_from on, and nothing sold after the
  last day asked), the first of ix_products_recent_rank are the answer. Else the walk goes
  by name (ix_products_name_rank), the order ties are broken in. When the rows kept all
  sold nothing, they are the first products by name that sold nothing; any product after
  the walk comes later by name. Nothing bounds what a product sold within the days from
  below, so when they did sell, the range is summed.
The caller sums the range when no walk proved its answer, or when the second walk would
take more than LAST_WALK products.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from grocery.adapters.sql.database import Database
from grocery.core.reports import SalesSort

FIRST_WALK = 512  # products walked first, and never fewer than 8 times the limit
LAST_WALK = 32_768  # a longer second walk is left for the range's sum


def first_walk(limit: int) -> int:
    return max(FIRST_WALK, 8 * limit)


_WALKED = {
    SalesSort.MOST: "WHERE units_sold >= :at_least ORDER BY units_sold DESC",
    SalesSort.LEAST: "ORDER BY name, id",
}
_RANKED = {
    SalesSort.MOST: "{0}.units DESC, {0}.name, {0}.id",
    SalesSort.LEAST: "{0}.units, {0}.name, {0}.id",
}
_DAYS = "pd.product_id = {0}.id AND pd.day BETWEEN :first_day AND :last_day"
# The products kept, with their revenue and tax summed over the days (theirs only), ranked.
_SHOWN = """
SELECT kept.id, kept.name, c.id AS category_id, c.name AS category_name,
       c.slug AS category_slug, kept.units, coalesce(f.revenue, 0) AS revenue, kept.orders,
       coalesce(f.tax, 0) AS tax, {walks}
  FROM kept JOIN categories c ON c.id = kept.category_id
  LEFT JOIN LATERAL (
      SELECT sum(pd.revenue) AS revenue, sum(pd.tax) AS tax
        FROM product_sales_days pd WHERE {kept_days} HAVING sum(pd.orders) > 0
  ) f ON true
 ORDER BY {kept_rank}
"""
# Units and orders of every walked product from the days' key alone; the products kept
# ranked, then shown. An archived product is out of the catalog: it shows only for what it
# sold.
_WALK = """
WITH walked AS MATERIALIZED (
    SELECT id, name, category_id, archived, units_sold FROM products {walked} LIMIT :walk
), counted AS (
    SELECT walked.*, coalesce(s.units, 0) AS units, coalesce(s.orders, 0) AS orders
      FROM walked LEFT JOIN LATERAL (
          SELECT sum(pd.units) AS units, sum(pd.orders) AS orders
            FROM product_sales_days pd WHERE {counted_days} HAVING sum(pd.orders) > 0
      ) s ON true
), kept AS (
    SELECT * FROM counted WHERE NOT archived OR orders > 0 ORDER BY {counted_rank} LIMIT :limit
)"""
_STATEMENTS = {
    sort: text(
        _WALK.format(
            walked=_WALKED[sort],
            counted_days=_DAYS.format("walked"),
            counted_rank=_RANKED[sort].format("counted"),
        )
        + _SHOWN.format(
            walks="(SELECT count(*) FROM walked) AS walked,"
            " (SELECT min(units_sold) FROM walked) AS fewest_ever",
            kept_days=_DAYS.format("kept"),
            kept_rank=_RANKED[sort].format("kept"),
        )
    )
    for sort in SalesSort
}
# The recent counters are read only when they are of the days asked, in the statement's
# one snapshot (a roll may move them between two statements). Nothing is walked.
_RECENT_KEPT = """
WITH kept AS MATERIALIZED (
    SELECT id, name, category_id, recent_units AS units, recent_orders AS orders
      FROM products
     WHERE (SELECT recent_from FROM sales_zone) = :first_day
       AND NOT EXISTS (SELECT FROM product_sales_days WHERE day > :last_day)
       AND (NOT archived OR recent_orders > 0)
     ORDER BY recent_units, name, id LIMIT :limit
)"""
_RECENT = text(
    _RECENT_KEPT
    + _SHOWN.format(
        walks="NULL AS walked",
        kept_days=_DAYS.format("kept"),
        kept_rank=_RANKED[SalesSort.LEAST].format("kept"),
    )
)


async def ranked_within_days(
    connection: AsyncConnection,
    sort: SalesSort,
    days: tuple[date | None, date | None],
    limit: int,
    walk: int,
    last_walk: int = LAST_WALK,
) -> Sequence[Any] | None:
    """The first `limit` products by units within the days (both ends in; None: open), as
    the whole range's sum would rank them, walking `walk` products first (and at most
    `last_walk` next); None when the walks could not prove it."""
    first_day, last_day = days
    values = {
        "first_day": first_day or date.min,
        "last_day": last_day or date.max,
        "limit": limit,
        "walk": walk,
        "at_least": 0,
    }
    if sort is SalesSort.LEAST:
        rows = (await connection.execute(_RECENT, values)).all()
        if rows:  # none: not the days kept (or no product at all, which the sum says too)
            return rows
    rows = (await connection.execute(_STATEMENTS[sort], values)).all()
    if _proved(sort, rows, limit, walk):
        return rows
    if sort is SalesSort.LEAST or len(rows) < limit:
        return None
    values.update(at_least=rows[-1].units, walk=last_walk)
    rows = (await connection.execute(_STATEMENTS[sort], values)).all()
    return rows if rows and rows[0].walked < last_walk else None


def _proved(sort: SalesSort, rows: Sequence[Any], limit: int, walk: int) -> bool:
    if not rows:
        return False  # nothing shown among the walked: the whole sum says
    if rows[0].walked < walk:
        return True  # the whole catalog was walked
    if len(rows) < limit:
        return False
    last = rows[-1]
    if sort is SalesSort.MOST:
        return bool(last.units > rows[0].fewest_ever)
    return bool(last.units == 0)


async def roll_recent_sales(database: Database) -> None:
    """The products' recent counters moved on to the last 30 days when the shop's day has
    turned, or summed anew after a change of zone (migration 0030_recent_sales); a look at
    one row otherwise."""
    async with database.begin() as connection:
        await connection.execute(text("SELECT grocery_roll_recent_sales()"))
