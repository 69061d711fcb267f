"""The stock room in PostgreSQL: checkout takes stock, a cancellation puts it back.

Each moves every line in one conditional statement, relative to the stock it finds.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from grocery.adapters.sql.database import SessionSql
from grocery.core.alerts import StockMove
from grocery.core.orders import TakenStock
from grocery.core.pricing import CartLine

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
